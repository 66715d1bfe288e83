import assert from "assert";
import { DB_TEST, startTestApp } from "../support/test_app.ts";

const PLUGINS = `${new URL("../../plugins", import.meta.url).pathname}`;

Deno.test({
  name: "the shipped example plugins load, are listed and answer through the gate",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp({
      extensions: true,
      server: { plugins_dir: JSON.stringify(PLUGINS) },
    });
    try {
      const names = (await t.client.listTools()).tools.map((tool: { name: string }) => tool.name);
      for (const name of ["explain_query", "table_sample", "column_profile"]) {
        assert.ok(names.includes(name), `${name} missing from ${names}`);
      }
      const target = { datasource_key: "test", database: t.db.db };
      const explain = JSON.parse(
        (await t.raw("explain_query", { ...target, query: "SELECT * FROM orders WHERE total > 5" }))
          .content[0].text,
      );
      assert.equal(explain.tables[0].table, "orders");
      assert.equal(explain.tables[0].access_type, "ALL");
      assert.deepEqual(explain.full_scans, ["orders"]);

      const sample = await t.call("table_sample", { ...target, table: "numbers", rows: 5 });
      assert.equal(sample.row_count, 5);

      const profile = JSON.parse(
        (await t.raw("column_profile", { ...target, table: "customers" })).content[0].text,
      );
      assert.equal(profile.row_count >= 3, true);
      const email = profile.columns.find((c: { name: string }) => c.name === "email");
      assert.equal(email.null_ratio, 0);

      // explain_query cannot smuggle a write: EXPLAIN of DML is not a read.
      const refused = await t.fail("explain_query", { ...target, query: "DELETE FROM orders" });
      assert.equal(refused.error_code, "STATEMENT_NOT_ALLOWED");
      // A hostile table name is quoted, never spliced.
      const hostile = await t.fail("table_sample", {
        ...target,
        table: "orders` ; DROP TABLE x; --",
      });
      assert.equal(hostile.error_code, "TABLE_NOT_FOUND");
    } finally {
      await t.close();
    }
  },
});
