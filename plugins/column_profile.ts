/** column_profile: per column the null ratio, distinct count, min and max. */
import { definePlugin, defineTool, quoteIdentifier, z } from "mysql-mcp/plugin";

export default definePlugin({
  name: "column_profile",
  tools: [defineTool({
    name: "column_profile",
    description:
      "Profile a table's columns: row count, null ratio, distinct count, min and max (at most 50 columns).",
    input: z.object({
      datasource_key: z.string().min(1),
      database: z.string().min(1),
      table: z.string().min(1).max(64),
    }).strict(),
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async (args, ctx) => {
      const target = { datasource: args.datasource_key, database: args.database };
      // SHOW COLUMNS stays inside the allow-list, unlike information_schema.
      const columns = await ctx.query({
        ...target,
        sql: `SHOW COLUMNS FROM ${quoteIdentifier(args.table)}`,
      });
      const names = columns.rows.slice(0, 50).map((r) => String(r[0]));
      if (names.length === 0) return { table: args.table, row_count: 0, columns: [] };
      const parts = names.flatMap((name) => {
        const c = quoteIdentifier(name);
        return [`SUM(${c} IS NULL)`, `COUNT(DISTINCT ${c})`, `MIN(${c})`, `MAX(${c})`];
      });
      const stats = await ctx.query({
        ...target,
        sql: `SELECT COUNT(*), ${parts.join(", ")} FROM ${quoteIdentifier(args.table)}`,
      });
      const row = stats.rows[0];
      const total = Number(row[0]);
      return {
        table: args.table,
        row_count: total,
        columns: names.map((name, i) => ({
          name,
          null_ratio: total ? Number(row[1 + i * 4]) / total : 0,
          distinct: Number(row[2 + i * 4]),
          min: row[3 + i * 4],
          max: row[4 + i * 4],
        })),
      };
    },
  })],
});
