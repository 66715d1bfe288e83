import { z } from "zod";
import { defineTool } from "../tool.ts";
import { database, datasourceKey, sqlParams } from "./schemas.ts";
import type { BuiltinServices } from "./services.ts";

export function execute({ gate }: BuiltinServices) {
  return defineTool({
    name: "mysql_execute",
    description:
      "Run one INSERT, UPDATE, DELETE or REPLACE; returns affected_rows and last_insert_id. DDL and other statements are refused.",
    input: z.object({
      datasource_key: datasourceKey,
      database,
      statement: z.string().min(1).max(1_000_000).describe("One DML statement; use ? for params"),
      params: sqlParams.optional(),
    }).strict(),
    output: z.object({
      affected_rows: z.number(),
      last_insert_id: z.union([z.number(), z.string()]).nullable(),
      execution_time_ms: z.number(),
      warnings: z.array(z.string()).optional(),
    }),
    annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
    handler: (args, ctx) =>
      gate.execute({
        datasource: args.datasource_key,
        database: args.database,
        sql: args.statement,
        params: args.params,
        signal: ctx.signal,
        requestId: ctx.requestId,
        tool: "mysql_execute",
      }),
  });
}
