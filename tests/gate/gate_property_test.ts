/**
 * Properties of the SQL gate over FROM clauses built from MySQL's and MariaDB's table-reference
 * grammar: tables (qualified or not, with PARTITION, FOR SYSTEM_TIME, index hints), derived
 * tables, VALUES, JSON_TABLE, LATERAL, parenthesised joins and `{OJ ...}`, every join kind,
 * ON/USING, and aliases (with or without AS) drawn from MariaDB's non-reserved keywords. Run
 * through the real tools on a datasource that logs in as the administrator; every generated
 * statement is also run directly as the administrator, so the generator is known to produce
 * real SQL and the hidden-table statements are known to be real attacks.
 */
import assert from "assert";
import fc from "fast-check";
import { DB_TEST, startTestApp, type TestApp } from "../support/test_app.ts";
import { type TestDatabase, testDatabase } from "../support/test_database.ts";
import { on } from "../tools/_support.ts";
import { KEYWORD_ALIASES } from "./_corpus.ts";
import {
  adminApp,
  createCorpusObjects,
  directConnection,
  dropCorpusObjects,
  jsonOf,
  resetScratch,
  scratchHoldsSecret,
  SECRET,
  StateGuard,
} from "./_gate_harness.ts";

const RUNS = { numRuns: 100 };
const NOT_ALLOWED = "STATEMENT_NOT_ALLOWED";

// ---- The grammar, as data.

const TABLES = ["orders", "customers", "gate_docs", "gate_parts", "gate_versioned"] as const;
type TableName = typeof TABLES[number];
/** Tables an UPDATE or DELETE may target harmlessly (`SET t.id = t.id`, `WHERE 1 = 0`). */
const TARGETS: readonly TableName[] = ["orders", "customers", "gate_docs"];

const PARTITIONS = ["", " PARTITION (p0)", " PARTITION (p1)", " PARTITION (p0, p1)"];
const SYSTEM_TIMES = [
  "",
  " FOR SYSTEM_TIME ALL",
  " FOR SYSTEM_TIME AS OF TIMESTAMP '2030-01-01 00:00:00'",
  " FOR SYSTEM_TIME AS OF NOW()",
  " FOR SYSTEM_TIME BETWEEN TIMESTAMP '2000-01-01 00:00:00' AND TIMESTAMP '2100-01-01 00:00:00'",
  " FOR SYSTEM_TIME FROM '2000-01-01' TO '2100-01-01'",
];
/** Index hints by family: USE and FORCE may not be mixed on one table; IGNORE goes with both. */
const HINTS = {
  USE: [
    "USE INDEX ()",
    "USE INDEX (PRIMARY)",
    "USE KEY FOR JOIN (PRIMARY)",
    "USE INDEX FOR ORDER BY (PRIMARY)",
    "USE KEY FOR GROUP BY (PRIMARY)",
  ],
  FORCE: [
    "FORCE INDEX (PRIMARY)",
    "FORCE KEY FOR JOIN (PRIMARY)",
    "FORCE INDEX FOR GROUP BY (PRIMARY)",
  ],
  IGNORE: [
    "IGNORE INDEX (PRIMARY)",
    "IGNORE KEY FOR ORDER BY (PRIMARY)",
    "IGNORE INDEX FOR JOIN (PRIMARY)",
  ],
};
/** Derived tables: each has an `id` column that matches id 1 of every table. */
const DERIVED = [
  "SELECT id FROM orders",
  "SELECT id, status FROM orders WHERE id >= 1",
  "SELECT 1 AS id UNION ALL SELECT 2",
  "SELECT id FROM customers ORDER BY id LIMIT 2",
  "WITH c AS (SELECT id FROM orders) SELECT id FROM c",
  "(SELECT id FROM gate_docs) UNION (SELECT id FROM gate_parts)",
];
/** Table value constructors (their columns are named `1`, `2`: no `id`). */
const VALUES_ROWS = ["VALUES (1, 'a'), (2, 'b')", "VALUES (3)"];
const JSON_TABLES = [
  "JSON_TABLE('[1, 2]', '$[*]' COLUMNS (id INT PATH '$'))",
  `JSON_TABLE('[{"id": 1, "t": [5, 6]}]', '$[*]' COLUMNS (id INT PATH '$.id', NESTED PATH '$.t[*]' COLUMNS (t INT PATH '$')))`,
  `JSON_TABLE('["a"]', '$[*]' COLUMNS (id FOR ORDINALITY, v VARCHAR(5) PATH '$' DEFAULT 'x' ON EMPTY))`,
];
/** MySQL 8 only (MariaDB 10.11 reads LATERAL as an alias): never run by the sanity checks. */
const LATERALS = ["LATERAL (SELECT 1 AS id)", "LATERAL (SELECT id FROM orders LIMIT 1)"];
const JOIN_OPS = [
  "JOIN",
  "INNER JOIN",
  "CROSS JOIN",
  "STRAIGHT_JOIN",
  "LEFT JOIN",
  "LEFT OUTER JOIN",
  "RIGHT JOIN",
  "RIGHT OUTER JOIN",
  "NATURAL JOIN",
  "NATURAL LEFT JOIN",
  "NATURAL RIGHT OUTER JOIN",
];
const CONDITIONS = ["", " ON 1 = 1", " ON TRUE", " USING (id)"];
const OJ_IDENTS = ["OJ", "oj", "x", "fn"];
/**
 * Aliases that cannot name a DELETE target: `DELETE quick FROM ...` reads the DELETE modifier
 * QUICK, `DELETE history FROM ...` MariaDB's DELETE HISTORY.
 */
