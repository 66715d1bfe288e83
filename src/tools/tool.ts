import type { z } from "zod";
import type { Caller } from "../gate/caller_scope.ts";
import type { QueryHooks } from "../gate/hooks.ts";
import type { ExecuteResult, QueryResult } from "../gate/sql_gate.ts";
import type { EncodedRows } from "./render_rows.ts";

/** Hints for the agent host (MCP tool annotations); keep them honest. */
export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/** A statement a tool asks the gate to run. */
export interface StatementRequest {
  datasource: string;
  database: string;
  sql: string;
  params?: readonly unknown[];
  /** At most this many rows (never more than the source's max_rows). */
  maxRows?: number;
}

/** Structured log lines (JSON on stderr, scrubbed of secrets), tagged with the tool and request. */
export interface ToolLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * What a handler may do: run SQL through the gate, log, and notice
 * cancellation. There is no raw connection and no credential here.
 */
export interface ToolContext {
  query(request: StatementRequest): Promise<QueryResult>;
  execute(request: StatementRequest): Promise<ExecuteResult>;
  readonly log: ToolLogger;
  /** Aborted when the client cancels the call. */
  readonly signal: AbortSignal;
  readonly requestId: string;
  /**
   * Who is calling (an id, never a credential) and their scope. The server sets it for every
   * call; the gate applies the scope to `query` and `execute` itself. Absent in a plugin's
   * worker, whose SQL goes through the server's context.
   */
  readonly caller?: Caller;
}

/** A tool is data: the registry, not the tool, decides how it is served. */
export interface ToolDefinition<S extends z.ZodObject = z.ZodObject> {
  name: string;
  description: string;
  /** Use `.strict()` so unknown fields are refused; the registry enforces it. */
  input: S;
  output?: z.ZodType;
  annotations?: ToolAnnotations;
  handler(args: z.infer<S>, ctx: ToolContext): unknown | Promise<unknown>;
  /** Compact text for the agent; compact JSON when absent. */
  render?(result: unknown): string;
  /**
   * render() and the result's JSON in one pass (`encodeRows` for row results), so that
   * each row is serialised once for both the text and the structured content.
   */
  encode?(result: unknown): EncodedRows;
  /**
   * Set for a tool whose code runs in a plugin's worker: its zod schemas live
   * there, so tools/list shows these JSON Schemas, `input` only passes the
   * arguments on, and the worker validates them with the plugin's own schema.
   */
  listed?: { input: Record<string, unknown>; output?: Record<string, unknown> };
}

/** A result whose text was already rendered where the tool's code runs (a plugin's worker). */
export class RenderedResult {
  constructor(readonly value: unknown, readonly text: string) {}
}

/** A plugin file's default export: tools and/or hooks. */
export interface PluginDefinition {
  name: string;
  tools?: ToolDefinition[];
  hooks?: QueryHooks;
}

/** Identity helper that gives a tool definition its types. */
export function defineTool<S extends z.ZodObject>(
  definition: ToolDefinition<S>,
): ToolDefinition<S> {
  return definition;
}

/** Identity helper that gives a plugin definition its types. */
export function definePlugin(definition: PluginDefinition): PluginDefinition {
  return definition;
}
