import assert from "assert";
import { DB_TEST, START_MODE, startTestApp } from "../support/test_app.ts";
import { KEY, on, textOf } from "./_support.ts";

Deno.test({
  name: "tools/list offers every built-in tool with strict input and an output schema",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const { tools } = await t.client.listTools();
      const names = tools.map((tool: { name: string }) => tool.name);
      assert.deepEqual(names, [
        "mysql_list_datasources",
        "mysql_list_databases",
        "mysql_list_tables",
        "mysql_describe_table",
        "mysql_query",
        "mysql_stream_next",
        "mysql_stream_cancel",
        "mysql_execute",
        "mysql_get_connection_stats",
      ]);
      for (const tool of tools) {
        assert.equal(tool.inputSchema.type, "object", tool.name);
        assert.equal(tool.inputSchema.additionalProperties, false, tool.name);
        assert.ok(tool.outputSchema, `${tool.name} has an output schema`);
        assert.ok(tool.description, `${tool.name} has a description`);
      }
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "mysql_list_datasources returns key, name and status, structured and as text",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const result = await t.raw("mysql_list_datasources");
      assert.equal(result.isError, undefined);
      assert.deepEqual(result.structuredContent, {
        datasources: [{ key: KEY, name: "Test database", status: "available" }],
      });
      // The text is the same data as compact JSON, for clients that read only text.
      assert.deepEqual(JSON.parse(textOf(result)), result.structuredContent);
      assert.doesNotMatch(JSON.stringify(result), new RegExp(t.db.password));
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "mysql_list_databases applies the allow-list and never shows the other database",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const result = await t.raw("mysql_list_databases", { datasource_key: KEY });
      const { databases } = result.structuredContent;
      assert.deepEqual(databases.map((d: { name: string }) => d.name), [t.db.db]);
      assert.equal(databases[0].charset, "utf8mb4");
      assert.equal(databases[0].collation, "utf8mb4_unicode_ci");
      assert.ok(databases[0].size_bytes > 0, "the seeded tables take space");
      assert.ok(!JSON.stringify(result).includes(t.db.otherDb), "otherDb is never named");
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "mysql_list_databases without an allow-list shows what the account can see",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp({ source: { databases: "[]" } });
    try {
      const { databases } = await t.call("mysql_list_databases", { datasource_key: KEY });
      const names = databases.map((d: { name: string }) => d.name);
      assert.ok(names.includes(t.db.db));
      assert.ok(names.includes(t.db.otherDb));
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "mysql_list_tables lists every table with estimated rows, size and engine",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const { tables } = await t.call("mysql_list_tables", on(t));
      const byName = Object.fromEntries(tables.map((x: { name: string }) => [x.name, x]));
      for (const name of ["customers", "numbers", "orders", "value_types"]) {
        assert.ok(byName[name], `${name} is listed`);
        assert.equal(byName[name].type, "table");
        assert.equal(byName[name].engine, "InnoDB");
        assert.equal(typeof byName[name].row_count, "number");
        assert.equal(typeof byName[name].size_bytes, "number");
      }
      assert.ok(byName.numbers.row_count > 1000, "an estimate near 5000");
      assert.equal(byName.customers.comment, "people who buy");
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "mysql_describe_table reports columns, primary key, foreign keys and indexes",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const orders = await t.call("mysql_describe_table", on(t, { table: "orders" }));
      assert.equal(orders.table_name, "orders");
      assert.deepEqual(orders.columns.map((c: { name: string }) => c.name), [
        "id",
        "customer_id",
        "status",
        "total",
        "created_at",
      ]);
      const status = orders.columns.find((c: { name: string }) => c.name === "status");
      assert.equal(status.data_type, "enum('pending','paid','shipped')");
      assert.equal(status.nullable, false);
      assert.match(status.default_value, /pending/);
      const total = orders.columns.find((c: { name: string }) => c.name === "total");
      assert.equal(total.data_type, "decimal(12,2)");
      assert.equal(total.default_value, null);
      assert.equal(orders.columns[0].auto_increment, true);
      assert.deepEqual(orders.primary_key, ["id"]);
      assert.deepEqual(orders.foreign_keys, [{
        name: "fk_orders_customer",
        columns: ["customer_id"],
        referenced_table: "customers",
        referenced_columns: ["id"],
      }]);
      const index = orders.indexes.find((i: { name: string }) => i.name === "idx_status_created");
      assert.deepEqual(index, {
        name: "idx_status_created",
        columns: ["status", "created_at"],
        unique: false,
        index_type: "BTREE",
      });
      assert.ok(
        orders.indexes.some((i: { name: string; unique: boolean }) =>
          i.name === "PRIMARY" && i.unique
        ),
      );

      const customers = await t.call("mysql_describe_table", on(t, { table: "customers" }));
      assert.equal(customers.comment, "people who buy");
      const id = customers.columns.find((c: { name: string }) => c.name === "id");
      assert.equal(id.comment, "customer id");
      const email = customers.columns.find((c: { name: string }) => c.name === "email");
      assert.equal(email.data_type, "varchar(120)");
      assert.equal(email.comment, null);
      const created = customers.columns.find((c: { name: string }) => c.name === "created_at");
      assert.match(created.default_value, /2024-01-01 00:00:00/);
      assert.ok(
        customers.indexes.some((i: { columns: string[]; unique: boolean }) =>
          i.unique && i.columns.join() === "email"
        ),
      );
      assert.deepEqual(customers.foreign_keys, []);

      const values = await t.call("mysql_describe_table", on(t, { table: "value_types" }));
      const doc = values.columns.find((c: { name: string }) => c.name === "doc");
      assert.equal(doc.data_type, "json", "MariaDB's JSON alias is reported as json");
      const nullableText = values.columns.find((c: { name: string }) => c.name === "nullable_text");
      assert.equal(nullableText.nullable, true);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "mysql_query returns columns, rows, row_count, truncated and execution_time_ms",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const result = await t.raw(
        "mysql_query",
        on(t, { query: "SELECT id, email, name FROM customers ORDER BY id" }),
      );
      const q = result.structuredContent;
      assert.deepEqual(q.columns.map((c: { name: string }) => c.name), ["id", "email", "name"]);
      for (const column of q.columns) {
        assert.equal(typeof column.data_type, "string");
        assert.equal(typeof column.nullable, "boolean");
      }
      assert.deepEqual(q.rows, [
        [1, "ann@example.com", "Ann"],
        [2, "bob@example.com", "Bob"],
        [3, "cy@example.com", "Cy"],
      ]);
      assert.equal(q.row_count, 3);
      assert.equal(q.truncated, false);
      assert.equal(typeof q.execution_time_ms, "number");
      assert.ok(q.execution_time_ms >= 0);
      assert.equal(q.warnings, undefined);
      assert.match(textOf(result), /ann@example\.com/);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "mysql_query binds params as data of a prepared statement",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const q = await t.call(
        "mysql_query",
        on(t, {
          query: "SELECT id, ? AS echoed FROM customers WHERE email = ? OR name = ? ORDER BY id",
          params: ["x' OR '1'='1", "bob@example.com", "nobody' OR 1=1 -- "],
        }),
      );
      assert.deepEqual(q.rows, [[2, "x' OR '1'='1"]]);
      const typed = await t.call(
        "mysql_query",
        on(t, { query: "SELECT ? AS i, ? AS f, ? AS b, ? AS n", params: [42, 1.5, true, null] }),
      );
      assert.equal(Number(typed.rows[0][0]), 42);
      assert.equal(Number(typed.rows[0][1]), 1.5);
      assert.equal(Number(typed.rows[0][2]), 1);
      assert.equal(typed.rows[0][3], null);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "mysql_query stops at the source's max_rows with truncated: true and a warning",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp({ source: { max_rows: "10" } });
    try {
      for (
        const query of [
          "SELECT n, label FROM numbers ORDER BY n",
          "SELECT n, label FROM numbers ORDER BY n LIMIT 100000",
          "SELECT * FROM (SELECT n FROM numbers) x",
        ]
      ) {
        const q = await t.call("mysql_query", on(t, { query }));
        assert.equal(q.rows.length, 10, query);
        assert.equal(q.row_count, 10, query);
        assert.equal(q.truncated, true, query);
        assert.ok(q.warnings?.some((w: string) => w.includes("max_rows")), query);
        assert.equal(q.rows[0][0], 1);
      }
      const exact = await t.call(
        "mysql_query",
        on(t, { query: "SELECT n FROM numbers ORDER BY n LIMIT 10" }),
      );
      assert.equal(exact.rows.length, 10);
      assert.equal(exact.truncated, false, "exactly max_rows rows is not a truncation");
      assert.equal(exact.warnings, undefined);
      // The capped connection still serves the next query normally.
      const count = await t.call("mysql_query", on(t, { query: "SELECT COUNT(*) FROM numbers" }));
      assert.equal(Number(count.rows[0][0]), 5000);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "mysql_execute returns affected_rows and the AUTO_INCREMENT last_insert_id",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const inserted = await t.call(
        "mysql_execute",
        on(t, {
          statement: "INSERT INTO customers (email, name) VALUES (?, ?), (?, ?)",
          params: ["exec1@example.com", "E1", "exec2@example.com", "E2"],
        }),
      );
      assert.equal(inserted.affected_rows, 2);
      // MySQL reports the first id of a multi-row insert.
      const [row] = await t.db.server.admin(
        `SELECT MIN(id) AS id FROM ${t.db.db}.customers WHERE email LIKE 'exec%'`,
      );
      assert.equal(Number(inserted.last_insert_id), Number(row.id));
      assert.equal(typeof inserted.execution_time_ms, "number");

      const updated = await t.call(
        "mysql_execute",
        on(t, { statement: "UPDATE customers SET name = 'X' WHERE email LIKE 'exec%'" }),
      );
      assert.equal(updated.affected_rows, 2);
      assert.equal(updated.last_insert_id, null);

      const deleted = await t.call(
        "mysql_execute",
        on(t, { statement: "DELETE FROM customers WHERE email LIKE ?", params: ["exec%"] }),
      );
      assert.equal(deleted.affected_rows, 2);
      const none = await t.call(
        "mysql_execute",
        on(t, { statement: "DELETE FROM customers WHERE id = -1" }),
      );
      assert.equal(none.affected_rows, 0);
    } finally {
      await t.db.server.admin(`DELETE FROM ${t.db.db}.customers WHERE email LIKE 'exec%'`);
      await t.close();
    }
  },
});