const NOT_DELETE_TARGETS = new Set(["quick", "history"]);
/** Ways to write `db.table`; `{db}` and `{t}` are filled in. */
const QUALIFIERS = [
  "{t}",
  "{db}.{t}",
  "`{db}`.`{t}`",
  "{db} . {t}",
  "{db}/* c */.{t}",
  "`{db}`.{t}",
];

interface AliasChoice {
  style: "none" | "bare" | "as";
  word: number;
  upper: boolean;
}

type Leaf =
  | {
    kind: "table";
    table: TableName;
    qualifier: number;
    partition: number;
    time: number;
    alias: AliasChoice;
    hints: string[];
  }
  | { kind: "derived" | "values" | "json" | "lateral"; body: number; alias: AliasChoice };

type Factor = Leaf | { kind: "paren"; from: Item[] };

interface Join {
  op: number;
  condition: number;
  factor: Factor;
}

interface Chain {
  first: Factor;
  rest: Join[];
}

/**
 * One element of a comma-separated table list. MariaDB takes `{OJ ...}` (any `{ident ...}`)
 * only here, at the top level of FROM: not as a join operand, not inside parentheses.
 */
interface Item {
  oj: number | null;
  chain: Chain;
}

/** The hidden table, as a table factor of its own kind. */
interface Hidden {
  shape: "table" | "derived" | "oj" | "json";
  qualifier: number;
  alias: AliasChoice;
  hints: string[];
}

// ---- Arbitraries.

const aliasArb: fc.Arbitrary<AliasChoice> = fc.record({
  style: fc.constantFrom("none", "bare", "bare", "as"),
  word: fc.nat(),
  upper: fc.boolean(),
});

const hintsArb: fc.Arbitrary<string[]> = fc.tuple(
  fc.constantFrom("USE", "FORCE") as fc.Arbitrary<"USE" | "FORCE">,
  fc.array(fc.nat(), { maxLength: 2 }),
).map(([family, picks]) => {
  const pool = [...HINTS[family], ...HINTS.IGNORE];
  return picks.map((n) => pool[n % pool.length]);
});

const tableLeaf: fc.Arbitrary<Leaf> = fc.record({
  kind: fc.constant("table" as const),
  table: fc.constantFrom(...TABLES),
  qualifier: fc.nat(QUALIFIERS.length - 1),
  partition: fc.nat(PARTITIONS.length - 1),
  time: fc.nat(SYSTEM_TIMES.length - 1),
  alias: aliasArb,
  hints: fc.oneof(fc.constant<string[]>([]), hintsArb),
});

function bodyLeaf(kind: "derived" | "values" | "json" | "lateral", count: number) {
  return fc.record({ kind: fc.constant(kind), body: fc.nat(count - 1), alias: aliasArb });
}

function factorArb(depth: number, lateral: boolean): fc.Arbitrary<Factor> {
  const leaves: fc.WeightedArbitrary<Factor>[] = [
    { arbitrary: tableLeaf, weight: 6 },
    { arbitrary: bodyLeaf("derived", DERIVED.length), weight: 1 },
    { arbitrary: bodyLeaf("values", VALUES_ROWS.length), weight: 1 },
    { arbitrary: bodyLeaf("json", JSON_TABLES.length), weight: 1 },
  ];
  if (lateral) leaves.push({ arbitrary: bodyLeaf("lateral", LATERALS.length), weight: 1 });
  if (depth <= 0) return fc.oneof(...leaves);
  return fc.oneof(
    ...leaves,
    {
      arbitrary: fromArb(depth - 1, lateral, false).map((from) => ({
        kind: "paren" as const,
        from,
      })),
      weight: 2,
    },
  );
}

