/**
 * Profiling tool (not part of `deno task bench`): the bench's 300 × 1 MB-rows case alone, run
 * `runs` times against one MariaDB, each on a fresh server; prints each run's peak RSS. One
 * sample depends on when V8 collects, so compare several.
 *
 *   deno run -A scripts/bench/wide_rows_rss.ts [runs=3]
 */
import { startDatabaseServer } from "../throwaway_mariadb.ts";
import { seedBenchDatabase, writeBenchConfig } from "../bench.ts";
import { LineClient } from "./line_client.ts";
import { measureWideRows, seedWideRows } from "./wide_rows.ts";
const ROOT = new URL("../..", import.meta.url).pathname;
const runs = Number(Deno.args[0] ?? 3);
const server = await startDatabaseServer({ ignoreUrl: true });
try {
  const db = await seedBenchDatabase(server);
  const config = await writeBenchConfig(db);
  await seedWideRows((sql) => server.admin(sql), db.database);
  const peaks: number[] = [];
  for (let i = 0; i < runs; i++) {
    const client = new LineClient(Deno.execPath(), [
      "run",
      `--allow-net=${db.server.host}:${db.server.port}`,
      `--allow-read=${config.path},${config.plugins}`,
      `--allow-env=MYSQL_MCP_BENCH_PASSWORD,MYSQL_MCP_CONFIG,MYSQL_MCP_LOG_LEVEL`,
      `${ROOT}main.ts`,
      "serve",
      "--config",
      config.path,
    ], { MYSQL_MCP_BENCH_PASSWORD: db.password, MYSQL_MCP_LOG_LEVEL: "error" });
    await client.initialize();
    const wide = await measureWideRows(client, client.pid, "bench", db.database);
    await client.close();
    peaks.push(wide.peakBytes / 1048576);
  }
  console.log(`${ROOT}: peaks ${peaks.map((p) => p.toFixed(0)).join(", ")} MB`);
} finally {
  await server.stop();
}