Deno.test({
  name: "mysql_execute is refused entirely on a read_only source",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp({ source: { read_only: "true" } });
    try {
      const before = await t.db.server.admin(`SELECT COUNT(*) AS n FROM ${t.db.db}.customers`);
      for (
        const statement of [
          "INSERT INTO customers (email, name) VALUES ('ro@example.com', 'RO')",
          "UPDATE customers SET name = 'RO'",
          "DELETE FROM customers WHERE id = 3",
          "REPLACE INTO customers (id, email, name) VALUES (1, 'a@b', 'A')",
        ]
      ) {
        const error = await t.fail("mysql_execute", on(t, { statement }));
        assert.equal(error.error_code, "STATEMENT_NOT_ALLOWED", statement);
        assert.match(error.message, /read-only/);
      }
      const after = await t.db.server.admin(`SELECT COUNT(*) AS n FROM ${t.db.db}.customers`);
      assert.deepEqual(after, before);
      const names = await t.db.server.admin(`SELECT name FROM ${t.db.db}.customers ORDER BY id`);
      assert.deepEqual(names.map((r: { name: string }) => r.name), ["Ann", "Bob", "Cy"]);
      // Reading still works on a read-only source.
      const q = await t.call("mysql_query", on(t, { query: "SELECT COUNT(*) FROM customers" }));
      assert.equal(Number(q.rows[0][0]), 3);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "mysql_get_connection_stats reports every pool with active + idle = total",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      await t.call("mysql_query", on(t, { query: "SELECT 1" }));
      await t.call("mysql_list_tables", on(t));
      for (const args of [{}, { datasource_key: KEY }]) {
        const { pools } = await t.call("mysql_get_connection_stats", args);
        assert.ok(pools.length >= 1);
        const dbPool = pools.find((p: { database: string | null }) => p.database === t.db.db);
        assert.ok(dbPool, "the test database has its own pool");
        for (const pool of pools) {
          assert.equal(pool.datasource_key, KEY);
          for (
            const field of [
              "active_connections",
              "idle_connections",
              "total_connections",
              "queued_requests",
              "open_streams",
            ]
          ) {
            assert.equal(typeof pool[field], "number", field);
            assert.ok(pool[field] >= 0, field);
          }
          assert.equal(pool.active_connections + pool.idle_connections, pool.total_connections);
          assert.ok(pool.total_connections <= 5, "max_connections is never exceeded");
        }
      }
      const error = await t.fail("mysql_get_connection_stats", { datasource_key: "nope" });
      assert.equal(error.error_code, "AUTHENTICATION_ERROR");
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "mysql_get_connection_stats lists a source with zero counts before its first connection",
  ...DB_TEST,
  // Reaches into the in-process app (or its state before startup probes).
  ignore: START_MODE,
  async fn() {
    const t = await startTestApp();
    try {
      const { pools } = await t.call("mysql_get_connection_stats", {});
      assert.deepEqual(pools, [{
        datasource_key: KEY,
        database: null,
        active_connections: 0,
        idle_connections: 0,
        total_connections: 0,
        queued_requests: 0,
        open_streams: 0,
      }]);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "mysql_stream_next and mysql_stream_cancel answer STREAM_NOT_FOUND for an unknown id",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      for (const tool of ["mysql_stream_next", "mysql_stream_cancel"]) {
        const error = await t.fail(tool, { stream_id: "no-such-stream" });
        assert.equal(error.error_code, "STREAM_NOT_FOUND", tool);
        const empty = await t.fail(tool, { stream_id: "" });
        assert.equal(empty.error_code, "INVALID_ARGUMENT", tool);
        const missing = await t.fail(tool, {});
        assert.equal(missing.error_code, "INVALID_ARGUMENT", tool);
      }
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "a streamed query can be read chunk by chunk and cancelled",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp({ server: { stream_chunk_size: "1000" } });
    try {
      const first = await t.call(
        "mysql_query",
        on(t, { query: "SELECT n FROM numbers ORDER BY n", stream: true }),
      );
      assert.equal(first.rows.length, 1000);
      assert.equal(first.has_more, true);
      assert.equal(typeof first.stream_id, "string");
      const second = await t.call("mysql_stream_next", { stream_id: first.stream_id });
      assert.equal(second.rows[0][0], 1001);
      assert.deepEqual(
        await t.call("mysql_stream_cancel", { stream_id: first.stream_id }),
        { cancelled: true },
      );
      const after = await t.fail("mysql_stream_next", { stream_id: first.stream_id });
      assert.equal(after.error_code, "STREAM_CANCELLED");
      const { pools } = await t.call("mysql_get_connection_stats", { datasource_key: KEY });
      assert.ok(pools.every((p: { open_streams: number }) => p.open_streams === 0));
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "mysql_describe_table keeps 'no default' (null) apart from the string default 'NULL'",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    const table = `${t.db.db}.defaults_probe`;
    await t.db.server.admin(
      `CREATE TABLE ${table} (id INT PRIMARY KEY, plain VARCHAR(10) NULL,
         word VARCHAR(10) DEFAULT 'NULL', empty VARCHAR(10) NOT NULL DEFAULT '', n INT DEFAULT 7)`,
    );
    try {
      const d = await t.call("mysql_describe_table", on(t, { table: "defaults_probe" }));
      const byName = Object.fromEntries(
        d.columns.map((c: { name: string; default_value: string | null }) => [
          c.name,
          c.default_value,
        ]),
      );
      assert.equal(byName.id, null);
      assert.equal(byName.plain, null, "a nullable column without a default has no default");
      assert.notEqual(byName.word, null, "the string 'NULL' is a real default");
      assert.match(byName.word, /NULL/);
      assert.notEqual(byName.empty, null, "the empty string is a real default");
      assert.match(byName.n, /^'?7'?$/);
    } finally {
      await t.db.server.admin(`DROP TABLE ${table}`);
      await t.close();
    }
  },
});
