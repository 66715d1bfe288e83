/**
 * The cost of the plugin channel alone: a plugin tool whose handler makes one
 * `ctx.query` (answered here at once, no database), called in sequence through
 * PluginProcess. Two round trips to the plugin's process per call.
 *   deno run -A scripts/bench/plugin_channel.ts [count]
 */
import { Logger } from "../../src/log/logger.ts";
import { PluginProcess } from "../../src/plugins/plugin_process.ts";
import type { ToolContext } from "../../src/tools/tool.ts";

const count = Number(Deno.args[0] ?? 3000);
const dir = await Deno.makeTempDir();
const file = `${dir}/echo_plugin.ts`;
await Deno.writeTextFile(
  file,
  `import { defineTool, z } from "mysql-mcp/plugin";
export default defineTool({
  name: "echo_sql",
  description: "one ctx.query, echoed",
  input: z.object({ n: z.number() }).strict(),
  handler: async ({ n }, ctx) => await ctx.query({ datasource: "x", sql: "SELECT " + n }),
});
`,
);
const log = new Logger({ level: "error", sinks: [] });
const { child } = await PluginProcess.start(file, "echo_plugin.ts", {
  timeLimitMs: 10_000,
  hookTimeLimitMs: 10_000,
  log,
});
const ctx = {
  requestId: "bench",
  signal: new AbortController().signal,
  log,
  query: (request: { sql: string }) =>
    Promise.resolve({ columns: [{ name: "n", type: "INT" }], rows: [[request.sql]] }),
  execute: () => Promise.reject(new Error("no")),
} as unknown as ToolContext;
const times: number[] = [];
for (let i = 0; i < count; i++) {
  const started = performance.now();
  await child.call("echo_sql", { n: i }, ctx);
  times.push(performance.now() - started);
}
times.splice(0, Math.floor(count / 10));
times.sort((a, b) => a - b);
const at = (p: number) => times[Math.floor(times.length * p)].toFixed(3);
console.log(
  `plugin call with one ctx.query: p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, p99 ${at(0.99)} ms`,
);
child.close();
await Deno.remove(dir, { recursive: true });
Deno.exit(0);
