import assert from "assert";
import { DB_TEST, startTestApp } from "./support/test_app.ts";

Deno.test({
  name: "mysql_list_datasources and mysql_list_databases work end to end",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const ds = await t.call("mysql_list_datasources");
      assert.deepEqual(ds.datasources, [{
        key: "test",
        name: "Test database",
        status: "available",
      }]);
      const dbs = await t.call("mysql_list_databases", { datasource_key: "test" });
      assert.deepEqual(dbs.databases.map((d: any) => d.name), [t.db.db]);
      const q = await t.call("mysql_query", {
        datasource_key: "test",
        database: t.db.db,
        query: "SELECT * FROM value_types ORDER BY id",
      });
      console.log(JSON.stringify(q, null, 1).slice(0, 3000));
      const tables = await t.call("mysql_list_tables", {
        datasource_key: "test",
        database: t.db.db,
      });
      console.log(JSON.stringify(tables));
      const d = await t.call("mysql_describe_table", {
        datasource_key: "test",
        database: t.db.db,
        table: "orders",
      });
      console.log(JSON.stringify(d));
      console.log(JSON.stringify(await t.call("mysql_get_connection_stats", {})).slice(0, 500));
    } finally {
      await t.close();
    }
  },
});
