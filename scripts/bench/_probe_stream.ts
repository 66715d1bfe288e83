// Ad-hoc probe (not part of the bench): repeated 1M streams, RSS after each, optional --cpu-prof.
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/index.d.ts"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/stdio.d.ts"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { startDatabaseServer } from "../throwaway_mariadb.ts";
import { seedBenchDatabase, streamThroughServer, writeBenchConfig } from "../bench.ts";
import { peakRss } from "./measure.ts";

const tmp = await Deno.makeTempDir({ prefix: "mysql-mcp-bench-tmp-" });
Deno.env.set("TMPDIR", tmp);
const server = await startDatabaseServer({ ignoreUrl: true });
const db = await seedBenchDatabase(server);
const config = await writeBenchConfig(db);
const transport = new StdioClientTransport({
  command: Deno.execPath(),
  args: ["run", ...Deno.args, "-A", "main.ts", "serve", "--config", config.path],
  cwd: new URL("../..", import.meta.url).pathname,
  env: { MYSQL_MCP_BENCH_PASSWORD: db.password, MYSQL_MCP_LOG_LEVEL: "warn" },
});
const client = new Client({ name: "probe", version: "0" });
await client.connect(transport);
for (let i = 0; i < 4; i++) {
  const r = await peakRss(
    transport.pid!,
    () =>
      streamThroughServer(client, db, "SELECT seq AS id, seq * 2 AS twice FROM seq_1_to_1000000"),
  );
  console.log(
    `run ${i}: ${Math.round(r.result.rowsPerSecond)} rows/s, before ${
      (r.before / 2 ** 20).toFixed(1)
    } MB, peak ${(r.peakBytes / 2 ** 20).toFixed(1)} MB`,
  );
}
await client.close();
await new Promise((r) => setTimeout(r, 500));
await server.stop();
await Deno.remove(tmp, { recursive: true });
await Deno.remove(config.dir, { recursive: true }).catch(() => {});
