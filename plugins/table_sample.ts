/** table_sample: N random rows of a table, to show an agent what the data looks like. */
import {
  definePlugin,
  defineTool,
  queryOutput,
  quoteIdentifier,
  renderRows,
  z,
} from "mysql-mcp/plugin";

export default definePlugin({
  name: "table_sample",
  tools: [defineTool({
    name: "table_sample",
    description: "Up to `rows` random rows of a table (default 10, max 100).",
    input: z.object({
      datasource_key: z.string().min(1),
      database: z.string().min(1),
      table: z.string().min(1).max(64),
      rows: z.number().int().min(1).max(100).default(10),
    }).strict(),
    output: queryOutput,
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: (args, ctx) =>
      ctx.query({
        datasource: args.datasource_key,
        database: args.database,
        // The identifier is validated and quoted; the row count is bound.
        sql: `SELECT * FROM ${quoteIdentifier(args.table)} ORDER BY RAND() LIMIT ?`,
        params: [args.rows],
      }),
    render: renderRows,
  })],
});
