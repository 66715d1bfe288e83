import assert from "assert";
import fc from "fast-check";
import { DB_TEST, startTestApp } from "../support/test_app.ts";
import { dbState, on } from "./_support.ts";

const RUNS = { numRuns: 100 };

type Op =
  | { kind: "insert"; values: number[] }
  | { kind: "update"; below: number; by: number }
  | { kind: "delete"; atLeast: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("insert" as const),
    values: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 5 }),
  }),
  fc.record({
    kind: fc.constant("update" as const),
    below: fc.integer({ min: 0, max: 110 }),
    by: fc.integer({ min: 1, max: 20 }),
  }),
  fc.record({ kind: fc.constant("delete" as const), atLeast: fc.integer({ min: 0, max: 130 }) }),
);

// Feature: mysql-mcp-multi-datasource, Property 24: For any valid DML statement (INSERT, UPDATE, DELETE), the execute tool should execute it and return the affected row count
Deno.test({
  name: "Property 24: DML runs and reports the affected row count a model predicts",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    const table = `${t.db.db}.p24_rows`;
    await t.db.server.admin(`CREATE TABLE ${table} (id INT PRIMARY KEY, v INT NOT NULL)`);
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 6 }), async (ops) => {
          await t.db.server.admin(`DELETE FROM ${table}`);
          const model = new Map<number, number>();
          let nextId = 1;
          for (const o of ops) {
            let statement: string;
            let params: number[];
            let expected: number;
            if (o.kind === "insert") {
              const ids = o.values.map(() => nextId++);
              statement = `INSERT INTO p24_rows (id, v) VALUES ${
                ids.map(() => "(?, ?)").join(", ")
              }`;
              params = ids.flatMap((id, i) => [id, o.values[i]]);
              ids.forEach((id, i) => model.set(id, o.values[i]));
              expected = ids.length;
            } else if (o.kind === "update") {
              statement = "UPDATE p24_rows SET v = v + ? WHERE v < ?";
              params = [o.by, o.below];
              expected = 0;
              for (const [id, v] of model) {
                if (v < o.below) {
                  model.set(id, v + o.by);
                  expected++;
                }
              }
            } else {
              statement = "DELETE FROM p24_rows WHERE v >= ?";
              params = [o.atLeast];
              expected = 0;
              for (const [id, v] of model) {
                if (v >= o.atLeast) {
                  model.delete(id);
                  expected++;
                }
              }
            }
            const result = await t.call("mysql_execute", on(t, { statement, params }));
            assert.equal(result.affected_rows, expected, statement);
          }
          const rows = await t.db.server.admin(`SELECT id, v FROM ${table} ORDER BY id`);
          assert.deepEqual(
            rows.map((r: { id: number; v: number }) => [r.id, r.v]),
            [...model].sort((a, b) => a[0] - b[0]),
          );
        }),
        RUNS,
      );
    } finally {
      await t.db.server.admin(`DROP TABLE IF EXISTS ${table}`);
      await t.close();
    }
  },
});

// Feature: mysql-mcp-multi-datasource, Property 25: For any INSERT statement that generates an auto-increment ID, the execute tool should return the last inserted ID
Deno.test({
  name: "Property 25: an INSERT that generates AUTO_INCREMENT ids returns the first of them",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    const table = `${t.db.db}.p25_ids`;
    await t.db.server.admin(
      `CREATE TABLE ${table} (id BIGINT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(40), v TEXT)`,
    );
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.option(fc.string({ maxLength: 10, unit: "grapheme" })), {
            minLength: 1,
            maxLength: 5,
          }),
          fc.option(fc.integer({ min: 1, max: 1000 })),
          async (values, jump) => {
            if (jump !== null) {
              // Leave a gap, as deleted rows or other sessions do.
              await t.db.server.admin(
                `INSERT INTO ${table} (id, tag) SELECT COALESCE(MAX(id), 0) + ?, 'gap' FROM ${table}`,
                [jump],
              );
            }
            const tag = crypto.randomUUID();
            const result = await t.call(
              "mysql_execute",
              on(t, {
                statement: `INSERT INTO p25_ids (tag, v) VALUES ${
                  values.map(() => "(?, ?)").join(", ")
                }`,
                params: values.flatMap((v) => [tag, v]),
              }),
            );
            assert.equal(result.affected_rows, values.length);
            const rows = await t.db.server.admin(
              `SELECT id, v FROM ${table} WHERE tag = ? ORDER BY id`,
              [tag],
            );
            assert.equal(rows.length, values.length);
            assert.equal(String(result.last_insert_id), String(rows[0].id));
            assert.deepEqual(rows.map((r: { v: string | null }) => r.v), values);
          },
        ),
        RUNS,
      );
    } finally {
      await t.db.server.admin(`DROP TABLE IF EXISTS ${table}`);
      await t.close();
    }
  },
});

