import { z } from "zod";
import { defineTool } from "../tool.ts";
import { database, datasourceKey } from "./schemas.ts";
import type { BuiltinServices } from "./services.ts";
import { tableInfo } from "../../datasources/catalog_schemas.ts";

export function listTables({ catalog }: BuiltinServices) {
  return defineTool({
    name: "mysql_list_tables",
    description: "List the tables and views of a database: estimated rows, size, engine.",
    input: z.object({ datasource_key: datasourceKey, database }).strict(),
    output: z.object({
      tables: z.array(tableInfo),
    }),
    annotations: { readOnlyHint: true },
    handler: async (args) => ({ tables: await catalog.tables(args.datasource_key, args.database) }),
  });
}
