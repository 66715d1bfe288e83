import { z } from "zod";
import { LOCAL_CALLER } from "../../gate/caller_scope.ts";
import { defineTool, type ToolContext } from "../tool.ts";
import { rowRendering } from "../render_rows.ts";
import { database, datasourceKey, queryOutput, sqlParams } from "./schemas.ts";
import type { BuiltinServices } from "./services.ts";

export function query({ gate, streams }: BuiltinServices) {
  return defineTool({
    name: "mysql_query",
    description:
      "Run one read statement (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN); ? placeholders bind params. stream: true pages big results via mysql_stream_next.",
    input: z.object({
      datasource_key: datasourceKey,
      database,
      query: z.string().max(1_000_000).describe("One read statement"),
      params: sqlParams.optional(),
      stream: z.boolean().optional().describe("Stream a large result in chunks"),
    }).strict(),
    output: queryOutput,
    ...rowRendering,
    annotations: { readOnlyHint: true },
    handler: (args, ctx) => {
      const request = {
        datasource: args.datasource_key,
        database: args.database,
        sql: args.query,
        params: args.params,
        signal: ctx.signal,
        requestId: ctx.requestId,
        tool: "mysql_query",
        scope: ctx.caller?.scope,
      };
      return args.stream ? streams.open(request, ownerOf(ctx)) : gate.query(request);
    },
  });
}

export function streamNext({ streams }: BuiltinServices) {
  return defineTool({
    name: "mysql_stream_next",
    description: "Next chunk of a streamed mysql_query; has_more: false on the last one.",
    input: z.object({ stream_id: z.string().min(1) }).strict(),
    output: queryOutput,
    ...rowRendering,
    annotations: { readOnlyHint: true },
    handler: ({ stream_id }, ctx) => streams.next(stream_id, ownerOf(ctx)),
  });
}

export function streamCancel({ streams }: BuiltinServices) {
  return defineTool({
    name: "mysql_stream_cancel",
    description: "Stop a streamed query and free its connection.",
    input: z.object({ stream_id: z.string().min(1) }).strict(),
    output: z.object({ cancelled: z.literal(true) }),
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: ({ stream_id }, ctx) => streams.cancel(stream_id, ownerOf(ctx)),
  });
}

/** A stream belongs to the caller that opened it: only that caller may read or cancel it. */
function ownerOf(ctx: ToolContext): string {
  return (ctx.caller ?? LOCAL_CALLER).id;
}
