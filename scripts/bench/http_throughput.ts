/**
 * Many agents sharing one server over Streamable HTTP: `clients` SDK clients,
 * each its own MCP session, each doing PK lookups one after another for
 * `seconds`, against a server started as `serve --http` with its minimal
 * permissions. Reported as q/s and p99 next to the stdio figures of the same run.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { percentile, type ThroughputResult } from "./measure.ts";

export interface HttpBenchServer {
  /** `deno run` flags (permissions) the server needs besides its listen address. */
  flags: string[];
  configPath: string;
  env: Record<string, string>;
  cwd: string;
}

export async function httpThroughput(
  server: HttpBenchServer,
  clients: number,
  seconds: number,
  lookup: (client: Client, i: number) => Promise<unknown>,
): Promise<ThroughputResult> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...server.flags.map((flag) =>
        flag.startsWith("--allow-net=") ? `${flag},127.0.0.1:${port}` : flag
      ),
      "main.ts",
      "serve",
      "--http",
      `127.0.0.1:${port}`,
      "--config",
      server.configPath,
    ],
    cwd: server.cwd,
    env: server.env,
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const sessions: Client[] = [];
  try {
    await waitForHealth(`http://127.0.0.1:${port}/healthz`);
    for (let i = 0; i < clients; i++) {
      const client = new Client({ name: `bench-http-${i}`, version: "0.1.0" });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)),
      );
      sessions.push(client);
    }
    // Warm every session and the pool before the clock starts.
    await Promise.all(sessions.map((client, i) => lookup(client, i)));
    const latencies: number[] = [];
    let errors = 0;
    let counter = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(sessions.map(async (client) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await lookup(client, counter++);
          latencies.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }));
    const elapsed = (performance.now() - started) / 1000;
    return {
      requests: latencies.length,
      seconds: elapsed,
      perSecond: latencies.length / elapsed,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      errors,
    };
  } finally {
    await Promise.all(sessions.map((client) => client.close().catch(() => {})));
    child.kill("SIGTERM");
    await child.status;
  }
}

async function waitForHealth(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the HTTP server did not come up");
}
