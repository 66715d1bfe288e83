import { defineTool, z } from "mysql-mcp/plugin";

// An honest plugin that keeps something in localStorage (no permission needed).
export default defineTool({
  name: "victim_remember",
  description: "Remembers a value",
  input: z.object({ value: z.string() }).strict(),
  handler: ({ value }) => {
    localStorage.setItem("victim-token", value);
    return { ok: true };
  },
});
