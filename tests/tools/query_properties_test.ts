import assert from "assert";
import fc from "fast-check";
import { DB_TEST, startTestApp, type TestApp } from "../support/test_app.ts";
import { KEY, on } from "./_support.ts";

const RUNS = { numRuns: 100 };

/** Tools that take a datasource key and a database, with otherwise valid arguments. */
function keyedCall(t: TestApp, tool: string): Record<string, unknown> {
  switch (tool) {
    case "mysql_list_tables":
      return on(t);
    case "mysql_describe_table":
      return on(t, { table: "orders" });
    case "mysql_query":
      return on(t, { query: "SELECT 1" });
    default:
      return on(t, { statement: "DELETE FROM orders WHERE id = -1" });
  }
}
const KEYED_TOOLS = ["mysql_list_tables", "mysql_describe_table", "mysql_query", "mysql_execute"];

// Feature: mysql-mcp-multi-datasource, Property 4: For any query request, if either the data source key or database name is missing, the request should be rejected
Deno.test({
  name: "Property 4: a request without datasource key or database is rejected",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...KEYED_TOOLS),
          fc.constantFrom("datasource_key", "database", "both"),
          fc.constantFrom("absent", "empty", "null", "number"),
          async (tool, field, how) => {
            const args = keyedCall(t, tool);
            for (const name of field === "both" ? ["datasource_key", "database"] : [field]) {
              if (how === "absent") delete args[name];
              else args[name] = how === "empty" ? "" : how === "null" ? null : 7;
            }
            const error = await t.fail(tool, args);
            assert.equal(error.error_code, "INVALID_ARGUMENT");
            assert.match(error.message, field === "both" ? /datasource_key|database/ : /\w/);
          },
        ),
        RUNS,
      );
    } finally {
      await t.close();
    }
  },
});

// Feature: mysql-mcp-multi-datasource, Property 5: For any query with a non-existent database name, the server should return an error indicating the database does not exist
Deno.test({
  name: "Property 5: a database that does not exist is DATABASE_NOT_FOUND",
  ...DB_TEST,
  async fn() {
    // No allow-list: the server itself must find out that the database is missing.
    const t = await startTestApp({ source: { databases: "[]" } });
    const existing = new Set(
      (await t.db.server.admin("SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA"))
        .map((r: { s: string }) => r.s),
    );
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.stringMatching(/^[a-z_][a-z0-9_$]{0,63}$/),
            fc.string({ minLength: 1, maxLength: 64, unit: "binary" }),
          ).filter((name) => !existing.has(name)),
          fc.constantFrom(...KEYED_TOOLS),
          async (database, tool) => {
            const error = await t.fail(tool, { ...keyedCall(t, tool), database });
            assert.equal(error.error_code, "DATABASE_NOT_FOUND", `${tool} ${database}`);
            assert.match(error.message, /does not exist|not available/);
          },
        ),
        RUNS,
      );
    } finally {
      await t.close();
    }
  },
});

// Feature: mysql-mcp-multi-datasource, Property 7: For any valid query with correct data source key and database name, the query should execute and return results or an error
Deno.test({
  name: "Property 7: a valid query returns exactly the rows the database holds",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: -10, max: 5100 }),
          fc.integer({ min: 0, max: 300 }),
          fc.integer({ min: 0, max: 50 }),
          fc.boolean(),
          async (from, span, limit, descending) => {
            const q = await t.call(
              "mysql_query",
              on(t, {
                query: `SELECT n, label FROM numbers WHERE n BETWEEN ? AND ? ORDER BY n ${
                  descending ? "DESC" : "ASC"
                } LIMIT ${limit}`,
                params: [from, from + span],
              }),
            );
            const expected: [number, string][] = [];
            for (let n = Math.max(from, 1); n <= Math.min(from + span, 5000); n++) {
              expected.push([n, `n${n}`]);
            }
            if (descending) expected.reverse();
            assert.deepEqual(q.rows, expected.slice(0, limit));
          },
        ),
        RUNS,
      );
    } finally {
      await t.close();
    }
  },
});

const TABLE_COLUMNS: Record<string, string[]> = {
  customers: ["id", "email", "name", "created_at"],
  orders: ["id", "customer_id", "status", "total", "created_at"],
  value_types: ["id", "big", "ubig", "dec_value", "d", "dt", "doc", "bin", "txt", "bits"],
  numbers: ["n", "label"],
};

