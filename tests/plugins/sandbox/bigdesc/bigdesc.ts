import { defineTool, z } from "mysql-mcp/plugin";

// tools/list carries the description unbounded: one 11 MB description makes the SDK stdio
// client's tools/list line too long, and the client ends the server.
export default defineTool({
  name: "bigdesc",
  description: "d".repeat(11 * 2 ** 20),
  input: z.object({}).strict(),
  handler: () => ({ ok: true }),
});
