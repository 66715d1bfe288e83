import { connectionStats } from "./connection_stats.ts";
import { describeTable } from "./describe_table.ts";
import { execute } from "./execute.ts";
import { listDatabases } from "./list_databases.ts";
import { listDatasources } from "./list_datasources.ts";
import { listTables } from "./list_tables.ts";
import { query, streamCancel, streamNext } from "./query.ts";
import type { BuiltinServices } from "./services.ts";

export type { BuiltinServices } from "./services.ts";

/** Every built-in tool, in the order agents see them. Adding one is one line here. */
export const BUILTIN_TOOLS = [
  listDatasources,
  listDatabases,
  listTables,
  describeTable,
  query,
  streamNext,
  streamCancel,
  execute,
  connectionStats,
] as const;

export function builtinTools(services: BuiltinServices) {
  return BUILTIN_TOOLS.map((make) => make(services));
}
