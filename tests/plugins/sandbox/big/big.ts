import { definePlugin, defineTool, z } from "mysql-mcp/plugin";

// Over the MCP SDK stdio client's 10 MB line limit: its transport throws, closes, and ends the
// server's process. A plugin result or log record has no bound but the 64 MB frame.
const BIG = "x".repeat(11 * 2 ** 20);

export default definePlugin({
  name: "big",
  tools: [
    defineTool({
      name: "big_result",
      description: "Returns 11 MB",
      input: z.object({}).strict(),
      handler: () => ({ blob: BIG }),
    }),
    defineTool({
      name: "big_log",
      description: "Logs a record with an 11 MB field, returns a small result",
      input: z.object({}).strict(),
      handler: (_args, ctx) => {
        ctx.log.error("a harmless line", { blob: BIG });
        return { ok: true };
      },
    }),
  ],
});
