import assert from "assert";
import { DB_TEST, startTestApp, type TestApp } from "../support/test_app.ts";
import { KEY, on, startAppWithDownSource } from "./_support.ts";

/** The tool calls that take a datasource key and a database, with valid other arguments. */
function databaseCalls(t: TestApp, database: string): [string, Record<string, unknown>][] {
  const base = { datasource_key: KEY, database };
  return [
    ["mysql_list_tables", base],
    ["mysql_describe_table", { ...base, table: "orders" }],
    ["mysql_query", { ...base, query: "SELECT 1" }],
    ["mysql_query", { ...base, query: "SELECT 1", stream: true }],
    ["mysql_execute", { ...base, statement: `DELETE FROM ${t.db.db}.orders WHERE id = -1` }],
  ];
}

/** An error answer never carries the password, the host:port or a file path. */
function assertSafe(t: TestApp, error: { message: string; details?: unknown }) {
  const text = JSON.stringify(error);
  assert.ok(!text.includes(t.db.password), `password in ${text}`);
  assert.ok(!text.includes(`${t.db.server.host}:${t.db.server.port}`), `host:port in ${text}`);
  assert.ok(!text.includes(String(t.db.server.port)), `port in ${text}`);
  assert.doesNotMatch(text, /(?:\/[\w.@+-]+){2,}/, `file path in ${text}`);
}

Deno.test({
  name: "an unknown datasource key is AUTHENTICATION_ERROR on every tool",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const calls: [string, Record<string, unknown>][] = [
        ["mysql_list_databases", { datasource_key: "nope" }],
        ["mysql_get_connection_stats", { datasource_key: "nope" }],
        ...databaseCalls(t, t.db.db).map(([tool, args]) =>
          [tool, { ...args, datasource_key: "nope" }] as [string, Record<string, unknown>]
        ),
        ["mysql_query", { datasource_key: "TEST", database: t.db.db, query: "SELECT 1" }],
        ["mysql_query", { datasource_key: " test", database: t.db.db, query: "SELECT 1" }],
      ];
      for (const [tool, args] of calls) {
        const error = await t.fail(tool, args);
        assert.equal(error.error_code, "AUTHENTICATION_ERROR", `${tool} ${args.datasource_key}`);
        assertSafe(t, error);
      }
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "a database off the allow-list or missing is DATABASE_NOT_FOUND on every tool",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    const open = await startTestApp({ source: { databases: "[]" } });
    try {
      for (const database of [t.db.otherDb, "no_such_db", "mysql", "information_schema"]) {
        for (const [tool, args] of databaseCalls(t, database)) {
          const error = await t.fail(tool, args);
          assert.equal(error.error_code, "DATABASE_NOT_FOUND", `${tool} ${database}`);
          assert.ok(!JSON.stringify(error).includes("do-not-read"));
        }
      }
      // Without an allow-list, a database that does not exist is still DATABASE_NOT_FOUND.
      for (const [tool, args] of databaseCalls(open, "no_such_db")) {
        const error = await open.fail(tool, args);
        assert.equal(error.error_code, "DATABASE_NOT_FOUND", tool);
        assert.match(error.message, /does not exist/);
      }
    } finally {
      await t.close();
      await open.close();
    }
  },
});

