/**
 * Profiling tool (not part of `deno task bench`): starts its own MariaDB, spawns the stdio server
 * with --cpu-prof, runs PK lookups and prints p50/p99 (or q/s with several in flight), the server
 * status counters per request, and the hottest functions of the server process.
 *
 *   deno run -A scripts/bench/profile_latency.ts [count=3000] [in-flight=1]
 *
 * INCLUSIVE=1 adds inclusive times per function; µs/req divides a function's time by the
 * requests made (warm-up included; startup is in the profile too, so they are upper bounds).
 * See docs/performance.md.
 */
import { startDatabaseServer } from "../throwaway_mariadb.ts";
import { seedBenchDatabase, writeBenchConfig } from "../bench.ts";
import { percentile, timeSequential } from "./measure.ts";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/index.d.ts"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/stdio.d.ts"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const count = Number(Deno.args[0] ?? 3000);
const inFlight = Number(Deno.args[1] ?? 1);
const server = await startDatabaseServer({ ignoreUrl: true });
const profDir = await Deno.makeTempDir({ prefix: "prof-" });
try {
  const db = await seedBenchDatabase(server);
  const config = await writeBenchConfig(db);
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: [
      "run",
      "--cpu-prof",
      `--cpu-prof-dir=${profDir}`,
      `--allow-net=${server.host}:${server.port}`,
      `--allow-read=${config.path},${config.plugins},${profDir}`,
      `--allow-write=${profDir}`,
      "--allow-env",
      "main.ts",
      "serve",
      "--config",
      config.path,
    ],
    env: { MYSQL_MCP_BENCH_PASSWORD: db.password, MYSQL_MCP_LOG_LEVEL: "warn" },
    stderr: "inherit",
  });
  const client = new Client({ name: "prof", version: "1" });
  await client.connect(transport);
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
  await timeSequential(300, lookup);
  const status = async () =>
    Object.fromEntries(
      ((await server.admin("SHOW GLOBAL STATUS")) as { Variable_name: string; Value: string }[])
        .filter((r) => /^(Com_|Questions|Bytes_|Connections)/.test(r.Variable_name))
        .map((r) => [r.Variable_name, Number(r.Value)]),
    );
  const before = await status();
  if (inFlight === 1) {
    const times = await timeSequential(count, lookup);
    console.log(
      `p50 ${percentile(times, 50).toFixed(3)} ms, p99 ${percentile(times, 99).toFixed(3)} ms`,
    );
  } else {
    const { default: process } = await import("node:process");
    const cpu0 = process.cpuUsage();
    const stat = () =>
      Deno.readTextFileSync(`/proc/${transport.pid}/stat`).split(") ")[1].split(" ");
    const s0 = stat();
    const started = performance.now();
    let n = 0;
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (n < count) {
        n++;
        await lookup(n);
      }
    }));
    const wall = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const s1 = stat();
    const serverCpu = (Number(s1[11]) + Number(s1[12]) - Number(s0[11]) - Number(s0[12])) / 100;
    console.log(
      `${(count / wall).toFixed(0)} q/s; client cpu ${
        ((cpu.user + cpu.system) / 1e6 / wall * 100).toFixed(0)
      }%, server cpu ${(serverCpu / wall * 100).toFixed(0)}%`,
    );
  }
  const after = await status();
  const deltas = Object.entries(after).map(([k, v]) => [k, (v - (before[k] ?? 0)) / count] as const)
    .filter(([, v]) => v > 0.01);
  console.log("per request:", deltas.map(([k, v]) => `${k}=${v.toFixed(2)}`).join(" "));
  await client.close();
  await new Promise((r) => setTimeout(r, 1500));
  for await (const entry of Deno.readDir(profDir)) {
    const profile = JSON.parse(await Deno.readTextFile(`${profDir}/${entry.name}`));
    const self = new Map<string, number>();
    const byId = new Map<number, any>();
    for (const node of profile.nodes) byId.set(node.id, node);
    const dt = profile.timeDeltas as number[];
    const counts = new Map<number, number>();
    profile.samples.forEach((id: number, i: number) =>
      counts.set(id, (counts.get(id) ?? 0) + (dt[i] ?? 0))
    );
    let total = 0;
    // Startup and warm-up are in the profile too: per request figures are upper bounds.
    const perRequest = (us: number) => `${(us / (count + 300)).toFixed(1)} µs/req`;
    for (const [id, us] of counts) {
      const node = byId.get(id);
      const f = node.callFrame;
      const key = `${f.functionName || "(anon)"} ${
        f.url.split("/").slice(-2).join("/")
      }:${f.lineNumber}`;
      self.set(key, (self.get(key) ?? 0) + us);
      total += us;
    }
    // Who calls the hottest native frames.
    const parentOf = new Map<number, number>();
    for (const node of profile.nodes) for (const c of node.children ?? []) parentOf.set(c, node.id);
    const callers = new Map<string, number>();
    for (const [id, us] of counts) {
      const node = byId.get(id);
      if (node.callFrame.functionName !== "writeBuffer") continue;
      const chain: string[] = [];
      for (let p = parentOf.get(id); p !== undefined && chain.length < 4; p = parentOf.get(p)) {
        chain.push(byId.get(p).callFrame.functionName || "(anon)");
      }
      callers.set(chain.join(" < "), (callers.get(chain.join(" < ")) ?? 0) + us);
    }
    for (const [k, us] of [...callers.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5)) {
      console.log(`writeBuffer ${(100 * us / total).toFixed(1)}% from ${k}`);
    }
    if (Deno.env.get("INCLUSIVE")) {
      const incl = new Map<string, number>();
      for (const [id, us] of counts) {
        const seen = new Set<string>();
        for (let p: number | undefined = id; p !== undefined; p = parentOf.get(p)) {
          const f = byId.get(p).callFrame;
          const k = `${f.functionName || "(anon)"} ${
            f.url.split("/").slice(-2).join("/")
          }:${f.lineNumber}`;
          if (seen.has(k)) continue;
          seen.add(k);
          incl.set(k, (incl.get(k) ?? 0) + us);
        }
      }
      for (const [k, us] of [...incl.entries()].sort((a, b) => b[1] - a[1]).slice(0, 60)) {
        console.log(`incl ${(100 * us / total).toFixed(1)}%\t${perRequest(us)}\t${k}`);
      }
    }
    const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 35);
    for (const [k, us] of top) {
      console.log(`${(100 * us / total).toFixed(1)}%\t${perRequest(us)}\t${k}`);
    }
  }
} finally {
  await server.stop();
  await Deno.remove(profDir, { recursive: true }).catch(() => {});
}
