/**
 * The server as an agent host starts it: `deno task start`'s launcher, a
 * real stdio subprocess with the derived minimal permissions, and the
 * SDK's stdio client.
 */
import assert from "assert";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/index.d.ts"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/stdio.d.ts"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { testConfigToml } from "./support/test_app.ts";
import { testDatabase } from "./support/test_database.ts";
import { DB_TEST } from "./support/test_app.ts";

async function startStdio(extraToml = "", server: Record<string, string> = {}) {
  const db = await testDatabase();
  const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-stdio-" });
  const path = `${dir}/datasources.toml`;
  // password_env: the secret reaches the server through its environment only.
  const toml = testConfigToml(db, { server })
    .replace(/^password = .*$/m, 'password_env = "MCP_TEST_PASSWORD"') + extraToml;
  await Deno.writeTextFile(path, toml);
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "-A", new URL("../scripts/start.ts", import.meta.url).pathname, "--config", path],
    env: { MCP_TEST_PASSWORD: db.password, PATH: Deno.env.get("PATH") ?? "" },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Uint8Array) => (stderr += new TextDecoder().decode(chunk)));
  const client = new Client({ name: "stdio-test", version: "1.0.0" });
  await client.connect(transport);
  return {
    db,
    client,
    stderr: () => stderr,
    async close() {
      await client.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test({
  name: "a stdio subprocess started like an agent host lists datasources and runs a query",
  ...DB_TEST,
  async fn() {
    const t = await startStdio();
    try {
      const tools = await t.client.listTools();
      assert.ok(tools.tools.some((tool: { name: string }) => tool.name === "mysql_query"));
      const list = await t.client.callTool({ name: "mysql_list_datasources", arguments: {} });
      assert.deepEqual((list.structuredContent as any).datasources, [
        { key: "test", name: "Test database", status: "available" },
      ]);
      const query = await t.client.callTool({
        name: "mysql_query",
        arguments: {
          datasource_key: "test",
          database: t.db.db,
          query: "SELECT name FROM customers WHERE id = ?",
          params: [2],
        },
      });
      assert.deepEqual((query.structuredContent as any).rows, [["Bob"]]);
    } finally {
      await t.close();
    }
    const logs = t.stderr();
    assert.ok(!logs.includes(t.db.password), "stderr must never show the password");
    // Every stderr line is a structured JSON log record.
    for (const line of logs.split("\n").filter((l) => l.trim())) {
      const record = JSON.parse(line);
      assert.ok(record.level && record.time && record.msg);
    }
    assert.ok(!/broader Deno permissions/.test(logs), `server ran with extra permissions: ${logs}`);
  },
});

Deno.test({
  name: "the stdio server answers a permission-free error and keeps serving after bad input",
  ...DB_TEST,
  async fn() {
    const t = await startStdio();
    try {
      const bad = await t.client.callTool({
        name: "mysql_query",
        arguments: { datasource_key: "test", database: t.db.db, query: 42, password: "x" },
      });
      assert.equal(bad.isError, true);
      const unknown = await t.client.callTool({
        name: "mysql_query",
        arguments: { datasource_key: "nope", database: "x", query: "SELECT 1" },
      });
      assert.match((unknown.content as any)[0].text, /AUTHENTICATION_ERROR/);
      const ok = await t.client.callTool({
        name: "mysql_query",
        arguments: { datasource_key: "test", database: t.db.db, query: "SELECT 1 AS one" },
      });
      assert.deepEqual((ok.structuredContent as any).rows, [[1]]);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name:
    "under the derived permissions a plugin reaching for env, files or the network gets a permission error, and the server keeps serving",
  ...DB_TEST,
  async fn() {
    const fixtures = new URL("./plugins/fixtures", import.meta.url).pathname;
    const t = await startStdio("", { plugins_dir: JSON.stringify(fixtures) });
    try {
      for (const what of ["env", "read", "net"]) {
        const result = await t.client.callTool({ name: "reads_env", arguments: { what } });
        assert.equal(result.isError, true, `${what}: ${JSON.stringify(result)}`);
        const error = JSON.parse((result.content as any)[0].text);
        assert.equal(error.error_code, "PERMISSION_DENIED", `${what}: ${error.message}`);
        assert.ok(!error.message.includes("/etc/"), error.message);
        const next = await t.client.callTool({ name: "mysql_list_datasources", arguments: {} });
        assert.equal(next.isError, undefined);
      }
      // A plugin's stray rejection or timer throw is logged; the server keeps serving.
      await t.client.callTool({ name: "stray_rejection", arguments: {} });
      await new Promise((r) => setTimeout(r, 200));
      const after = await t.client.callTool({ name: "mysql_list_datasources", arguments: {} });
      assert.equal(after.isError, undefined);
    } finally {
      await t.close();
    }
  },
});
