import assert from "assert";
import { DB_TEST, startTestApp } from "./support/test_app.ts";

Deno.test({
  name: "the path config → pool → gate → tool → MCP works end to end for every read tool",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const target = { datasource_key: "test", database: t.db.db };
      const ds = await t.call("mysql_list_datasources");
      assert.deepEqual(ds.datasources, [{
        key: "test",
        name: "Test database",
        status: "available",
      }]);
      const dbs = await t.call("mysql_list_databases", { datasource_key: "test" });
      assert.deepEqual(dbs.databases.map((d: { name: string }) => d.name), [t.db.db]);
      const tables = await t.call("mysql_list_tables", target);
      assert.deepEqual(
        tables.tables.map((x: { name: string }) => x.name),
        ["customers", "numbers", "orders", "value_types"],
      );
      const orders = await t.call("mysql_describe_table", { ...target, table: "orders" });
      assert.deepEqual(orders.primary_key, ["id"]);
      const q = await t.call("mysql_query", {
        ...target,
        query: "SELECT COUNT(*) AS n FROM numbers",
      });
      assert.deepEqual(q.rows, [[5000]]);
      const stats = await t.call("mysql_get_connection_stats", {});
      assert.ok(stats.pools.some((p: { database: string }) => p.database === t.db.db));
    } finally {
      await t.close();
    }
  },
});
