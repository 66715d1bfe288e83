import { z } from "zod";
import { defineTool } from "../tool.ts";
import { database, datasourceKey, executeOutput, sqlParams } from "./schemas.ts";
import type { BuiltinServices } from "./services.ts";

export function execute({ gate }: BuiltinServices) {
  return defineTool({
    name: "mysql_execute",
    description: "Run one INSERT, UPDATE, DELETE or REPLACE (no DDL); ? placeholders bind params.",
    input: z.object({
      datasource_key: datasourceKey,
      database,
      statement: z.string().max(1_000_000),
      params: sqlParams.optional(),
    }).strict(),
    output: executeOutput,
    annotations: { readOnlyHint: false, destructiveHint: true },
    handler: (args, ctx) =>
      gate.execute({
        datasource: args.datasource_key,
        database: args.database,
        sql: args.statement,
        params: args.params,
        signal: ctx.signal,
        requestId: ctx.requestId,
        tool: "mysql_execute",
        scope: ctx.caller?.scope,
      }),
  });
}
