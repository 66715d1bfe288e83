import { z } from "zod";
import { scopeAllowsDatasource } from "../../gate/caller_scope.ts";
import { defineTool } from "../tool.ts";
import type { BuiltinServices } from "./services.ts";

export function listDatasources({ datasources }: BuiltinServices) {
  return defineTool({
    name: "mysql_list_datasources",
    description: "List the MySQL datasources you can use: key, name and availability.",
    input: z.object({}).strict(),
    output: z.object({
      datasources: z.array(z.object({
        key: z.string(),
        name: z.string(),
        status: z.enum(["available", "unavailable"]),
      })),
    }),
    annotations: { readOnlyHint: true },
    // A scoped caller sees only the datasources it may use.
    handler: (_args, ctx) => ({
      datasources: datasources.list().filter((d) =>
        scopeAllowsDatasource(ctx.caller?.scope ?? {}, d.key)
      ),
    }),
  });
}