function chainArb(depth: number, lateral: boolean): fc.Arbitrary<Chain> {
  return fc.record({
    first: factorArb(depth, lateral),
    rest: fc.array(
      fc.record({
        op: fc.nat(JOIN_OPS.length - 1),
        condition: fc.nat(CONDITIONS.length - 1),
        factor: factorArb(depth, lateral),
      }),
      { maxLength: 2 },
    ),
  });
}

function fromArb(depth: number, lateral: boolean, top = true): fc.Arbitrary<Item[]> {
  const oj = top
    ? fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, fc.nat(OJ_IDENTS.length - 1))
    : fc.constant(null);
  return fc.array(fc.record({ oj, chain: chainArb(depth, lateral) }), {
    minLength: 1,
    maxLength: 2,
  });
}

const hiddenArb = (shapes: Hidden["shape"][]): fc.Arbitrary<Hidden> =>
  fc.record({
    shape: fc.constantFrom(...shapes),
    qualifier: fc.nat(QUALIFIERS.length - 2).map((n) => n + 1),
    alias: aliasArb,
    hints: fc.oneof(fc.constant<string[]>([]), hintsArb),
  });

// ---- Rendering.

function isLeaf(factor: Factor): factor is Leaf {
  return factor.kind !== "paren";
}

function leafCount(from: Item[]): number {
  const ofFactor = (f: Factor): number => isLeaf(f) ? 1 : leafCount(f.from);
  const ofChain = (c: Chain): number =>
    ofFactor(c.first) + c.rest.reduce((n, j) => n + ofFactor(j.factor), 0);
  return from.reduce((n, item) => n + ofChain(item.chain), 0);
}

interface Rendered {
  sql: string;
  /** Alias (or name) of the hidden table; of a harmless UPDATE/DELETE target otherwise. */
  target?: string;
  lateral: boolean;
}

/**
 * Renders a FROM clause; with `hidden`, the `hiddenAt`-th leaf (mod the leaf count) becomes
 * the hidden table. Aliases are unique keywords; a table without alias appears once.
 */
class FromRenderer {
  readonly #used = new Set<string>();
  #leaf = 0;
  #hiddenAt: number;
  target?: string;
  lateral = false;

  constructor(
    private readonly names: { db: string; hidden: string },
    private readonly lower: boolean,
    private readonly hidden: Hidden | undefined,
    hiddenAt: number,
    total: number,
  ) {
    this.#hiddenAt = hiddenAt % total;
  }

  from(from: Item[]): string {
    return from.map((item) =>
      item.oj === null
        ? this.chain(item.chain)
        : `{${OJ_IDENTS[item.oj]} ${this.chain(item.chain)}}`
    ).join(", ");
  }

  private kw(text: string): string {
    return this.lower ? text.toLowerCase() : text;
  }

