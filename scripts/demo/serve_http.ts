/**
 * `deno task demo --http`: the demo's server on Streamable HTTP in the foreground, with a
 * bearer token, and what a client needs to reach it: the URL, the token, a snippet.
 */
import { type DemoConfig, REPO_DIR, serverEnv, TOKEN_VAR } from "./demo_config.ts";
import { note, style } from "./ui.ts";

/** A loopback port nothing listens on right now. */
export function freeLoopbackPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Starts the server, waits until it answers, prints how to connect, and runs until it exits. */
export async function serveHttpForeground(
  config: DemoConfig,
  track: (child: Deno.ChildProcess) => void,
): Promise<number> {
  const { url, token } = config.http!;
  const child = new Deno.Command(config.command, {
    args: config.args,
    env: serverEnv(config),
    clearEnv: true,
    cwd: REPO_DIR,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  track(child);
  let exited = false;
  void child.status.then(() => (exited = true));
  const healthz = url.replace(/\/mcp$/, "/healthz");
  for (let i = 0; i < 200 && !exited; i++) {
    const up = await fetch(healthz).then((r) => r.body?.cancel().then(() => true), () => false);
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!exited) {
    note();
    note(style.bold("Serving MCP over Streamable HTTP at ") + style.green(url));
    note(style.dim(`Bearer token (from ${TOKEN_VAR}, valid while this demo runs): `) + token);
    note();
    note(style.bold("A client") + style.dim(" (the MCP TypeScript SDK):"));
    note(`import { Client } from "npm:@modelcontextprotocol/sdk@1.32.2/client/index.js";
import { StreamableHTTPClientTransport } from "npm:@modelcontextprotocol/sdk@1.32.2/client/streamableHttp.js";

const client = new Client({ name: "my-agent", version: "1.0.0" });
await client.connect(new StreamableHTTPClientTransport(new URL("${url}"), {
  requestInit: { headers: { authorization: "Bearer ${token}" } },
}));
console.log(await client.callTool({ name: "mysql_list_datasources", arguments: {} }));`);
    note();
    note(style.dim("/healthz and /metrics are served beside /mcp. Ctrl-C stops."));
  }
  const status = await child.status;
  note(
    style.dim(`\nserver exited (${status.signal ?? `code ${status.code}`}); stopping MariaDB...`),
  );
  return status.success || status.signal === "SIGINT" || status.signal === "SIGTERM" ? 0 : 1;
}
