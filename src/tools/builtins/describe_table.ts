import { z } from "zod";
import { defineTool } from "../tool.ts";
import { database, datasourceKey } from "./schemas.ts";
import type { BuiltinServices } from "./services.ts";
import { tableSchema } from "../../datasources/catalog_schemas.ts";

export function describeTable({ catalog }: BuiltinServices) {
  return defineTool({
    name: "mysql_describe_table",
    description: "Describe a table: columns, primary key, foreign keys and indexes.",
    input: z.object({
      datasource_key: datasourceKey,
      database,
      table: z.string().min(1).max(64).describe("Table name"),
    }).strict(),
    output: tableSchema,
    annotations: { readOnlyHint: true },
    handler: (args) => catalog.describe(args.datasource_key, args.database, args.table),
  });
}
