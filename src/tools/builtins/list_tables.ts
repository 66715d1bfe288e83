import { z } from "zod";
import { defineTool } from "../tool.ts";
import { database, datasourceKey } from "./schemas.ts";
import type { BuiltinServices } from "./services.ts";

export function listTables({ catalog }: BuiltinServices) {
  return defineTool({
    name: "mysql_list_tables",
    description: "List the tables and views of a database: estimated rows, size, engine.",
    input: z.object({ datasource_key: datasourceKey, database }).strict(),
    output: z.object({
      tables: z.array(z.object({
        name: z.string(),
        type: z.enum(["table", "view"]),
        row_count: z.number().nullable(),
        size_bytes: z.number().nullable(),
        engine: z.string().nullable(),
        comment: z.string().optional(),
      })),
    }),
    annotations: { readOnlyHint: true },
    handler: async (args) => ({ tables: await catalog.tables(args.datasource_key, args.database) }),
  });
}
