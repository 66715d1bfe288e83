/**
 * The SQL gate's acceptance corpus (`_corpus.ts`), end to end through the real MCP tools on a
 * datasource that logs in as the administrator: each statement is admitted or refused as
 * listed, no response reveals the secret, a password or a server path, and nothing a
 * statement does outlives it (data, grants, global variables, named locks, session state).
 */
import assert from "assert";
import { DB_TEST, startTestApp, type TestApp } from "../support/test_app.ts";
import { testDatabase } from "../support/test_database.ts";
import { on } from "../tools/_support.ts";
import {
  CORPUS,
  type CorpusEntry,
  fill,
  type Reason,
  REASONS,
  STORED_FUNCTION_CORPUS,
} from "./_corpus.ts";
import {
  admin,
  adminApp,
  createCorpusObjects,
  directConnection,
  dropCorpusObjects,
  forbiddenStrings,
  jsonOf,
  leakIn,
  namesOf,
  resetScratch,
  scratchHoldsSecret,
  SECRET,
  StateGuard,
} from "./_gate_harness.ts";

const NOT_ALLOWED = "STATEMENT_NOT_ALLOWED";
const STORED_FUNCTIONS = { allow_stored_functions: "true" };

interface ToolError {
  error_code: string;
  message: string;
}

function isMysql8(entry: CorpusEntry): boolean {
  return entry.note?.includes("mysql8") ?? false;
}

function clip(sql: string, max = 110): string {
  const flat = sql.replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max)}... (${sql.length} chars)` : flat;
}

/** What is wrong with the gate's answer to `entry`, or undefined. */
function verdictProblem(entry: CorpusEntry, error: ToolError | undefined): string | undefined {
  const expect = entry.expect;
  if (expect === "admit") {
    if (!error) return undefined;
    if (error.error_code === NOT_ALLOWED) return `refused: ${error.message}`;
    if (isMysql8(entry) && error.error_code === "QUERY_EXECUTION_ERROR") return undefined;
    return `admitted, but failed: ${error.error_code}: ${error.message}`;
  }
  if (expect === "either") {
    return !error || error.error_code === NOT_ALLOWED
      ? undefined
      : `failed: ${error.error_code}: ${error.message}`;
  }
  const reasons = [expect.reason].flat() as Reason[];
  const codes = [expect.code].flat() as string[];
  const wanted = `${codes.join(" or ")} (${reasons.join(" or ")})`;
  if (!error) return `admitted; expected ${wanted}`;
  if (!codes.includes(error.error_code)) {
    return `failed with ${error.error_code}: ${error.message}; expected ${wanted}`;
  }
  return reasons.some((reason) => REASONS[reason].test(error.message))
    ? undefined
    : `refused for another reason: "${error.message}"; expected ${wanted}`;
}

/** Sends one entry through its tool; returns every problem with the outcome. */
async function checkEntry(
  t: TestApp,
  entry: CorpusEntry,
  sql: string,
  forbidden: [string, string][],
  guard: StateGuard,
): Promise<string[]> {
  const args = entry.tool === "mysql_query" ? { query: sql } : { statement: sql };
  const result = await t.raw(entry.tool, on(t, args));
  const error: ToolError | undefined = result.isError
    ? JSON.parse(result.content[0].text)
    : undefined;
  const problems: string[] = [];
  const verdict = verdictProblem(entry, error);
  if (verdict) problems.push(verdict);
  const leak = leakIn(JSON.stringify(result), forbidden);
  if (leak) problems.push(`the response reveals ${leak}`);
  if (entry.tool === "mysql_execute") {
    if (await scratchHoldsSecret(t.db)) problems.push("copied the secret into {D}.gate_scratch");
    await resetScratch(t.db);
  }
  const changes = await guard.differences();
  if (changes.length > 0) {
    problems.push(...changes);
    const stuck = await guard.restore();
    if (stuck) problems.push(stuck);
  }
  return problems;
}

async function assertNoFiles(dir: string) {
  const names = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  assert.deepEqual(names, [], `files written to ${dir}`);
}

/** Runs `entries` on one app (one step each), with the corpus's objects in place. */
async function runCorpus(
  t: Deno.TestContext,
  entries: readonly CorpusEntry[],
  source: Record<string, string>,
): Promise<void> {
  const db = await testDatabase();
  await createCorpusObjects(db);
  const app = await startTestApp(adminApp(db, source));
  const dir = await Deno.makeTempDir({ prefix: "gate_corpus_" });
  await Deno.chmod(dir, 0o777);
  const failed: string[] = [];
  try {
    const forbidden = await forbiddenStrings(db);
    const guard = await StateGuard.take(app);
    for (const [i, entry] of entries.entries()) {
      const sql = fill(entry.sql, namesOf(db, `${dir}/out_${i}.txt`));
      const name = `#${i} ${entry.tool === "mysql_query" ? "query" : "execute"}: ${clip(sql)}`;
      const passed = await t.step({
        name,
        ...DB_TEST,
        fn: async () => {
          const problems = await checkEntry(app, entry, sql, forbidden, guard);
          if (problems.length) {
            assert.fail(problems.join("; ") + (entry.note ? ` [note: ${entry.note}]` : ""));
          }
        },
      });
      if (!passed) failed.push(name);
    }
    await assertNoFiles(dir);
  } finally {
    await app.close();
    await dropCorpusObjects(db);
    await Deno.remove(dir, { recursive: true });
  }
  if (failed.length) {
    console.error(`\n${failed.length} of ${entries.length} corpus entries failed`);
  }
}

