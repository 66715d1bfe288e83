/**
 * Who is calling and what they may do. Every rule about a caller's scope is here; the tool
 * boundary (src/mcp/mcp_server.ts), the gate's policy and the stream registry ask these
 * functions, so the scope reads the same wherever it is enforced.
 *
 * @module
 */

import { ToolError } from "../errors/tool_error.ts";

/**
 * What one caller may do: the datasources it may use, whether it may write, the tools it may
 * call. Absent fields allow everything (a local stdio client has the full scope); an HTTP
 * client carries the scope its credentials map to.
 */
export interface CallerScope {
  readonly datasources?: readonly string[];
  readonly readOnly?: boolean;
  readonly tools?: readonly string[];
}

/**
 * One caller: `id` names it in logs and owns the streams it opens (never a credential);
 * `scope` bounds what it may do.
 */
export interface Caller {
  readonly id: string;
  readonly scope: CallerScope;
  /** The name metrics count this caller under (a bounded set); `id` when absent. */
  readonly client?: string;
}

/** The client on stdio: the process that started the server, with the full scope. */
export const LOCAL_CALLER: Caller = Object.freeze({ id: "stdio", scope: Object.freeze({}) });

/** Whether `scope` lets its caller use the datasource `key`. */
export function scopeAllowsDatasource(scope: CallerScope, key: string): boolean {
  return scope.datasources === undefined || scope.datasources.includes(key);
}

/** Whether `scope` lets its caller call the tool `name`. */
export function scopeAllowsTool(scope: CallerScope, name: string): boolean {
  return scope.tools === undefined || scope.tools.includes(name);
}

/**
 * Refuses, as PERMISSION_DENIED, what lies outside `scope`: the tool, the datasource, a write
 * under a read-only scope. Checked before anything runs, so nothing reaches a database.
 */
export function checkScope(
  scope: CallerScope,
  use: { tool?: string; datasource?: string; write?: boolean },
): void {
  if (use.tool !== undefined && !scopeAllowsTool(scope, use.tool)) {
    throw new ToolError(
      "PERMISSION_DENIED",
      `Tool "${use.tool.slice(0, 64)}" is outside this caller's scope`,
    );
  }
  if (use.datasource !== undefined && !scopeAllowsDatasource(scope, use.datasource)) {
    throw new ToolError(
      "PERMISSION_DENIED",
      `Datasource "${use.datasource.slice(0, 64)}" is outside this caller's scope`,
    );
  }
  if (use.write === true && scope.readOnly === true) {
    throw new ToolError(
      "PERMISSION_DENIED",
      "This caller's scope is read-only: mysql_execute is not allowed",
    );
  }
}