// Feature: mysql-mcp-multi-datasource, Property 8: For any successful query, the result should contain columns metadata and rows in a structured format
Deno.test({
  name: "Property 8: every successful result has columns metadata matching its rows",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp({ source: { max_rows: "50" } });
    try {
      const query = fc.constantFrom(...Object.keys(TABLE_COLUMNS)).chain((table) =>
        fc.record({
          table: fc.constant(table),
          columns: fc.subarray(TABLE_COLUMNS[table], { minLength: 1 }),
          limit: fc.option(fc.integer({ min: 0, max: 80 })),
        })
      );
      await fc.assert(
        fc.asyncProperty(query, async ({ table, columns, limit }) => {
          const result = await t.raw(
            "mysql_query",
            on(t, {
              query: `SELECT ${columns.join(", ")} FROM ${table}${
                limit === null ? "" : ` LIMIT ${limit}`
              }`,
            }),
          );
          assert.notEqual(result.isError, true);
          const q = result.structuredContent;
          assert.deepEqual(q.columns.map((c: { name: string }) => c.name), columns);
          for (const column of q.columns) {
            assert.equal(typeof column.data_type, "string");
            assert.ok(column.data_type.length > 0);
            assert.equal(typeof column.nullable, "boolean");
          }
          assert.ok(Array.isArray(q.rows));
          for (const row of q.rows) assert.equal(row.length, columns.length);
          assert.equal(q.row_count, q.rows.length);
          assert.ok(q.rows.length <= 50);
          assert.equal(q.truncated, q.warnings !== undefined);
          if (limit !== null && limit <= 50) assert.equal(q.truncated, false);
          assert.equal(typeof q.execution_time_ms, "number");
          assert.equal(result.content[0].type, "text");
        }),
        RUNS,
      );
    } finally {
      await t.close();
    }
  },
});

// Feature: mysql-mcp-multi-datasource, Property 9: For any invalid SQL query, the server should return an error message with failure details
Deno.test({
  name: "Property 9: invalid SQL is an error with the MySQL error number and message",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const invalid = fc.oneof(
        fc.tuple(
          fc.subarray(["n", "label"], { minLength: 1 }),
          fc.constantFrom("WHERE", "ORDER BY", "GROUP", "LIMIT", "WHERE n = (", "AND", ",", "+"),
        ).map(([cols, junk]) => ({ sql: `SELECT ${cols.join(", ")} FROM numbers ${junk}` })),
        fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/).map((name) => ({
          sql: `SELECT zz_${name} FROM numbers`,
          errno: 1054,
        })),
        fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/).map((name) => ({
          // An unknown function is refused by the gate (it would be a stored function); a
          // built-in called with the wrong arguments is the server's error.
          sql: `SELECT CONCAT_WS('${name}')`,
          errno: 1582,
        })),
        fc.integer({ min: 1, max: 20 }).map((n) => ({
          sql: `SELECT n FROM numbers UNION SELECT ${Array(n + 2).fill("1").join(", ")}`,
          errno: 1222,
        })),
      );
      await fc.assert(
        fc.asyncProperty(invalid, async ({ sql, errno }: { sql: string; errno?: number }) => {
          const error = await t.fail("mysql_query", on(t, { query: sql }));
          assert.equal(error.error_code, "QUERY_EXECUTION_ERROR", sql);
          assert.ok(error.message.length > 10, sql);
          assert.equal(typeof error.details.mysql_error_code, "number");
          if (errno) assert.equal(error.details.mysql_error_code, errno, sql);
          assert.ok(!JSON.stringify(error).includes(t.db.password));
        }),
        RUNS,
      );
    } finally {
      await t.close();
    }
  },
});

