/**
 * Everything a plugin file may import from the server, under the stable name
 * `mysql-mcp/plugin` (deno.json maps it here, for plugin files anywhere; the
 * single binary embeds it). Plugins run in workers without permissions, so
 * this module and what it exports are pure: no file, network or environment.
 */
export { z } from "zod";
export { definePlugin, defineTool } from "./tools/tool.ts";
export type {
  PluginDefinition,
  StatementRequest,
  ToolAnnotations,
  ToolContext,
  ToolDefinition,
  ToolLogger,
} from "./tools/tool.ts";
export type { QueryHooks, StatementInfo } from "./gate/hooks.ts";
export type { ExecuteResult, QueryResult } from "./gate/sql_gate.ts";
export { ToolError } from "./errors/tool_error.ts";
export { quoteIdentifier } from "./sql/quote_identifier.ts";
export { renderRows } from "./tools/render_rows.ts";
export { executeOutput, queryOutput } from "./tools/builtins/schemas.ts";
