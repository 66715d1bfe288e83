import type { QueryResult } from "../gate/sql_gate.ts";

/**
 * Compact, unambiguous text for a row result: the column names and types
 * once, then one JSON array per row (null is NULL, "" is an empty string,
 * numbers are bare, exact big numbers are quoted), then a summary line.
 */
export function renderRows(value: unknown): string {
  const result = value as QueryResult & { stream_id?: string; has_more?: boolean };
  const lines: string[] = [];
  if (result.columns.length > 0) {
    lines.push(`columns: ${JSON.stringify(result.columns.map((c) => c.name))}`);
    lines.push(`types: ${JSON.stringify(result.columns.map((c) => c.data_type))}`);
  }
  for (const row of result.rows) lines.push(JSON.stringify(row));
  let summary = `${result.row_count} row${result.row_count === 1 ? "" : "s"}`;
  if (result.truncated) summary += " (truncated: see the warning)";
  if (result.stream_id) {
    summary += result.has_more
      ? `; more in stream ${result.stream_id} (mysql_stream_next)`
      : "; end of stream";
  }
  lines.push(`${summary}; ${result.execution_time_ms} ms`);
  for (const warning of result.warnings ?? []) lines.push(`warning: ${warning}`);
  return lines.join("\n");
}
