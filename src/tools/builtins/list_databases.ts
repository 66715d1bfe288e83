import { z } from "zod";
import { defineTool } from "../tool.ts";
import { datasourceKey } from "./schemas.ts";
import type { BuiltinServices } from "./services.ts";
import { databaseInfo } from "../../datasources/catalog_schemas.ts";

export function listDatabases({ catalog }: BuiltinServices) {
  return defineTool({
    name: "mysql_list_databases",
    description: "List the databases of a datasource with size, charset and collation.",
    input: z.object({ datasource_key: datasourceKey }).strict(),
    output: z.object({
      databases: z.array(databaseInfo),
    }),
    annotations: { readOnlyHint: true },
    handler: async ({ datasource_key }) => ({
      databases: await catalog.databases(datasource_key),
    }),
  });
}