Deno.test({
  name: "a missing table is TABLE_NOT_FOUND from describe, query and execute",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const calls: [string, Record<string, unknown>][] = [
        ["mysql_describe_table", on(t, { table: "no_such_table" })],
        ["mysql_describe_table", on(t, { table: "ORDERS_x" })],
        ["mysql_query", on(t, { query: "SELECT * FROM no_such_table" })],
        ["mysql_execute", on(t, { statement: "DELETE FROM no_such_table" })],
      ];
      for (const [tool, args] of calls) {
        const error = await t.fail(tool, args);
        assert.equal(error.error_code, "TABLE_NOT_FOUND", tool);
        assertSafe(t, error);
      }
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "unknown, mistyped, missing and credential-named arguments are INVALID_ARGUMENT",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const q = on(t, { query: "SELECT 1" });
      const calls: [string, Record<string, unknown>][] = [
        ["mysql_list_datasources", { extra: 1 }],
        ["mysql_list_databases", {}],
        ["mysql_list_databases", { datasource_key: 7 }],
        ["mysql_list_databases", { datasource_key: "" }],
        ["mysql_list_tables", { datasource_key: KEY }],
        ["mysql_list_tables", { database: t.db.db }],
        ["mysql_describe_table", on(t)],
        ["mysql_describe_table", on(t, { table: 5 })],
        ["mysql_describe_table", on(t, { table: "x".repeat(65) })],
        ["mysql_query", on(t)],
        ["mysql_query", { ...q, unknown_field: true }],
        ["mysql_query", { ...q, query: 42 }],
        ["mysql_query", { ...q, query: "" }],
        ["mysql_query", { ...q, query: "   " }],
        ["mysql_query", { ...q, query: "-- only a comment" }],
        ["mysql_query", { ...q, params: "1" }],
        ["mysql_query", { ...q, params: [{ a: 1 }] }],
        ["mysql_query", { ...q, params: [[1]] }],
        ["mysql_query", { ...q, stream: "yes" }],
        ["mysql_query", { ...q, database: ["a"] }],
        ["mysql_query", { ...q, max_rows: 5 }],
        ["mysql_execute", on(t, { query: "DELETE FROM orders WHERE id = -1" })],
        ["mysql_execute", on(t)],
        ["mysql_get_connection_stats", { datasource_key: KEY, verbose: true }],
        ["mysql_stream_next", { stream_id: 1 }],
        ["mysql_no_such_tool", {}],
      ];
      for (const name of ["password", "host", "user", "dsn", "Password", "PORT", "url", "token"]) {
        calls.push(["mysql_query", { ...q, [name]: "x" }]);
        calls.push(["mysql_list_databases", { datasource_key: KEY, [name]: "x" }]);
      }
      for (const [tool, args] of calls) {
        const error = await t.fail(tool, args);
        assert.equal(error.error_code, "INVALID_ARGUMENT", `${tool} ${JSON.stringify(args)}`);
        assertSafe(t, error);
      }
      const credential = await t.fail("mysql_query", { ...q, password: "x" });
      assert.match(credential.message, /password/);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "a params count that does not match the ? placeholders is INVALID_ARGUMENT",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const cases: [string, Record<string, unknown>][] = [
        ["mysql_query", on(t, { query: "SELECT ?", params: [] })],
        ["mysql_query", on(t, { query: "SELECT ?" })],
        ["mysql_query", on(t, { query: "SELECT ?, ?", params: [1] })],
        ["mysql_query", on(t, { query: "SELECT 1", params: [1] })],
        ["mysql_query", on(t, { query: "SELECT '?'", params: [1] })],
        ["mysql_query", on(t, { query: "SELECT 1 /* ? */", params: [1] })],
        ["mysql_execute", on(t, { statement: "DELETE FROM orders WHERE id = ?", params: [] })],
        ["mysql_execute", on(t, { statement: "DELETE FROM orders WHERE id = -1", params: [1] })],
      ];
      for (const [tool, args] of cases) {
        const error = await t.fail(tool, args);
        assert.equal(error.error_code, "INVALID_ARGUMENT", JSON.stringify(args));
      }
      const quoted = await t.call("mysql_query", on(t, { query: "SELECT '?', ?", params: [1] }));
      assert.deepEqual(quoted.rows, [["?", 1]]);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "a statement of the wrong class is STATEMENT_NOT_ALLOWED",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const cases: [string, Record<string, unknown>][] = [
        ["mysql_query", on(t, { query: "DELETE FROM orders WHERE id = -1" })],
        ["mysql_query", on(t, { query: "SELEC 1" })],
        ["mysql_execute", on(t, { statement: "SELECT * FROM orders" })],
        ["mysql_execute", on(t, { statement: "SHOW TABLES" })],
        ["mysql_execute", on(t, { statement: "CREATE TABLE x (id INT)" })],
      ];
      for (const [tool, args] of cases) {
        const error = await t.fail(tool, args);
        assert.equal(error.error_code, "STATEMENT_NOT_ALLOWED", JSON.stringify(args));
      }
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name:
    "a failing statement is QUERY_EXECUTION_ERROR with the MySQL error number and nothing secret",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const syntax = await t.fail("mysql_query", on(t, { query: "SELECT * FROM orders WHERE" }));
      assert.equal(syntax.error_code, "QUERY_EXECUTION_ERROR");
      assert.equal(syntax.details.mysql_error_code, 1064);
      assert.match(syntax.message, /syntax/i);
      assertSafe(t, syntax);

      const column = await t.fail("mysql_query", on(t, { query: "SELECT nope FROM orders" }));
      assert.equal(column.error_code, "QUERY_EXECUTION_ERROR");
      assert.equal(column.details.mysql_error_code, 1054);

      const duplicate = await t.fail(
        "mysql_execute",
        on(t, { statement: "INSERT INTO customers (id, email, name) VALUES (1, 'dup@x', 'Dup')" }),
      );
      assert.equal(duplicate.error_code, "QUERY_EXECUTION_ERROR");
      assert.equal(duplicate.details.mysql_error_code, 1062);
      assertSafe(t, duplicate);

      const fk = await t.fail(
        "mysql_execute",
        on(t, {
          statement:
            "INSERT INTO orders (customer_id, total, created_at) VALUES (999, 1, '2024-01-01')",
        }),
      );
      assert.equal(fk.error_code, "QUERY_EXECUTION_ERROR");
      assert.equal(fk.details.mysql_error_code, 1452);

      const notNull = await t.fail(
        "mysql_execute",
        on(t, { statement: "INSERT INTO customers (email, name) VALUES (NULL, 'x')" }),
      );
      assert.equal(notNull.error_code, "QUERY_EXECUTION_ERROR");
      assert.equal(notNull.details.mysql_error_code, 1048);
      // The connection of a failed statement serves the next one.
      const ok = await t.call("mysql_query", on(t, { query: "SELECT COUNT(*) FROM customers" }));
      assert.equal(Number(ok.rows[0][0]), 3);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "a datasource nobody listens for is CONNECTION_FAILED and listed as unavailable",
  ...DB_TEST,
  async fn() {
    const t = await startAppWithDownSource();
    try {
      const calls: [string, Record<string, unknown>][] = [
        ["mysql_list_databases", { datasource_key: "down" }],
        ["mysql_list_tables", { datasource_key: "down", database: "shop" }],
        ["mysql_query", { datasource_key: "down", database: "shop", query: "SELECT 1" }],
        ["mysql_execute", { datasource_key: "down", database: "shop", statement: "DELETE FROM x" }],
      ];
      for (const [tool, args] of calls) {
        const error = await t.fail(tool, args);
        assert.equal(error.error_code, "CONNECTION_FAILED", tool);
        const text = JSON.stringify(error);
        assert.ok(!text.includes("down-source-password"), text);
        assert.ok(!text.includes("127.0.0.1"), text);
        assert.ok(!text.includes("nobody"), text);
      }
      const { datasources } = await t.call("mysql_list_datasources");
      assert.deepEqual(datasources.map((d: { key: string; status: string }) => [d.key, d.status]), [
        [KEY, "available"],
        ["down", "unavailable"],
      ]);
      // The healthy source is unaffected.
      const q = await t.call("mysql_query", on(t, { query: "SELECT 1" }));
      assert.deepEqual(q.rows, [[1]]);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "streams beyond what the pool allows are POOL_EXHAUSTED",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp({ pool: { max_connections: "1" } });
    try {
      const error = await t.fail(
        "mysql_query",
        on(t, { query: "SELECT n FROM numbers", stream: true }),
      );
      assert.equal(error.error_code, "POOL_EXHAUSTED");
      const q = await t.call("mysql_query", on(t, { query: "SELECT 1" }));
      assert.deepEqual(q.rows, [[1]]);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "a query waiting longer than acquire_timeout for a connection is POOL_EXHAUSTED",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp({
      pool: { max_connections: "1", acquire_timeout: '"300ms"' },
    });
    try {
      const slow = t.call("mysql_query", on(t, { query: "SELECT SLEEP(1.5)" }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const error = await t.fail("mysql_query", on(t, { query: "SELECT 1" }));
      assert.equal(error.error_code, "POOL_EXHAUSTED");
      assert.deepEqual((await slow).rows, [[0]]);
    } finally {
      await t.close();
    }
  },
});
