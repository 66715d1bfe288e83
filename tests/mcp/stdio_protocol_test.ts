/**
 * The stdio server as raw JSON-RPC lines, the way a hostile or buggy host
 * might write them: every line gets an answer where JSON-RPC requires one,
 * and the server keeps serving.
 */
import assert from "assert";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

async function exchange(
  lines: string[],
): Promise<{ responses: any[]; stderr: string; code: number }> {
  const dir = await Deno.makeTempDir();
  const config = `${dir}/datasources.toml`;
  await Deno.writeTextFile(
    config,
    `[[datasources]]\nkey = "x"\nhost = "127.0.0.1"\nport = 1\nusername = "u"\npassword = "pw-never-shown"\n`,
  );
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1:1",
        `--allow-read=${config}`,
        "--allow-env=MYSQL_MCP_CONFIG,MYSQL_MCP_LOG_LEVEL",
        MAIN,
        "serve",
        "--config",
        config,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(lines.join("\n") + "\n"));
    await writer.close();
    const output = await child.output();
    const stdout = new TextDecoder().decode(output.stdout);
    return {
      // stdout carries MCP messages only: every line must be JSON.
      responses: stdout.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l)),
      stderr: new TextDecoder().decode(output.stderr),
      code: output.code,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("malformed lines get JSON-RPC errors, valid ones still get answers, and stdin end exits", async () => {
  const { responses, stderr, code } = await exchange([
    "this is not json",
    JSON.stringify({ jsonrpc: "2.0", id: 7, method: 42 }),
    "[1, 2, 3]",
    JSON.stringify({ jsonrpc: "2.0", id: 8, method: "no/such/method" }),
    JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/call", params: {} }),
    JSON.stringify({
      jsonrpc: "2.0",
      id: 10,
      method: "tools/call",
      params: {
        name: "mysql_list_tables",
        arguments: { datasource_key: "x", database: "d", password: "p" },
      },
    }),
    // Over the 10 MB line limit, its id written last as the SDK does: answered for that id.
    JSON.stringify({
      method: "tools/call",
      params: { name: "mysql_query", arguments: { query: "x".repeat(11 * 1024 * 1024) } },
      jsonrpc: "2.0",
      id: 12,
    }),
    JSON.stringify({ jsonrpc: "2.0", id: 11, method: "ping" }),
  ]);
  assert.equal(code, 0);
  const byId = new Map(responses.map((r) => [r.id, r]));
  assert.equal(responses[0].error.code, -32700);
  assert.equal(byId.get(7).error.code, -32600);
  assert.equal(byId.get(8).error.code, -32601);
  assert.ok(byId.get(9).error);
  assert.equal(byId.get(10).result.isError, true);
  assert.match(byId.get(10).result.content[0].text, /INVALID_ARGUMENT/);
  assert.deepEqual(byId.get(11).result, {});
  assert.equal(byId.get(12).error.code, -32600);
  assert.match(byId.get(12).error.message, /too large/);
  assert.match(stderr, /Request too large/);
  assert.ok(!stderr.includes("pw-never-shown"));
});
