/**
 * Everything a plugin file may import from the server, in one module that
 * main.ts loads itself: a plugin importing it needs no extra read permission,
 * and the single binary embeds it.
 */
export { z } from "zod";
export { definePlugin, defineTool } from "./tools/tool.ts";
export type {
  PluginDefinition,
  StatementRequest,
  ToolAnnotations,
  ToolContext,
  ToolDefinition,
} from "./tools/tool.ts";
export type { QueryHooks, StatementInfo } from "./gate/hooks.ts";
export type { ExecuteResult, QueryResult } from "./gate/sql_gate.ts";
export { ToolError } from "./errors/tool_error.ts";
export { quoteIdentifier } from "./sql/quote_identifier.ts";
export { renderRows } from "./tools/render_rows.ts";
export { executeOutput, queryOutput } from "./tools/builtins/schemas.ts";