Deno.test({
  name:
    "the gate admits or refuses every corpus statement as listed, and none leaks or changes anything",
  ...DB_TEST,
  fn: (t) => runCorpus(t, CORPUS, {}),
});

Deno.test({
  name: "with allow_stored_functions, stored functions run and everything else holds as before",
  ...DB_TEST,
  fn: (t) => runCorpus(t, STORED_FUNCTION_CORPUS, STORED_FUNCTIONS),
});

Deno.test("the corpus holds 300+ statements with known reasons, and every example of the issue", () => {
  const all = [...CORPUS, ...STORED_FUNCTION_CORPUS];
  assert.ok(CORPUS.length >= 300, `only ${CORPUS.length} entries`);
  const admitted = all.filter((entry) => entry.expect === "admit").length;
  assert.ok(admitted >= all.length * 0.3, `only ${admitted} of ${all.length} are admitted`);
  const keys = new Set<string>();
  for (const entry of all) {
    if (typeof entry.expect === "object") {
      for (const reason of [entry.expect.reason].flat()) assert.ok(reason in REASONS, reason);
    }
    const key = `${entry.tool} ${entry.sql}`;
    if (CORPUS.includes(entry)) {
      assert.ok(!keys.has(key), `listed twice: ${key}`);
      keys.add(key);
    }
  }
  const issue = [
    "SELECT s.secret FROM orders duplicate, {H}.secrets s",
    "SELECT s.secret FROM orders USE INDEX FOR ORDER BY (PRIMARY), {H}.secrets s",
    "SELECT s.secret FROM gate_versioned FOR SYSTEM_TIME ALL, {H}.secrets s",
    "SELECT secret FROM {OJ {H}.secrets}",
    "UPDATE orders value, {H}.secrets s SET s.secret = 'pwned'",
    "SHOW BINLOG EVENTS",
    "SHOW FULL PROCESSLIST",
    "SHOW ENGINE INNODB STATUS",
    "SHOW EXPLAIN FOR 1",
    "EXPLAIN FOR CONNECTION 1",
    "SELECT gate_set_global()",
    "SELECT gate_lock()",
    "SHOW GLOBAL VARIABLES LIKE '%dir%'",
    "SELECT LAST_INSERT_ID(4242)",
  ];
  for (const sql of issue) assert.ok(all.some((entry) => entry.sql === sql), `missing: ${sql}`);
  assert.ok(all.some((e) => e.sql.includes("information_schema.TABLES") && e.realBypass));
  assert.ok(all.some((e) => e.sql.includes("mysql.user") && e.realBypass));
  for (const verb of ["UPDATE", "DELETE", "INSERT", "REPLACE"]) {
    assert.ok(
      all.some((e) => e.tool === "mysql_execute" && e.sql.startsWith(verb) && e.realBypass),
      `no ${verb} across the allow-list`,
    );
  }
});

/** What a statement run directly as the administrator shows of the hidden database. */
async function evidence(
  conn: Awaited<ReturnType<typeof directConnection>>,
  rows: unknown,
  hiddenBefore: string,
  hidden: string,
): Promise<boolean> {
  const shown = jsonOf(rows);
  if (shown.includes(SECRET) || /secret/i.test(shown)) return true;
  const [now] = await conn.query(`SELECT id, secret FROM \`${hidden}\`.secrets ORDER BY id`);
  if (jsonOf(now) !== hiddenBefore) return true;
  const [scratch] = await conn.query("SELECT v FROM gate_scratch");
  return jsonOf(scratch).includes(SECRET);
}

Deno.test({
  name: "every realBypass statement works as an attack when the administrator runs it directly",
  ...DB_TEST,
  async fn() {
    const db = await testDatabase();
    await createCorpusObjects(db);
    const conn = await directConnection(db);
    const problems: string[] = [];
    try {
      const [[{ max }]] = await conn.query("SELECT @@global.max_connections AS max") as any;
      const [hiddenRows] = await conn.query(
        `SELECT id, secret FROM \`${db.otherDb}\`.secrets ORDER BY id`,
      );
      const hiddenBefore = jsonOf(hiddenRows);
      const bypasses = [...CORPUS, ...STORED_FUNCTION_CORPUS].filter((entry) => entry.realBypass);
      assert.ok(bypasses.length >= 100, `only ${bypasses.length} verified bypasses`);
      for (const entry of bypasses) {
        const sql = fill(entry.sql, namesOf(db));
        await conn.query("START TRANSACTION");
        try {
          const [rows] = await conn.query(sql);
          if (
            entry.sql.includes("secrets") && !await evidence(conn, rows, hiddenBefore, db.otherDb)
          ) {
            problems.push(`${clip(sql)}: runs, but shows nothing of the hidden database`);
          }
        } catch (error) {
          problems.push(`${clip(sql)}: fails as administrator: ${(error as Error).message}`);
        } finally {
          await conn.query("ROLLBACK");
          await conn.query("SELECT RELEASE_ALL_LOCKS()");
          await conn.query(`SET GLOBAL max_connections = ${Number(max)}`);
        }
      }
    } finally {
      await conn.end();
      await dropCorpusObjects(db);
    }
    assert.deepEqual(problems, []);
  },
});

