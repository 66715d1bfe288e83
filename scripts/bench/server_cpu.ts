/**
 * Profiling tool (not part of `deno task bench`): the server's own CPU per request. Starts its
 * own MariaDB, spawns the stdio server as the bench does, and runs blocks of PK lookups and of
 * `ping` through the SDK client; prints each block's p50 and the server process's user and
 * system CPU per request (from /proc, 10 ms ticks: use a few thousand requests).
 *
 *   deno run -A scripts/bench/server_cpu.ts [count=3000]
 */
const root = new URL("../..", import.meta.url).pathname;
const count = Number(Deno.args[0] ?? 3000);
const { startDatabaseServer } = await import(`${root}/scripts/throwaway_mariadb.ts`);
const { connectClient, seedBenchDatabase, writeBenchConfig } = await import(
  `${root}/scripts/bench.ts`
);
const { percentile, timeSequential } = await import(`${root}/scripts/bench/measure.ts`);
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
    let c0 = cpu(pid);
    const t = await timeSequential(count, lookup);
    let c1 = cpu(pid);
    const lc = `${((c1[0] - c0[0]) / count).toFixed(0)}u+${((c1[1] - c0[1]) / count).toFixed(0)}s`;
    c0 = cpu(pid);
    const p = await timeSequential(count, ping);
    c1 = cpu(pid);
    const pc = `${((c1[0] - c0[0]) / count).toFixed(0)}u+${((c1[1] - c0[1]) / count).toFixed(0)}s`;
    console.log(
      `lookup p50 ${percentile(t, 50).toFixed(3)} ms cpu ${lc} µs | ping p50 ${
        percentile(p, 50).toFixed(3)
      } ms cpu ${pc} µs | lookup − ping ${(percentile(t, 50) - percentile(p, 50)).toFixed(3)}`,
    );
  }
  await client.close();
} finally {
  await server.stop();
}