// Feature: mysql-mcp-multi-datasource, Property 10: For any query containing multiple SQL statements separated by semicolons, only the first statement should be executed
Deno.test({
  name: "Property 10: of several statements separated by semicolons only the first runs",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    const table = `${t.db.db}.p10_log`;
    await t.db.server.admin(
      `CREATE TABLE ${table} (id INT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(40))`,
    );
    try {
      const separator = fc.constantFrom(";", " ; ", ";\n", "; -- c\n", "; /* ; */ ", ";;");
      const follower = fc.constantFrom(
        "INSERT INTO p10_log (tag) VALUES ('{T}')",
        "DELETE FROM p10_log",
        "UPDATE p10_log SET tag = 'changed'",
        "DROP TABLE p10_log",
        "SELECT 1",
        "INSERT INTO p10_log (tag) VALUES ('a;b')",
      );
      await fc.assert(
        fc.asyncProperty(
          fc.uuid(),
          fc.array(fc.tuple(separator, follower), { minLength: 1, maxLength: 5 }),
          fc.boolean(),
          async (uuid, rest, viaQuery) => {
            const tag = uuid.slice(0, 36);
            const before = await t.db.server.admin(`SELECT id, tag FROM ${table} ORDER BY id`);
            const first = viaQuery
              ? `SELECT '${tag}' AS tag`
              : `INSERT INTO p10_log (tag) VALUES ('${tag}')`;
            const sql = first +
              rest.map(([sep, next]) => sep + next.replace("{T}", `${tag}-x`)).join("");
            const result = await t.call(
              viaQuery ? "mysql_query" : "mysql_execute",
              on(t, viaQuery ? { query: sql } : { statement: sql }),
            );
            assert.ok(result.warnings?.some((w: string) => /Only the first statement/.test(w)));
            const after = await t.db.server.admin(`SELECT id, tag FROM ${table} ORDER BY id`);
            if (viaQuery) {
              assert.deepEqual(result.rows, [[tag]]);
              assert.deepEqual(after, before);
            } else {
              assert.equal(result.affected_rows, 1);
              assert.equal(after.length, before.length + 1);
              assert.deepEqual(after.slice(0, before.length), before);
              assert.equal(after[after.length - 1].tag, tag);
            }
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

// Feature: mysql-mcp-multi-datasource, Property 16: For any invalid data source key, operations should return an authentication error
Deno.test({
  name: "Property 16: an unknown datasource key is AUTHENTICATION_ERROR on every tool",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ minLength: 1, maxLength: 128, unit: "grapheme" }).filter((k) => k !== KEY),
          fc.constantFrom(...KEYED_TOOLS, "mysql_list_databases", "mysql_get_connection_stats"),
          async (key, tool) => {
            const args = KEYED_TOOLS.includes(tool)
              ? { ...keyedCall(t, tool), datasource_key: key }
              : { datasource_key: key };
            const error = await t.fail(tool, args);
            assert.equal(error.error_code, "AUTHENTICATION_ERROR", `${tool} ${key}`);
            assert.ok(!JSON.stringify(error).includes(t.db.password));
          },
        ),
        RUNS,
      );
    } finally {
      await t.close();
    }
  },
});

// Feature: mysql-mcp-multi-datasource, Property 28: For any data source, the connection stats should include active, idle, total connection counts, and queued request count
Deno.test({
  name: "Property 28: connection stats always hold active + idle = total, also under load",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp({ pool: { max_connections: "3", acquire_timeout: '"5s"' } });
    const check = (pools: Record<string, any>[]) => {
      assert.ok(pools.length >= 1);
      for (const pool of pools) {
        assert.equal(pool.datasource_key, KEY);
        for (
          const field of [
            "active_connections",
            "idle_connections",
            "total_connections",
            "queued_requests",
          ]
        ) {
          assert.ok(Number.isInteger(pool[field]) && pool[field] >= 0, field);
        }
        assert.equal(pool.active_connections + pool.idle_connections, pool.total_connections);
        assert.ok(pool.total_connections <= 3);
      }
    };
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.constantFrom("SELECT 1", "SELECT SLEEP(0.01)", "SELECT COUNT(*) FROM numbers"),
            {
              maxLength: 6,
            },
          ),
          fc.option(fc.constant(KEY)),
          async (queries, key) => {
            const args = key === null ? {} : { datasource_key: key };
            const running = queries.map((query) => t.call("mysql_query", on(t, { query })));
            // Taken while the queries run, and again once they are done.
            check((await t.call("mysql_get_connection_stats", args)).pools);
            await Promise.all(running);
            const { pools } = await t.call("mysql_get_connection_stats", args);
            check(pools);
            const dbPool = pools.find((p: { database: string }) => p.database === t.db.db);
            if (queries.length) assert.equal(dbPool.active_connections, 0);
          },
        ),
        RUNS,
      );
    } finally {
      await t.close();
    }
  },
});