Deno.test({
  name: "every statement the corpus admits is valid MariaDB SQL, and every mysql8 one is not",
  ...DB_TEST,
  async fn() {
    const db = await testDatabase();
    await createCorpusObjects(db);
    const conn = await directConnection(db);
    const problems: string[] = [];
    try {
      const admitted = [...CORPUS, ...STORED_FUNCTION_CORPUS]
        .filter((entry) => entry.expect === "admit" || entry.expect === "either");
      for (const entry of admitted) {
        const sql = fill(entry.sql, namesOf(db));
        await conn.query("START TRANSACTION");
        try {
          await conn.query(sql);
          if (isMysql8(entry)) problems.push(`${clip(sql)}: marked mysql8, but MariaDB runs it`);
        } catch (error) {
          const e = error as { errno?: number; message: string };
          if (!isMysql8(entry) || e.errno !== 1064) problems.push(`${clip(sql)}: ${e.message}`);
        } finally {
          await conn.query("ROLLBACK");
          await conn.query("SELECT RELEASE_ALL_LOCKS()");
        }
      }
    } finally {
      await conn.end();
      await dropCorpusObjects(db);
    }
    assert.deepEqual(problems, []);
  },
});

Deno.test({
  name:
    "LAST_INSERT_ID(n) set through mysql_query does not reach the next caller of the connection",
  ...DB_TEST,
  async fn() {
    const db = await testDatabase();
    // One connection: the next call gets the very connection the first one used.
    const t = await startTestApp({ ...adminApp(db), pool: { max_connections: "1" } });
    try {
      await t.raw("mysql_query", on(t, { query: "SELECT LAST_INSERT_ID(4242)" }));
      const next = await t.call("mysql_query", on(t, { query: "SELECT LAST_INSERT_ID() AS id" }));
      assert.notEqual(String(next.rows[0][0]), "4242");
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name:
    "with allow_stored_functions, a stored function's variable and named lock end with its call",
  ...DB_TEST,
  async fn() {
    const db = await testDatabase();
    await createCorpusObjects(db);
    const t = await startTestApp({
      ...adminApp(db, STORED_FUNCTIONS),
      pool: { max_connections: "1" },
    });
    try {
      await t.call("mysql_query", on(t, { query: "SELECT gate_setvar()" }));
      const variable = await t.call("mysql_query", on(t, { query: "SELECT @gate_var AS v" }));
      assert.equal(variable.rows[0][0], null, "@gate_var outlived the call");
      await t.call("mysql_query", on(t, { query: "SELECT gate_lock()" }));
      const [held] = await admin(db, "SELECT IS_USED_LOCK('gate_corpus_lock') AS id");
      assert.equal(held.id, null, "the named lock outlived the call");
    } finally {
      const [held] = await admin(db, "SELECT IS_USED_LOCK('gate_corpus_lock') AS id");
      if (held.id !== null) await db.server.admin(`KILL ${Number(held.id)}`).catch(() => {});
      await t.close();
      await dropCorpusObjects(db);
    }
  },
});

Deno.test({
  name: "INSERT, REPLACE and DELETE ... RETURNING report the rows they changed as affected_rows",
  ...DB_TEST,
  async fn() {
    const db = await testDatabase();
    await createCorpusObjects(db);
    const t = await startTestApp(adminApp(db));
    const execute = async (statement: string) =>
      (await t.call("mysql_execute", on(t, { statement }))).affected_rows;
    try {
      assert.equal(await execute("INSERT INTO gate_scratch (v) VALUES ('r1'), ('r2'), ('r3')"), 3);
      assert.equal(
        await execute("INSERT INTO gate_scratch (v) VALUES ('r4'), ('r5'), ('r6') RETURNING id"),
        3,
      );
      assert.equal(
        await execute("REPLACE INTO gate_scratch (id, v) VALUES (100, 'n') RETURNING id"),
        1,
      );
      assert.equal(await execute("DELETE FROM gate_scratch WHERE v LIKE 'r%' RETURNING id, v"), 6);
      assert.equal(await execute("DELETE FROM gate_scratch WHERE id = 100"), 1);
    } finally {
      await t.close();
      await dropCorpusObjects(db);
    }
  },
});
