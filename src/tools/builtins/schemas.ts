import { z } from "zod";

/** Fields shared by the built-in tools' input schemas. */
export const datasourceKey = z.string().min(1).describe("From mysql_list_datasources");
export const database = z.string().min(1).describe("Database name");
export const sqlParams = z.array(z.union([z.string(), z.number(), z.boolean(), z.null()]))
  .max(1000)
  .describe("Values for the ? placeholders");

export const columnSchema = z.object({
  name: z.string(),
  data_type: z.string(),
  nullable: z.boolean(),
});

/** The result shape shared by mysql_query and mysql_stream_next. */
export const queryOutput = z.object({
  columns: z.array(columnSchema),
  rows: z.array(z.array(z.unknown())),
  row_count: z.number(),
  truncated: z.boolean(),
  execution_time_ms: z.number(),
  warnings: z.array(z.string()).optional(),
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
