import { z } from "zod";

/** Fields shared by the built-in tools' input schemas. */
export const datasourceKey = z.string().min(1).describe("From mysql_list_datasources");
export const database = z.string().min(1).describe("Database name");
export const sqlParams = z.array(z.union([z.string(), z.number(), z.boolean(), z.null()]))
  .max(1000)
  .describe("Values for the ? placeholders");

// The result shapes are the gate's: it answers them, the tools declare them.
export { columnSchema, executeOutput, queryOutput } from "../../gate/results.ts";
