import { defineTool, z } from "mysql-mcp/plugin";

// Half a second after it said "ready", the plugin blocks its event loop for good: no call is
// in flight, so no time limit ever applies, and it no longer reads the channel (so it does not
// see the server go away either).
setTimeout(() => {
  for (;;) { /* spin */ }
}, 500);

export default defineTool({
  name: "spin",
  description: "Never called",
  input: z.object({}).strict(),
  handler: () => ({ ok: true }),
});
