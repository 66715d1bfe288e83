/**
 * `serve --http` as a process: started by `deno task start`'s launcher under the derived
 * minimal permissions (the listen address, the token variable), stopped by SIGTERM under load.
 */
import assert from "assert";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/index.d.ts"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/streamableHttp.d.ts"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { DB_TEST, testConfigToml } from "../support/test_app.ts";
import { testDatabase } from "../support/test_database.ts";
import { resultOf } from "./_http_app.ts";

const TOKEN = "process-token-0123456789abcdef";

/** A port nothing listens on right now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function writeConfig(extra = ""): Promise<{ dir: string; path: string; password: string }> {
  const db = await testDatabase();
  const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-http-" });
  const path = `${dir}/datasources.toml`;
  const toml = testConfigToml(db).replace(/^password = .*$/m, 'password_env = "MCP_TEST_PASSWORD"');
  await Deno.writeTextFile(path, `${toml}\n${extra}`);
  return { dir, path, password: db.password };
}

function launch(script: string, args: string[], env: Record<string, string>) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(script, import.meta.url).pathname, ...args],
    env: { PATH: Deno.env.get("PATH") ?? "", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function waitForHealth(url: string, child: Deno.ChildProcess): Promise<void> {
  let exited = false;
  void child.status.then(() => (exited = true));
  for (let i = 0; i < 300 && !exited; i++) {
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error("the HTTP server did not come up");
}

Deno.test({
  name: "serve --http under the derived permissions answers every request in flight on SIGTERM",
  ...DB_TEST,
  async fn() {
    const port = freePort();
    const { dir, path, password } = await writeConfig(
      '[server.http]\n[[server.http.tokens]]\nname = "ci"\nenv = "MCP_HTTP_TOKEN"\n',
    );
    const child = launch("../../scripts/start.ts", [
      "serve",
      "--http",
      `127.0.0.1:${port}`,
      "--config",
      path,
    ], { MCP_TEST_PASSWORD: password, MCP_HTTP_TOKEN: TOKEN, MYSQL_MCP_LOG_LEVEL: "info" });
    const stderr = new Response(child.stderr).text();
    const stdout = new Response(child.stdout).text();
    try {
      await waitForHealth(`http://127.0.0.1:${port}/healthz`, child);
      const client = new Client({ name: "process-test", version: "1.0.0" });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
        }),
      );
      const db = await testDatabase();
      const calls = Array.from({ length: 3 }, (_, i) =>
        client.callTool({
          name: "mysql_query",
          arguments: {
            datasource_key: "test",
            database: db.db,
            query: `SELECT SLEEP(0.5) AS slept, ${i} AS i`,
          },
        }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      child.kill("SIGTERM");
      const results = (await Promise.all(calls)).map(resultOf);
      assert.deepEqual(results.map((r: any) => r.rows), [[[0, 0]], [[0, 1]], [[0, 2]]]);
      assert.equal((await child.status).code, 0);
      await client.close().catch(() => {});
      const log = await stderr;
      assert.match(log, /serving MCP over HTTP/);
      assert.match(log, /shutting down/);
      assert.ok(!log.includes(TOKEN), "the token appears in the log");
      assert.ok(!/"level":"(warn|error)"/.test(log), log);
      assert.equal(await stdout, "", "nothing may be written to stdout");
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* already exited */ }
      await child.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "serve --http refuses a non-loopback address when no token is configured",
  ...DB_TEST,
  async fn() {
    const { dir, path, password } = await writeConfig();
    const child = launch("../../main.ts", [
      "serve",
      "--http",
      `0.0.0.0:${freePort()}`,
      "--config",
      path,
    ], { MCP_TEST_PASSWORD: password });
    const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
    await child.stdout.cancel();
    await Deno.remove(dir, { recursive: true });
    assert.equal(status.code, 2);
    assert.match(
      stderr,
      /Refusing to serve HTTP on 0\.0\.0\.0:\d+: .*no \[\[server\.http\.tokens\]\]/,
    );
  },
});