  private alias(
    choice: AliasChoice,
    required: boolean,
    name?: string,
    target = false,
  ): { text: string; name: string } {
    if (choice.style === "none" && !required && name && !this.#used.has(name.toLowerCase())) {
      this.#used.add(name.toLowerCase());
      return { text: "", name };
    }
    for (let k = 0; k < KEYWORD_ALIASES.length; k++) {
      const word = KEYWORD_ALIASES[(choice.word + k) % KEYWORD_ALIASES.length];
      if (this.#used.has(word) || (target && NOT_DELETE_TARGETS.has(word))) continue;
      this.#used.add(word);
      const written = choice.upper ? word.toUpperCase() : word;
      return {
        text: choice.style === "as" ? ` ${this.kw("AS")} ${written}` : ` ${written}`,
        name: written,
      };
    }
    throw new RangeError("out of keyword aliases");
  }

  private qualified(qualifier: number, db: string, table: string): string {
    return QUALIFIERS[qualifier].replaceAll("{db}", db).replaceAll("{t}", table);
  }

  private hints(hints: string[]): string {
    return hints.map((hint) => ` ${this.kw(hint)}`).join("");
  }

  private hiddenFactor(h: Hidden): string {
    const table = this.qualified(h.qualifier, this.names.hidden, "secrets");
    switch (h.shape) {
      case "table": {
        const alias = this.alias(h.alias, true, undefined, true);
        this.target = alias.name;
        return `${table}${alias.text}${this.hints(h.hints)}`;
      }
      case "derived":
        return `(SELECT id, secret FROM ${table})${this.alias(h.alias, true).text}`;
      case "oj":
        // A join operand cannot be `{OJ ...}`: a one-table paren list holding the escape can't
        // either; MariaDB takes it inside a derived table's FROM.
        return `(SELECT * FROM {OJ ${table}${this.alias(h.alias, true).text}})${
          this.alias(h.alias, true).text
        }`;
      case "json":
        return `JSON_TABLE((SELECT JSON_ARRAYAGG(secret) FROM ${table}), '$[*]' COLUMNS (id TEXT PATH '$'))${
          this.alias(h.alias, true).text
        }`;
    }
  }

  private leaf(leaf: Leaf): string {
    if (this.hidden && this.#leaf++ === this.#hiddenAt) return this.hiddenFactor(this.hidden);
    switch (leaf.kind) {
      case "table": {
        const partition = leaf.table === "gate_parts" ? PARTITIONS[leaf.partition] : "";
        const time = leaf.table === "gate_versioned" ? SYSTEM_TIMES[leaf.time] : "";
        const candidate = !this.hidden && this.target === undefined &&
          TARGETS.includes(leaf.table);
        // A target always gets an alias: MariaDB loses an unaliased DELETE target after a
        // derived table holding a WITH ("Unknown table 'orders' in MULTI DELETE").
        const alias = this.alias(leaf.alias, candidate, leaf.table, candidate);
        if (candidate) this.target = alias.name;
        return `${this.qualified(leaf.qualifier, this.names.db, leaf.table)}${this.kw(partition)}${
          this.kw(time)
        }${alias.text}${this.hints(leaf.hints)}`;
      }
      case "derived":
        return `(${DERIVED[leaf.body]})${this.alias(leaf.alias, true).text}`;
      case "values":
        return `(${VALUES_ROWS[leaf.body]})${this.alias(leaf.alias, true).text}`;
      case "json":
        return `${JSON_TABLES[leaf.body]}${this.alias(leaf.alias, true).text}`;
      case "lateral":
        this.lateral = true;
        return `${LATERALS[leaf.body]}${this.alias(leaf.alias, true).text}`;
    }
  }

  private factor(factor: Factor): string {
    if (isLeaf(factor)) return this.leaf(factor);
    const inner = this.from(factor.from);
    const [only] = factor.from;
    // MariaDB refuses a lone JSON_TABLE in parentheses (with a join or a list it is fine).
    const lone = factor.from.length === 1 && only.chain.rest.length === 0;
    return lone && inner.startsWith("JSON_TABLE(") ? inner : `(${inner})`;
  }

  private chain(chain: Chain): string {
    let sql = this.factor(chain.first);
    for (const [i, join] of chain.rest.entries()) {
      // USING and NATURAL need a single `id` on each side: only between two plain leaves.
      const single = i === 0 && isLeaf(chain.first) && isLeaf(join.factor) &&
        chain.first.kind !== "values" && join.factor.kind !== "values";
      let op = JOIN_OPS[join.op];
      let condition = CONDITIONS[join.condition];
      if (op.startsWith("NATURAL")) {
        if (single) condition = "";
        else op = "INNER JOIN";
      }
      if (!op.startsWith("NATURAL")) {
        if (condition === " USING (id)" && (!single || op === "STRAIGHT_JOIN")) {
          condition = " ON TRUE";
        }
        if (condition === "" && /LEFT|RIGHT/.test(op)) condition = " ON 1 = 1";
      }
      sql += ` ${this.kw(op)} ${this.factor(join.factor)}${this.kw(condition)}`;
    }
    return sql;
  }
}

interface Sample {
  from: Item[];
  hidden: Hidden;
  hiddenAt: number;
  lower: boolean;
}

/** At most this many table factors: MariaDB's join-order search grows exponentially with more. */
const MAX_LEAVES = 7;

function sampleArb(lateral: boolean, shapes: Hidden["shape"][]): fc.Arbitrary<Sample> {
  return fc.record({
    from: fromArb(2, lateral).filter((from) => leafCount(from) <= MAX_LEAVES),
    hidden: hiddenArb(shapes),
    hiddenAt: fc.nat(),
    lower: fc.boolean(),
  });
}

function render(
  sample: Sample,
  names: { db: string; hidden: string },
  withHidden: boolean,
): Rendered {
  const renderer = new FromRenderer(
    names,
    sample.lower,
    withHidden ? sample.hidden : undefined,
    sample.hiddenAt,
    leafCount(sample.from),
  );
  const sql = renderer.from(sample.from);
  return { sql, target: renderer.target, lateral: renderer.lateral };
}

const selectOf = (from: string) => `SELECT * FROM ${from} LIMIT 3`;

// ---- The harness around each property.

interface Context {
  db: TestDatabase;
  app: TestApp;
  guard: StateGuard;
  conn: Awaited<ReturnType<typeof directConnection>>;
  names: { db: string; hidden: string };
}

async function withApp(fn: (ctx: Context) => Promise<void>): Promise<void> {
  const db = await testDatabase();
  await createCorpusObjects(db);
  const app = await startTestApp(adminApp(db));
  const conn = await directConnection(db);
  try {
    const guard = await StateGuard.take(app);
    await fn({ db, app, guard, conn, names: { db: db.db, hidden: db.otherDb } });
  } finally {
    await conn.end();
    await app.close();
    await dropCorpusObjects(db);
  }
}

/** Runs `sql` directly as the administrator, rolled back; returns its rows or throws. */
async function asAdmin(
  ctx: Context,
  sql: string,
): Promise<{ rows: string; hiddenChanged: boolean }> {
  await ctx.conn.query("START TRANSACTION");
  try {
    const [rows] = await ctx.conn.query(sql);
    const [hidden] = await ctx.conn.query(
      `SELECT GROUP_CONCAT(secret ORDER BY id) AS s FROM \`${ctx.names.hidden}\`.secrets`,
    ) as any;
    return { rows: jsonOf(rows), hiddenChanged: hidden[0].s !== SECRET };
  } finally {
    await ctx.conn.query("ROLLBACK");
  }
}

async function callTool(ctx: Context, tool: "mysql_query" | "mysql_execute", sql: string) {
  const args = tool === "mysql_query" ? { query: sql } : { statement: sql };
  const result = await ctx.app.raw(tool, on(ctx.app, args));
  const error = result.isError ? JSON.parse(result.content[0].text) : undefined;
  return { text: JSON.stringify(result), error } as {
    text: string;
    error?: { error_code: string; message: string };
  };
}

/** Fails with what a refused-or-not statement changed, after undoing it. */
async function assertUnchanged(ctx: Context, sql: string): Promise<void> {
  const copied = await scratchHoldsSecret(ctx.db);
  await resetScratch(ctx.db);
  const changes = await ctx.guard.differences();
  if (changes.length > 0) await ctx.guard.restore();
  assert.ok(!copied, `${sql}\ncopied the secret into {D}.gate_scratch`);
  assert.deepEqual(changes, [], sql);
}

// Property: a FROM clause from the grammar (keyword aliases with or without AS, index hints,
// PARTITION, FOR SYSTEM_TIME, derived tables, VALUES, JSON_TABLE, LATERAL, nested joins and
// {OJ ...}) with one table factor replaced by the hidden database's table, at any position,
// is never admitted by mysql_query, and the secret never appears in the response. Run
// directly as the administrator, each one (LATERAL aside) is valid SQL that reads the table.
Deno.test({
  name: "mysql_query never admits a generated FROM clause that reaches the hidden database",
  ...DB_TEST,
  async fn() {
    await withApp(async (ctx) => {
      let shown = 0;
      let direct = 0;
      await fc.assert(
        fc.asyncProperty(
          sampleArb(true, ["table", "table", "table", "derived", "oj", "json"]),
          async (sample) => {
            const { sql: from, lateral } = render(sample, ctx.names, true);
            const sql = selectOf(from);
            if (!lateral) {
              const { rows } = await asAdmin(ctx, sql);
              direct++;
              if (rows.includes(SECRET)) shown++;
            }
            const { text, error } = await callTool(ctx, "mysql_query", sql);
            assert.ok(!text.includes(SECRET), `${sql}\nrevealed the secret`);
            // MariaDB cannot run LATERAL: the gate may pass on the server's syntax error instead.
            const refused = error?.error_code === NOT_ALLOWED ||
              (lateral && error?.error_code === "QUERY_EXECUTION_ERROR" &&
                /syntax/.test(error.message));
            assert.ok(refused, `${sql}\n-> ${text.slice(0, 400)}`);
            await assertUnchanged(ctx, sql);
          },
        ),
        RUNS,
      );
      // The attacks are real: most of them return the secret to the administrator.
      assert.ok(
        shown >= direct * 0.5,
        `only ${shown} of ${direct} generated attacks read the secret`,
      );
    });
  },
});

// Property: the same FROM clauses over the allowed database only are admitted by mysql_query
// (at least 90% of them; the rest may be refused, never mis-run): every admitted one runs
// without error, and every one runs as the administrator (the generator writes valid SQL).
Deno.test({
  name: "mysql_query admits and runs generated FROM clauses over the allowed database",
  ...DB_TEST,
  async fn() {
    await withApp(async (ctx) => {
      let admitted = 0;
      let total = 0;
      const refusals: string[] = [];
      await fc.assert(
        fc.asyncProperty(sampleArb(false, ["table"]), async (sample) => {
          const sql = selectOf(render(sample, ctx.names, false).sql);
          await asAdmin(ctx, sql);
          const { error, text } = await callTool(ctx, "mysql_query", sql);
          total++;
          if (error?.error_code === NOT_ALLOWED) refusals.push(`${sql}\n  -> ${error.message}`);
          else {
            assert.equal(error, undefined, `${sql}\nadmitted, but failed: ${text.slice(0, 400)}`);
            admitted++;
          }
          await assertUnchanged(ctx, sql);
        }),
        RUNS,
      );
      assert.ok(
        admitted >= total * 0.9,
        `only ${admitted} of ${total} admitted; refused:\n${refusals.slice(0, 10).join("\n")}`,
      );
    });
  },
});

/** A multi-table UPDATE or DELETE over the FROM clause, aimed at `target`. */
function writeOf(kind: number, from: string, target: string, hostile: boolean): string {
  switch (kind % 3) {
    case 0:
      return hostile
        ? `UPDATE ${from} SET ${target}.secret = 'pwned'`
        : `UPDATE ${from} SET ${target}.id = ${target}.id`;
    case 1:
      return `DELETE ${target} FROM ${from}${hostile ? "" : " WHERE 1 = 0"}`;
    default:
      return `DELETE FROM ${target} USING ${from}${hostile ? "" : " WHERE 1 = 0"}`;
  }
}

// Property: a multi-table UPDATE or DELETE (both DELETE forms) over a generated table list
// with the hidden table in it, as the target, at any position, is never admitted by
// mysql_execute and changes nothing; run directly as the administrator it is valid SQL.
Deno.test({
  name: "mysql_execute never admits a generated multi-table UPDATE or DELETE of the hidden table",
  ...DB_TEST,
  async fn() {
    await withApp(async (ctx) => {
      await fc.assert(
        fc.asyncProperty(sampleArb(false, ["table"]), fc.nat(), async (sample, kind) => {
          const { sql: from, target } = render(sample, ctx.names, true);
          const sql = writeOf(kind, from, target!, true);
          await asAdmin(ctx, sql);
          const { text, error } = await callTool(ctx, "mysql_execute", sql);
          assert.equal(error?.error_code, NOT_ALLOWED, `${sql}\n-> ${text.slice(0, 400)}`);
          await assertUnchanged(ctx, sql);
        }),
        RUNS,
      );
    });
  },
});

// Property: the same UPDATE and DELETE shapes over the allowed database only (changing
// nothing: `SET t.id = t.id`, `WHERE 1 = 0`) are admitted by mysql_execute (at least 90%)
// and every admitted one runs.
Deno.test({
  name: "mysql_execute admits and runs generated multi-table writes over the allowed database",
  ...DB_TEST,
  async fn() {
    await withApp(async (ctx) => {
      let admitted = 0;
      let total = 0;
      const refusals: string[] = [];
      await fc.assert(
        fc.asyncProperty(
          sampleArb(false, ["table"]).filter((sample) =>
            render(sample, ctx.names, false).target !== undefined
          ),
          fc.nat(),
          async (sample, kind) => {
            const { sql: from, target } = render(sample, ctx.names, false);
            const sql = writeOf(kind, from, target!, false);
            await asAdmin(ctx, sql);
            const { error, text } = await callTool(ctx, "mysql_execute", sql);
            total++;
            if (error?.error_code === NOT_ALLOWED) refusals.push(`${sql}\n  -> ${error.message}`);
            else {
              assert.equal(error, undefined, `${sql}\nadmitted, but failed: ${text.slice(0, 400)}`);
              admitted++;
            }
            await assertUnchanged(ctx, sql);
          },
        ),
        RUNS,
      );
      assert.ok(
        admitted >= total * 0.9,
        `only ${admitted} of ${total} admitted; refused:\n${refusals.slice(0, 10).join("\n")}`,
      );
    });
  },
});
