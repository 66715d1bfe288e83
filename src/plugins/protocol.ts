/**
 * The messages between the server and a plugin's process. A plugin reaches
 * the server only through these: it asks for SQL, logs and writes to stderr;
 * the server calls its tools and hooks. Everything crosses as JSON frames.
 */
import type { ToolAnnotations } from "../tools/tool.ts";
import type { ErrorCode, ErrorDetails } from "../errors/tool_error.ts";
import type { QueryResult } from "../gate/sql_gate.ts";
import type { StatementInfo } from "../gate/hooks.ts";
import type { StatementRequest } from "../tools/tool.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type HookName = "beforeQuery" | "afterQuery" | "onError";

/** A tool as the worker describes it: JSON Schemas, never code. */
export interface ToolDescription {
  name: string;
  description: string;
  input: Record<string, unknown>;
  output?: Record<string, unknown>;
  annotations?: ToolAnnotations;
}

/** A failure as it crosses: a ToolError keeps its code; anything else is internal. */
export type WireError =
  | { code: ErrorCode; message: string; details?: ErrorDetails }
  | { internal: string };

/** Server → plugin. */
export type HostMessage =
  | { t: "call"; id: number; tool: string; args: unknown; requestId: string }
  | { t: "cancel"; id: number }
  | { t: "hook"; id: number; hook: HookName; info: StatementInfo; payload?: unknown }
  | { t: "sql-done"; id: number; value?: unknown; error?: WireError }
  | { t: "ping" };

/** Plugin → server. */
export type WorkerMessage =
  | { t: "ready"; name: string; tools: ToolDescription[]; hooks: HookName[] }
  | { t: "failed"; reason: string }
  | { t: "result"; id: number; value: unknown; text: string }
  | { t: "hook-done"; id: number; value?: unknown; error?: WireError }
  | { t: "error"; id: number; error: WireError }
  | { t: "sql"; id: number; call: number; kind: "query" | "execute"; request: StatementRequest }
  | { t: "log"; call?: number; level: LogLevel; msg: string; fields?: Record<string, unknown> }
  | { t: "stderr"; text: string }
  | { t: "pong" };

export type { QueryResult };
