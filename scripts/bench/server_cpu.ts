/**
 * Profiling tool (not part of `deno task bench`): the server's own CPU per request. Starts its
 * own MariaDB, spawns the stdio server as the bench does, and runs blocks of PK lookups and of
 * `ping` through the SDK client; prints each block's p50, the server process's user and system
 * CPU per request (from /proc, 10 ms ticks: use a few thousand requests) and the client's.
 *
 *   deno run -A scripts/bench/server_cpu.ts [count=3000]
 */
import process from "node:process";
import { startDatabaseServer } from "../throwaway_mariadb.ts";
import { connectClient, seedBenchDatabase, writeBenchConfig } from "../bench.ts";
import { percentile, timeSequential } from "./measure.ts";

const count = Number(Deno.args[0] ?? 3000);
const server = await startDatabaseServer({ ignoreUrl: true });
const cpu = (pid: number) => {
  const f = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
  return [Number(f[11]) * 10_000, Number(f[12]) * 10_000]; // user, system µs (100 Hz ticks)
};
try {
  const db = await seedBenchDatabase(server);
  const config = await writeBenchConfig(db);
  const { client, pid } = await connectClient(db, config);
  await client.listTools();
  const lookup = (i: number) =>
    client.callTool({
      name: "mysql_query",
      arguments: {
        datasource_key: "bench",
        database: db.database,
        query: "SELECT * FROM t WHERE id = ?",
        params: [1 + (i % 1000)],
      },
    });
  const ping = () => client.ping();
  await timeSequential(500, lookup);
  await timeSequential(500, ping);
  for (let r = 0; r < 3; r++) {
    const measure = async (task: (i: number) => Promise<unknown>) => {
      const s0 = cpu(pid);
      const c0 = process.cpuUsage();
      const times = await timeSequential(count, task);
      const s1 = cpu(pid);
      const c1 = process.cpuUsage(c0);
      const per = (us: number) => (us / count).toFixed(0);
      return `p50 ${percentile(times, 50).toFixed(3)} ms, server ${per(s1[0] - s0[0])}u+${
        per(s1[1] - s0[1])
      }s µs, client ${per(c1.user)}u+${per(c1.system)}s µs`;
    };
    console.log(`lookup ${await measure(lookup)} | ping ${await measure(ping)}`);
  }
  await client.close();
} finally {
  await server.stop();
}
