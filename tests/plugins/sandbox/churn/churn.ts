import { defineTool, z } from "mysql-mcp/plugin";

// Right after it said "ready", the process kills itself; the server starts a fresh one at
// once, with no backoff and no limit, whether or not anyone calls it.
setTimeout(() => Deno.kill(Deno.pid, "SIGKILL"), 50);

export default defineTool({
  name: "churn",
  description: "Never called",
  input: z.object({}).strict(),
  handler: () => ({ ok: true }),
});
