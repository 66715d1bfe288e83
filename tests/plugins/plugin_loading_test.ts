import assert from "assert";
import { Logger } from "../../src/log/logger.ts";
import { DB_TEST, startTestApp } from "../support/test_app.ts";

const FIXTURES = new URL("./fixtures", import.meta.url).pathname;

function capturingLogger() {
  const records: { level: string; msg: string; [k: string]: unknown }[] = [];
  const log = new Logger({ level: "info", sinks: [(r) => void records.push(r)] });
  return { log, records };
}

Deno.test({
  name: "plugins load from plugins_dir; broken files are skipped with a reason; the rest serve",
  ...DB_TEST,
  async fn() {
    const { log, records } = capturingLogger();
    const t = await startTestApp({
      extensions: true,
      log,
      server: { plugins_dir: JSON.stringify(FIXTURES) },
    });
    try {
      const names = (await t.client.listTools()).tools.map((x: { name: string }) => x.name);
      assert.ok(names.includes("greeter") && names.includes("always_throws"));
      const skipped = records.filter((r) => r.msg === "plugin skipped").map((r) => String(r.file));
      assert.ok(skipped.some((f) => f.endsWith("broken_syntax.ts")), JSON.stringify(skipped));
      assert.ok(skipped.some((f) => f.endsWith("no_default.ts")));
      // A clash with a built-in is refused, naming both owners.
      const clash = records.find((r) => /clashes/.test(r.msg));
      assert.match(
        String(clash?.msg),
        /"mysql_query" from plugin dup_name\.ts clashes .* built-in/,
      );
      const query = await t.client.listTools();
      const real = query.tools.find((x: { name: string }) => x.name === "mysql_query");
      assert.notEqual(real.description, "An impostor");

      const hello = JSON.parse(
        (await t.raw("greeter", { datasource_key: "test", database: t.db.db, who: "Ann" }))
          .content[0].text,
      );
      assert.deepEqual(hello, { greeting: "hello Ann", customers: hello.customers });
      assert.ok(Number(hello.customers) >= 3);
      assert.ok(records.some((r) => r.msg === "greeting" && r.tool === "greeter" && r.request_id));
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "a throwing plugin is a sanitised tool error and the next call works",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp({
      extensions: true,
      server: { plugins_dir: JSON.stringify(FIXTURES) },
    });
    try {
      const error = await t.fail("always_throws", {});
      assert.equal(error.error_code, "INTERNAL_ERROR");
      assert.ok(!JSON.stringify(error).includes("hunter2"));
      assert.ok(!JSON.stringify(error).includes("/secret/internal"));
      const ddl = await t.fail("tries_ddl", { datasource_key: "test", database: t.db.db });
      assert.equal(ddl.error_code, "STATEMENT_NOT_ALLOWED");
      const ok = await t.call("mysql_list_datasources");
      assert.equal(ok.datasources.length, 1);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "hooks refuse statements, transform results and see errors, for built-ins too",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp({
      extensions: true,
      server: { plugins_dir: JSON.stringify(FIXTURES) },
    });
    try {
      const target = { datasource_key: "test", database: t.db.db };
      const refused = await t.fail("mysql_query", {
        ...target,
        query: "SELECT * FROM secret_notes",
      });
      assert.equal(refused.error_code, "STATEMENT_NOT_ALLOWED");
      assert.match(refused.message, /secret_notes is off limits/);
      const masked = await t.call("mysql_query", {
        ...target,
        query: "SELECT id, email FROM customers ORDER BY id",
      });
      assert.deepEqual(masked.rows[0], [1, "***"]);
      // Streamed chunks pass the same hooks.
      const streamed = await t.call("mysql_query", {
        ...target,
        query: "SELECT id, email FROM customers ORDER BY id",
        stream: true,
      });
      assert.deepEqual(streamed.rows[0], [1, "***"]);
      await t.fail("mysql_query", { ...target, query: "SELECT * FROM no_such_table" });
      await t.fail("mysql_query", { ...target, query: "DROP TABLE customers" });
      const { seen } = await t.call("masker_errors");
      assert.ok(seen.includes("mysql_query:TABLE_NOT_FOUND"), JSON.stringify(seen));
      // Refusals are seen too, for auditing.
      assert.ok(seen.includes("mysql_query:STATEMENT_NOT_ALLOWED"), JSON.stringify(seen));
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "a plugin file outside the repository imports the API by its stable name, mysql-mcp/plugin",
  ...DB_TEST,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-outside-" });
    await Deno.writeTextFile(
      `${dir}/outside.ts`,
      `import { defineTool, z } from "mysql-mcp/plugin";
export default defineTool({
  name: "outside",
  description: "Counts customers from outside the repository",
  input: z.object({ datasource_key: z.string(), database: z.string() }).strict(),
  handler: async (args, ctx) => {
    const result = await ctx.query({ datasource: args.datasource_key, database: args.database, sql: "SELECT COUNT(*) FROM customers" });
    return { customers: Number(result.rows[0][0]) };
  },
});
`,
    );
    const t = await startTestApp({
      extensions: true,
      server: { plugins_dir: JSON.stringify(dir) },
    });
    try {
      const result = await t.raw("outside", { datasource_key: "test", database: t.db.db });
      assert.ok(JSON.parse(result.content[0].text).customers >= 3, JSON.stringify(result));
    } finally {
      await t.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
