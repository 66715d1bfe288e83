import type { QueryResult } from "../gate/sql_gate.ts";

type RowResult = QueryResult & { stream_id?: string; has_more?: boolean };

/** A row result's text for the agent and its rows as JSON, from one encoding of each row. */
export interface EncodedRows {
  readonly text: string;
  /** Each row's `JSON.stringify`, the same strings as the text's row lines. */
  readonly rows: readonly string[];
}

/**
 * Compact, unambiguous text for a row result: the column names and types
 * once, then one JSON array per row (null is NULL, "" is an empty string,
 * numbers are bare, exact big numbers are quoted), then a summary line.
 */
export function renderRows(value: unknown): string {
  const result = value as RowResult;
  return rowText(result, result.rows.map((row) => JSON.stringify(row)));
}

/**
 * renderRows() and each row's JSON together, each row serialised once: the text's row lines
 * and the structured content's rows are the same strings. The MCP layer splices them into the
 * outgoing message instead of serialising the rows again.
 */
export function encodeRows(value: unknown): EncodedRows {
  const result = value as RowResult;
  const rows = result.rows.map((row) => JSON.stringify(row));
  return { text: rowText(result, rows), rows };
}

function rowText(result: RowResult, rows: string[]): string {
  const lines: string[] = [];
  if (result.columns.length > 0) {
    lines.push(`columns: ${JSON.stringify(result.columns.map((c) => c.name))}`);
    lines.push(`types: ${JSON.stringify(result.columns.map((c) => c.data_type))}`);
  }
  // Into the one array that is joined once: no intermediate copy of all the rows.
  for (const row of rows) lines.push(row);
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

/** What a tool answering with a row result sets: its text, and its text with its JSON. */
export const rowRendering = { render: renderRows, encode: encodeRows } as const;
