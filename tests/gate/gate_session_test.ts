/**
 * The gate's layers behind the parser, against the real MariaDB: result columns checked
 * against the allow-list, SHOW VARIABLES filtered, connections reset after statements that
 * leave state, RETURNING counted.
 */
import assert from "assert";
import { DB_TEST, startTestApp, type TestApp } from "../support/test_app.ts";
import { on, textOf } from "../tools/_support.ts";

/** One connection per pool, so a state left behind would reach the very next call. */
const ONE_CONNECTION = { pool: { max_connections: "1" } };

async function admin(t: TestApp, sql: string): Promise<any[]> {
  return (await t.db.server.admin(sql)) as any[];
}

/** Every attempt is refused with `reason` in its message, and reveals nothing. */
async function assertRefused(
  t: TestApp,
  attempts: [string, Record<string, unknown>][],
  reason: string,
): Promise<void> {
  for (const [tool, args] of attempts) {
    const result = await t.raw(tool, on(t, args));
    const text = textOf(result);
    assert.equal(result.isError, true, text);
    assert.match(text, /STATEMENT_NOT_ALLOWED/);
    assert.ok(text.includes(reason), text);
    assert.ok(!text.includes("do-not-read"), text);
  }
}

/** Waits (bounded) until the admin view says `check` holds: a reset on release is async. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`not within 5 s: ${what}`);
}

Deno.test({
  name:
    "a view in an allowed database over a hidden one is refused, also in expressions and writes",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    const { db, otherDb } = t.db;
    try {
      await admin(
        t,
        `CREATE OR REPLACE VIEW ${db}.gate_peek AS SELECT secret FROM ${otherDb}.secrets`,
      );
      const attempts: [string, Record<string, unknown>][] = [
        ["mysql_query", { query: "SELECT * FROM gate_peek" }],
        ["mysql_query", { query: "SELECT * FROM gate_peek", stream: true }],
        ["mysql_query", { query: "SELECT CONCAT(secret) FROM gate_peek" }],
        ["mysql_query", { query: "SELECT (SELECT secret FROM gate_peek) AS s" }],
        ["mysql_query", { query: "SELECT 1 UNION SELECT secret FROM gate_peek" }],
        ["mysql_execute", { statement: "UPDATE gate_peek SET secret = 'pwned'" }],
      ];
      await assertRefused(t, attempts, `reads database \\"${otherDb}\\"`);
      const [{ secret }] = await admin(t, `SELECT secret FROM ${otherDb}.secrets WHERE id = 1`);
      assert.equal(secret, "do-not-read");
      // A view re-pointed after the gate last read the view definitions (cached for a minute)
      // gets past the view check: the second layer, on the result's column metadata, withholds.
      await admin(t, `CREATE OR REPLACE VIEW ${db}.gate_late AS SELECT name FROM ${db}.customers`);
      assert.ok(
        (await t.raw("mysql_query", on(t, { query: "SELECT * FROM gate_late" }))).structuredContent,
      );
      await admin(
        t,
        `CREATE OR REPLACE VIEW ${db}.gate_late AS SELECT secret FROM ${otherDb}.secrets`,
      );
      for (const stream of [false, true]) {
        const late = await t.raw(
          "mysql_query",
          on(t, { query: "SELECT * FROM gate_late", stream }),
        );
        assert.equal(late.isError, true);
        assert.match(textOf(late), /withheld/);
        assert.ok(!textOf(late).includes("do-not-read"));
      }
      // A view created after the cache was filled is noticed (the table list knows it) and the
      // definitions are read again: refused outright.
      await admin(
        t,
        `CREATE OR REPLACE VIEW ${db}.gate_new AS SELECT secret FROM ${otherDb}.secrets`,
      );
      const fresh = await t.raw(
        "mysql_query",
        on(t, { query: "SELECT CONCAT(secret) FROM gate_new" }),
      );
      assert.equal(fresh.isError, true);
      assert.ok(textOf(fresh).includes(`reads database \\"${otherDb}\\"`), textOf(fresh));
      // A view over the allowed database itself is fine.
      await admin(t, `CREATE OR REPLACE VIEW ${db}.gate_names AS SELECT name FROM ${db}.customers`);
      const ok = await t.call("mysql_query", on(t, { query: "SELECT * FROM gate_names" }));
      assert.equal(ok.row_count, 3);
    } finally {
      await admin(
        t,
        `DROP VIEW IF EXISTS ${db}.gate_peek, ${db}.gate_late, ${db}.gate_new, ${db}.gate_names`,
      );
      await t.close();
    }
  },
});

Deno.test({
  name: "a MERGE table over a hidden database is refused, also behind a view, for reads and writes",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    const { db, otherDb } = t.db;
    try {
      await admin(
        t,
        `CREATE TABLE ${otherDb}.gate_mi (secret VARCHAR(50)) ENGINE=MyISAM;` +
          `INSERT INTO ${otherDb}.gate_mi VALUES ('do-not-read');` +
          `CREATE TABLE ${db}.gate_mrg (secret VARCHAR(50)) ENGINE=MERGE UNION=(${otherDb}.gate_mi);` +
          `CREATE VIEW ${db}.gate_vm AS SELECT secret FROM ${db}.gate_mrg`,
      );
      const attempts: [string, Record<string, unknown>][] = [
        ["mysql_query", { query: "SELECT * FROM gate_mrg" }],
        ["mysql_query", { query: "SELECT CONCAT(secret) FROM gate_vm" }],
        ["mysql_execute", { statement: "INSERT INTO gate_vm VALUES ('written')" }],
        ["mysql_execute", { statement: "DELETE FROM gate_vm" }],
      ];
      await assertRefused(t, attempts, "MRG_MYISAM engine reads other tables");
      const [{ n }] = await admin(t, `SELECT COUNT(*) AS n FROM ${otherDb}.gate_mi`);
      assert.equal(Number(n), 1);
    } finally {
      await admin(
        t,
        `DROP VIEW IF EXISTS ${db}.gate_vm; DROP TABLE IF EXISTS ${db}.gate_mrg;` +
          `DROP TABLE IF EXISTS ${otherDb}.gate_mi`,
      );
      await t.close();
    }
  },
});

Deno.test({
  name: "SHOW VARIABLES returns settings but never a path; @@datadir is refused",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const [{ dir }] = await admin(t, "SELECT @@datadir AS dir");
      for (const query of ["SHOW GLOBAL VARIABLES LIKE '%dir%'", "SHOW VARIABLES"]) {
        const result = await t.raw("mysql_query", on(t, { query }));
        assert.equal(result.isError, undefined, textOf(result));
        assert.ok(!textOf(result).includes(dir), query);
        for (const [, value] of (result.structuredContent as any).rows) {
          assert.ok(!String(value).startsWith("/"), `${query}: ${value}`);
        }
      }
      const version = await t.call(
        "mysql_query",
        on(t, { query: "SHOW VARIABLES LIKE 'version'" }),
      );
      assert.equal(version.row_count, 1);
      const refused = await t.fail("mysql_query", on(t, { query: "SELECT @@datadir" }));
      assert.equal(refused.error_code, "STATEMENT_NOT_ALLOWED");
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "LAST_INSERT_ID(n) is not seen by the next caller of the connection",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp(ONE_CONNECTION);
    try {
      const set = await t.call("mysql_query", on(t, { query: "SELECT LAST_INSERT_ID(4242) AS v" }));
      assert.equal(String(set.rows[0][0]), "4242");
      for (let i = 0; i < 3; i++) {
        const next = await t.call("mysql_query", on(t, { query: "SELECT LAST_INSERT_ID() AS v" }));
        assert.notEqual(String(next.rows[0][0]), "4242");
      }
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "stored functions are refused, and when allowed their locks do not outlive the call",
  ...DB_TEST,
  async fn() {
    const setup = await startTestApp();
    const { db } = setup.db;
    await admin(setup, `DROP FUNCTION IF EXISTS ${db}.gate_lock`);
    await admin(setup, `DROP FUNCTION IF EXISTS ${db}.gate_global`);
    await admin(
      setup,
      `CREATE FUNCTION ${db}.gate_lock() RETURNS INT NOT DETERMINISTIC RETURN GET_LOCK('gate_lock_${db}', 0)`,
    );
    await admin(
      setup,
      `CREATE FUNCTION ${db}.gate_global() RETURNS INT NOT DETERMINISTIC BEGIN SET GLOBAL max_connections = 777; RETURN 1; END`,
    );
    const [{ was }] = await admin(setup, "SELECT @@global.max_connections AS was");
    try {
      for (
        const query of ["SELECT gate_global()", `SELECT ${db}.gate_global()`, "SELECT gate_lock()"]
      ) {
        const refused = await setup.fail("mysql_query", on(setup, { query }));
        assert.equal(refused.error_code, "STATEMENT_NOT_ALLOWED", query);
        assert.match(refused.message, /allow_stored_functions/);
      }
      const [{ now }] = await admin(setup, "SELECT @@global.max_connections AS now");
      assert.equal(String(now), String(was));

      const t = await startTestApp({
        ...ONE_CONNECTION,
        source: { allow_stored_functions: "true" },
      });
      try {
        const taken = await t.call("mysql_query", on(t, { query: "SELECT gate_lock() AS got" }));
        assert.equal(String(taken.rows[0][0]), "1");
        await eventually(async () => {
          const [{ holder }] = await admin(t, `SELECT IS_USED_LOCK('gate_lock_${db}') AS holder`);
          return holder === null;
        }, "the lock taken by the stored function is released by the connection reset");
      } finally {
        await t.close();
      }
    } finally {
      await admin(setup, `SET GLOBAL max_connections = ${was}`);
      await admin(setup, `DROP FUNCTION IF EXISTS ${db}.gate_lock`);
      await admin(setup, `DROP FUNCTION IF EXISTS ${db}.gate_global`);
      await setup.close();
    }
  },
});

Deno.test({
  name: "INSERT and DELETE ... RETURNING report the rows they changed",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    const { db } = t.db;
    try {
      const inserted = await t.call(
        "mysql_execute",
        on(t, {
          statement:
            "INSERT INTO numbers (n, label) VALUES (90001, 'r1'), (90002, 'r2'), (90003, 'r3') RETURNING n",
        }),
      );
      assert.equal(inserted.affected_rows, 3);
      const deleted = await t.call(
        "mysql_execute",
        on(t, { statement: "DELETE FROM numbers WHERE n > 90000 RETURNING n, label" }),
      );
      assert.equal(deleted.affected_rows, 3);
      const [{ remaining }] = await admin(
        t,
        `SELECT COUNT(*) AS remaining FROM ${db}.numbers WHERE n > 90000`,
      );
      assert.equal(Number(remaining), 0);
    } finally {
      await admin(t, `DELETE FROM ${db}.numbers WHERE n > 90000`);
      await t.close();
    }
  },
});
