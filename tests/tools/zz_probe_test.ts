import { DB_TEST, startTestApp } from "../support/test_app.ts";
Deno.test({ name: "probe", ...DB_TEST, async fn() {
  const t = await startTestApp();
  try {
    const q = await t.raw("mysql_query", { datasource_key: "test", database: t.db.db, query: "SELECT * FROM value_types ORDER BY id" });
    console.log(JSON.stringify(q.structuredContent));
    console.log(q.content[0].text);
    const q2 = await t.raw("mysql_query", { datasource_key: "test", database: t.db.db, query: "SELECT ? a, ? b, ? c, ? d, CAST(? AS JSON) e, JSON_OBJECT('k', 1) f, doc FROM value_types", params: ["9007199254740993", 9007199254740993, "NULL", null, '{"x":1}'] });
    console.log(JSON.stringify(q2));
  } finally { await t.close(); }
}});
