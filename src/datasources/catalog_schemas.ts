import { z } from "zod";

/** One database as mysql_list_databases lists it. */
export const databaseInfo = z.object({
  name: z.string(),
  size_bytes: z.number(),
  charset: z.string(),
  collation: z.string(),
});

/** One table or view as mysql_list_tables lists it. */
export const tableInfo = z.object({
  name: z.string(),
  type: z.enum(["table", "view"]),
  row_count: z.number().nullable(),
  size_bytes: z.number().nullable(),
  engine: z.string().nullable(),
  comment: z.string().optional(),
});

/** A table as mysql_describe_table describes it. */
export const tableSchema = z.object({
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
