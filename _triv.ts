import { percentile, timeSequential } from "./scripts/bench/measure.ts";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/index.d.ts"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/stdio.d.ts"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
const transport = new StdioClientTransport({ command: Deno.execPath(), args: ["run", "--allow-net=127.0.0.1:1", "--allow-read=/tmp/x.toml", "--allow-env=MYSQL_MCP_CONFIG,MYSQL_MCP_LOG_LEVEL", "main.ts", "serve", "--config", "/tmp/x.toml"], stderr: "ignore" });
const client = new Client({ name: "c", version: "1" });
await client.connect(transport);
await client.listTools();
const call = () => client.callTool({ name: "mysql_list_datasources", arguments: {} });
const ping = () => client.ping();
for (const [name, fn] of [["list_datasources", call], ["ping", ping]] as const) {
  await timeSequential(300, fn);
  const t = await timeSequential(3000, fn);
  console.log(name, "p50", percentile(t, 50).toFixed(3), "p99", percentile(t, 99).toFixed(3));
}
await client.close();
