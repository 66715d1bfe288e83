import { defineTool, z } from "mysql-mcp/plugin";
import { writeSync } from "node:fs";

// Never called: two seconds after loading, the process writes a `log` frame of its own (no
// call id, an 11 MB field) on its raw stdout. The server logs it and mirrors it to the client
// as an MCP notification (once the client has asked for logging), a line over the SDK's 10 MB.
function frame(message: unknown): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify(message));
  const out = new Uint8Array(4 + body.byteLength);
  new DataView(out.buffer).setUint32(0, body.byteLength);
  out.set(body, 4);
  return out;
}
setTimeout(() => {
  writeSync(
    1,
    frame({ t: "log", level: "error", msg: "idle", fields: { blob: "z".repeat(11 * 2 ** 20) } }),
  );
}, 2_000);

export default defineTool({
  name: "biglog_idle",
  description: "Never called",
  input: z.object({}).strict(),
  handler: () => ({ ok: true }),
});
