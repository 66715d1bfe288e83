import { z } from "zod";
import { defineTool } from "../tool.ts";
import { database, datasourceKey } from "./schemas.ts";
import type { BuiltinServices } from "./services.ts";

export const tableSchemaOutput = z.object({
  table_name: z.string(),
  comment: z.string().optional(),
  columns: z.array(z.object({
    name: z.string(),
    data_type: z.string(),
    nullable: z.boolean(),
    default_value: z.string().nullable(),
    comment: z.string().nullable(),
    auto_increment: z.boolean().optional(),
  })),
  primary_key: z.array(z.string()),
  foreign_keys: z.array(z.object({
    name: z.string(),
    columns: z.array(z.string()),
    referenced_database: z.string().optional(),
    referenced_table: z.string(),
    referenced_columns: z.array(z.string()),
  })),
  indexes: z.array(z.object({
    name: z.string(),
    columns: z.array(z.string()),
    unique: z.boolean(),
    index_type: z.string(),
  })),
});

export function describeTable({ catalog }: BuiltinServices) {
  return defineTool({
    name: "mysql_describe_table",
    description: "Describe a table: columns, primary key, foreign keys and indexes.",
    input: z.object({
      datasource_key: datasourceKey,
      database,
      table: z.string().min(1).max(64).describe("Table name"),
    }).strict(),
    output: tableSchemaOutput,
    annotations: { readOnlyHint: true },
    handler: (args) => catalog.describe(args.datasource_key, args.database, args.table),
  });
}
