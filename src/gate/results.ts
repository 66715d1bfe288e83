import { z } from "zod";

/** A result column as the agent sees it; the schema is the type (`ColumnInfo`). */
export const columnSchema = z.object({
  name: z.string(),
  data_type: z.string(),
  nullable: z.boolean(),
});

/** What the gate answers for a query. */
export const queryResult = z.object({
  columns: z.array(columnSchema),
  rows: z.array(z.array(z.unknown())),
  row_count: z.number(),
  truncated: z.boolean(),
  execution_time_ms: z.number(),
  warnings: z.array(z.string()).optional(),
});

/** The result shape shared by mysql_query and mysql_stream_next: a query result, maybe a stream's chunk. */
export const queryOutput = queryResult.extend({
  stream_id: z.string().min(1).optional(),
  has_more: z.boolean().optional(),
});

/** The result shape of mysql_execute and write tools. */
export const executeOutput = z.object({
  affected_rows: z.number(),
  last_insert_id: z.union([z.number(), z.string()]).nullable(),
  execution_time_ms: z.number(),
  warnings: z.array(z.string()).optional(),
});

export type ColumnInfo = z.infer<typeof columnSchema>;
export type QueryResult = z.infer<typeof queryResult>;
export type ExecuteResult = z.infer<typeof executeOutput>;
