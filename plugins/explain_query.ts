/**
 * explain_query: EXPLAIN FORMAT=JSON of a read statement, summarised for an
 * agent: per table the access type, rows examined, the index used and the
 * indexes it could have used.
 */
import { definePlugin, defineTool, z } from "mysql-mcp/plugin";

interface TableAccess {
  table: string;
  access_type: string;
  rows_examined: number | null;
  key: string | null;
  possible_keys: string[];
  filtered: number | null;
  condition?: string;
}

/** Walks MySQL's and MariaDB's EXPLAIN JSON, collecting every "table" node. */
function collectTables(node: unknown, out: TableAccess[]) {
  if (Array.isArray(node)) {
    for (const child of node) collectTables(child, out);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const record = node as Record<string, unknown>;
  const table = record.table as Record<string, unknown> | undefined;
  if (table && typeof table === "object" && typeof table.table_name === "string") {
    out.push({
      table: table.table_name,
      access_type: String(table.access_type ?? "unknown"),
      rows_examined: numberOrNull(table.rows ?? table.rows_examined_per_scan),
      key: typeof table.key === "string" ? table.key : null,
      possible_keys: Array.isArray(table.possible_keys) ? table.possible_keys.map(String) : [],
      filtered: numberOrNull(table.filtered),
      ...(typeof table.attached_condition === "string"
        ? { condition: table.attached_condition }
        : {}),
    });
  }
  for (const value of Object.values(record)) collectTables(value, out);
}

function numberOrNull(value: unknown): number | null {
  const n = Number(value);
  return value === undefined || value === null || Number.isNaN(n) ? null : n;
}

export default definePlugin({
  name: "explain_query",
  tools: [defineTool({
    name: "explain_query",
    description:
      "Explain how MySQL would run a SELECT: per table the access type (ALL = full scan), rows examined and index used.",
    input: z.object({
      datasource_key: z.string().min(1),
      database: z.string().min(1),
      query: z.string().min(1).max(100_000).describe("A SELECT statement"),
    }).strict(),
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async (args, ctx) => {
      // The gate classifies EXPLAIN by the statement it wraps, so only reads pass.
      const result = await ctx.query({
        datasource: args.datasource_key,
        database: args.database,
        sql: `EXPLAIN FORMAT=JSON ${args.query}`,
      });
      const plan = JSON.parse(String(result.rows[0]?.[0] ?? "{}"));
      const tables: TableAccess[] = [];
      collectTables(plan, tables);
      const fullScans = tables.filter((t) => t.access_type === "ALL").map((t) => t.table);
      return {
        tables,
        full_scans: fullScans,
        rows_examined_total: tables.reduce((sum, t) => sum + (t.rows_examined ?? 0), 0),
        ...(fullScans.length ? { hint: `Full table scan on ${fullScans.join(", ")}` } : {}),
      };
    },
  })],
});
