import assert from "assert";
import { DB_TEST, startTestApp, type TestApp } from "../support/test_app.ts";
import { KEY } from "./_support.ts";

async function read(t: TestApp, uri: string): Promise<any> {
  const result = await t.client.readResource({ uri });
  assert.equal(result.contents.length, 1);
  assert.equal(result.contents[0].uri, uri);
  assert.equal(result.contents[0].mimeType, "application/json");
  return JSON.parse(result.contents[0].text as string);
}

/** The MCP error a failing resources/read answers with. */
async function readError(t: TestApp, uri: string): Promise<{ code: number; message: string }> {
  try {
    await t.client.readResource({ uri });
  } catch (error) {
    return error as { code: number; message: string };
  }
  assert.fail(`reading ${uri} was expected to fail`);
}

Deno.test({
  name: "resources/templates/list lists the four mysql:// templates",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const { resourceTemplates } = await t.client.listResourceTemplates();
      assert.deepEqual(resourceTemplates.map((r: { uriTemplate: string }) => r.uriTemplate), [
        "mysql://{datasource_key}/databases",
        "mysql://{datasource_key}/{database}/tables",
        "mysql://{datasource_key}/{database}/tables/{table}",
        "mysql://{datasource_key}/{database}/schema",
      ]);
      for (const template of resourceTemplates) {
        assert.equal(template.mimeType, "application/json");
        assert.ok(template.name);
      }
      const { resources } = await t.client.listResources();
      assert.deepEqual(resources.map((r: { uri: string }) => r.uri), [
        "mysql://datasources",
        "mysql://test/databases",
      ]);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "every resource reads as JSON with the same content as the matching tool",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    const { db } = t.db;
    try {
      assert.deepEqual(await read(t, "mysql://datasources"), {
        datasources: [{ key: KEY, name: "Test database", status: "available" }],
      });

      const databases = await read(t, "mysql://test/databases");
      assert.deepEqual(databases.databases.map((d: { name: string }) => d.name), [db]);
      assert.deepEqual(databases, await t.call("mysql_list_databases", { datasource_key: KEY }));

      const tables = await read(t, `mysql://test/${db}/tables`);
      assert.deepEqual(
        tables.tables.map((x: { name: string }) => x.name),
        ["customers", "numbers", "orders", "value_types"],
      );

      const orders = await read(t, `mysql://test/${db}/tables/orders`);
      assert.equal(orders.table_name, "orders");
      assert.deepEqual(orders.primary_key, ["id"]);
      assert.equal(orders.foreign_keys[0].referenced_table, "customers");
      assert.deepEqual(
        orders,
        await t.call("mysql_describe_table", {
          datasource_key: KEY,
          database: db,
          table: "orders",
        }),
      );

      const schema = await read(t, `mysql://test/${db}/schema`);
      assert.deepEqual(
        schema.tables.map((x: { table_name: string }) => x.table_name),
        ["customers", "numbers", "orders", "value_types"],
      );
      const fromSchema = schema.tables.find((x: { table_name: string }) =>
        x.table_name === "orders"
      );
      assert.deepEqual(fromSchema, orders);
      // Percent-encoded segments are decoded.
      const encoded = await read(t, `mysql://test/${encodeURIComponent(db)}/tables/%6Frders`);
      assert.deepEqual(encoded, orders);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "invalid resource URIs are errors and reveal nothing",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    const { db, otherDb } = t.db;
    try {
      const cases: [string, RegExp][] = [
        ["http://test/databases", /INVALID_ARGUMENT/],
        ["mysql:/test/databases", /INVALID_ARGUMENT/],
        ["mysql://", /INVALID_ARGUMENT/],
        ["mysql://test", /INVALID_ARGUMENT/],
        ["mysql://test/", /INVALID_ARGUMENT/],
        ["mysql://test/databases/extra", /INVALID_ARGUMENT/],
        [`mysql://test/${db}/tables/orders/columns`, /INVALID_ARGUMENT/],
        [`mysql://test/${db}/tables/orders/`, /INVALID_ARGUMENT/],
        [`mysql://test/${db}/views`, /INVALID_ARGUMENT/],
        [`mysql://test//tables`, /INVALID_ARGUMENT/],
        [`mysql://test/${db}//orders`, /INVALID_ARGUMENT/],
        [`mysql:///${db}/tables`, /INVALID_ARGUMENT/],
        [`mysql://test/${db}/tables?x=1`, /INVALID_ARGUMENT/],
        [`mysql://test/${db}/tables#frag`, /INVALID_ARGUMENT/],
        [`mysql://test/%E0%A4%A/tables`, /INVALID_ARGUMENT/],
        [`mysql://test/a%00b/tables`, /INVALID_ARGUMENT/],
        ["mysql://datasources/extra", /AUTHENTICATION_ERROR|INVALID_ARGUMENT/],
        ["mysql://nope/databases", /AUTHENTICATION_ERROR/],
        [`mysql://nope/${db}/tables`, /AUTHENTICATION_ERROR/],
        [`mysql://test/${otherDb}/tables`, /DATABASE_NOT_FOUND/],
        [`mysql://test/${otherDb}/tables/secrets`, /DATABASE_NOT_FOUND/],
        [`mysql://test/${otherDb}/schema`, /DATABASE_NOT_FOUND/],
        ["mysql://test/no_such_db/tables", /DATABASE_NOT_FOUND/],
        [`mysql://test/${db}/tables/no_such_table`, /TABLE_NOT_FOUND/],
        [`mysql://test/${"x".repeat(2000)}/tables`, /INVALID_ARGUMENT/],
      ];
      for (const [uri, code] of cases) {
        const error = await readError(t, uri);
        assert.equal(typeof error.code, "number", uri);
        assert.match(error.message, code, uri);
        assert.ok(!error.message.includes(t.db.password), uri);
        assert.ok(!error.message.includes(String(t.db.server.port)), uri);
      }
      // The server keeps answering after invalid requests.
      assert.ok((await read(t, "mysql://datasources")).datasources.length === 1);
    } finally {
      await t.close();
    }
  },
});
