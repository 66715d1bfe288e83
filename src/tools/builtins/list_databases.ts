import { z } from "zod";
import { defineTool } from "../tool.ts";
import { datasourceKey } from "./schemas.ts";
import type { BuiltinServices } from "./services.ts";

export function listDatabases({ catalog }: BuiltinServices) {
  return defineTool({
    name: "mysql_list_databases",
    description: "List the databases of a datasource with size, charset and collation.",
    input: z.object({ datasource_key: datasourceKey }).strict(),
    output: z.object({
      databases: z.array(z.object({
        name: z.string(),
        size_bytes: z.number(),
        charset: z.string(),
        collation: z.string(),
      })),
    }),
    annotations: { readOnlyHint: true },
    handler: async ({ datasource_key }) => ({
      databases: await catalog.databases(datasource_key),
    }),
  });
}
