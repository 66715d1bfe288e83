/**
 * Builds the single binary for real where Deno's runtime download is
 * reachable; elsewhere the test is skipped and its name says why (the exact
 * command line is covered by compile_command_test.ts either way).
 */
import assert from "node:assert/strict";

async function runtimeDownloadReachable(): Promise<boolean> {
  try {
    await Deno.resolveDns("dl.deno.land", "A");
    return true;
  } catch {
    return false;
  }
}

const reachable = await runtimeDownloadReachable();

Deno.test({
  name: reachable
    ? "deno task compile builds a binary that answers initialize with the plugins included"
    : "deno task compile builds a binary (skipped: Deno's runtime download is not reachable here)",
  ignore: !reachable,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-compile-" });
    try {
      const config = `${dir}/datasources.toml`;
      const plugins = new URL("../../plugins", import.meta.url).pathname;
      await Deno.writeTextFile(
        config,
        `[server]\nplugins_dir = ${JSON.stringify(plugins)}\n[[datasources]]\nkey = "x"\n` +
          `host = "127.0.0.1"\nport = 1\nusername = "u"\npassword_env = "COMPILE_TEST_PW"\n`,
      );
      const output = `${dir}/mysql-mcp`;
      const build = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          new URL("../../scripts/compile.ts", import.meta.url).pathname,
          "--config",
          config,
          "--output",
          output,
        ],
      }).output();
      assert.ok(build.success, new TextDecoder().decode(build.stderr));
      const child = new Deno.Command(output, {
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
        env: { COMPILE_TEST_PW: "x" },
      }).spawn();
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(
        JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: {
            protocolVersion: "2025-06-18",
            capabilities: {},
            clientInfo: { name: "t", version: "1" },
          },
        }) + "\n" + JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }) + "\n",
      ));
      await writer.close();
      const out = new TextDecoder().decode((await child.output()).stdout);
      assert.match(out, /"serverInfo"/);
      assert.match(out, /explain_query/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