const DDL = fc.record({
  verb: fc.constantFrom("CREATE", "ALTER", "DROP", "TRUNCATE", "RENAME", "GRANT", "REVOKE"),
  object: fc.constantFrom(
    "TABLE",
    "TEMPORARY TABLE",
    "VIEW",
    "INDEX ix ON",
    "DATABASE",
    "SCHEMA",
    "PROCEDURE",
    "FUNCTION",
    "TRIGGER",
    "EVENT",
    "USER",
    "SEQUENCE",
    "OR REPLACE TABLE",
    "",
  ),
  name: fc.constantFrom("customers", "orders", "numbers", "value_types", "evil", "`a;b`"),
  tail: fc.constantFrom(
    "",
    " (id INT)",
    " AS SELECT 1",
    " ADD COLUMN x INT",
    " TO evil2",
    " IF EXISTS",
    "; SELECT 1",
    " /* DROP */",
  ),
  prefix: fc.constantFrom("", " ", "\n", "/* c */ ", "-- c\n", "# c\n", "/*!", "/*!50000 "),
  lower: fc.boolean(),
  tool: fc.constantFrom("mysql_execute", "mysql_query"),
});

// Feature: mysql-mcp-multi-datasource, Property 26: For any DDL statement (CREATE, ALTER, DROP), the execute tool should reject it and return an error
Deno.test({
  name: "Property 26: DDL in any form is refused and changes nothing",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    const before = await dbState(t);
    try {
      await fc.assert(
        fc.asyncProperty(DDL, async (d) => {
          let sql = `${d.prefix}${d.verb} ${d.object} ${d.name}${d.tail}`;
          if (d.prefix.startsWith("/*!")) sql += " */";
          if (d.lower) sql = sql.toLowerCase();
          const args = d.tool === "mysql_query" ? { query: sql } : { statement: sql };
          const error = await t.fail(d.tool, on(t, args));
          assert.equal(error.error_code, "STATEMENT_NOT_ALLOWED", sql);
          assert.equal(await dbState(t), before, `${sql} changed the database`);
        }),
        RUNS,
      );
    } finally {
      await t.close();
    }
  },
});

const FAILING_DML = fc.oneof(
  fc.integer({ min: 1, max: 3 }).map((id) => ({
    sql: "INSERT INTO customers (id, email, name) VALUES (?, ?, 'dup')",
    params: [id, `${crypto.randomUUID()}@x`],
    errno: 1062,
  })),
  fc.constantFrom("ann@example.com", "bob@example.com").map((email) => ({
    sql: "INSERT INTO customers (email, name) VALUES (?, 'dup')",
    params: [email],
    errno: 1062,
  })),
  fc.integer({ min: 4, max: 10_000 }).map((customer) => ({
    sql: "INSERT INTO orders (customer_id, total, created_at) VALUES (?, 1, '2024-01-01')",
    params: [customer],
    errno: 1452,
  })),
  fc.constantFrom("email", "name").map((column) => ({
    sql: `UPDATE customers SET ${column} = ? WHERE id = 1`,
    params: [null],
    errno: 1048,
  })),
  fc.stringMatching(/^[a-z]{1,10}$/).map((column) => ({
    sql: `UPDATE customers SET zz_${column} = 1`,
    params: [],
    errno: 1054,
  })),
  fc.integer({ min: 121, max: 300 }).map((length) => ({
    sql: "UPDATE customers SET email = ? WHERE id = 2",
    params: ["x".repeat(length)],
    errno: 1406,
  })),
  fc.constantFrom(1, 2).map((id) => ({
    sql: "DELETE FROM customers WHERE id = ?",
    params: [id],
    errno: 1451,
  })),
);

// Feature: mysql-mcp-multi-datasource, Property 27: For any failed execute operation, the server should return a descriptive error message
Deno.test({
  name: "Property 27: a failing DML statement is a descriptive error and changes nothing",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    const before = await dbState(t);
    try {
      await fc.assert(
        fc.asyncProperty(FAILING_DML, async ({ sql, params, errno }) => {
          const error = await t.fail("mysql_execute", on(t, { statement: sql, params }));
          assert.equal(error.error_code, "QUERY_EXECUTION_ERROR", sql);
          assert.equal(error.details.mysql_error_code, errno, `${sql}: ${error.message}`);
          assert.ok(error.message.length > 10);
          assert.ok(!JSON.stringify(error).includes(t.db.password));
          assert.equal(await dbState(t), before, `${sql} changed the database`);
        }),
        RUNS,
      );
    } finally {
      await t.close();
    }
  },
});
