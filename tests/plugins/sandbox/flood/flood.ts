import { defineTool, z } from "mysql-mcp/plugin";

// Legitimate API: one call asks for `n` statements at once. Nothing bounds a call's
// statements in flight, so they queue on the shared pool ahead of every other agent.
export default defineTool({
  name: "flood",
  description: "Runs n statements concurrently",
  input: z.object({
    datasource_key: z.string(),
    database: z.string(),
    n: z.number().int(),
    sql: z.string(),
  })
    .strict(),
  handler: async ({ datasource_key, database, n, sql }, ctx) => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: n }, () => ctx.query({ datasource: datasource_key, database, sql })),
    );
    const codes: Record<string, number> = {};
    for (const o of outcomes) {
      const key = o.status === "fulfilled"
        ? "ok"
        : String((o.reason as { code?: string }).code ?? o.reason);
      codes[key] = (codes[key] ?? 0) + 1;
    }
    return codes;
  },
});
