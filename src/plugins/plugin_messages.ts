/**
 * The server's reading of what a plugin's process sends: every field is the
 * plugin's word, so each is checked for its type and bounded in size before
 * it is used, and nothing here throws on a malformed value (a call must never
 * be left waiting because its answer could not be read). What does not fit
 * becomes a plain failure.
 */
import { type ErrorCode, type ErrorDetails, ToolError } from "../errors/tool_error.ts";
import type { ToolAnnotations } from "../tools/tool.ts";
import type { HookName, ToolDescription, WireError } from "./protocol.ts";

/** What a plugin's process said about itself once its module loaded. */
export interface PluginDescription {
  name: string;
  tools: ToolDescription[];
  hooks: HookName[];
}

/** A frame from a plugin larger than this ends its process: a stdio line must stay under 10 MB. */
export const MAX_PLUGIN_FRAME_BYTES = 4 * 2 ** 20;
const MAX_MESSAGE_CHARS = 2_000;
const MAX_FIELDS_CHARS = 16_384;
const MAX_LOG_CHARS = 10_000;

const ERROR_CODES = new Set<string>([
  "AUTHENTICATION_ERROR",
  "DATABASE_NOT_FOUND",
  "TABLE_NOT_FOUND",
  "INVALID_ARGUMENT",
  "STATEMENT_NOT_ALLOWED",
  "CONNECTION_FAILED",
  "POOL_EXHAUSTED",
  "QUERY_TIMEOUT",
  "QUERY_EXECUTION_ERROR",
  "STREAM_NOT_FOUND",
  "STREAM_CANCELLED",
  "CONFIGURATION_ERROR",
  "PERMISSION_DENIED",
  "INTERNAL_ERROR",
]);

/**
 * Fields of the server's own log records: a plugin's log fields never replace
 * them, so a record cannot claim another plugin, level or request.
 */
const RESERVED_FIELDS = new Set([
  "level",
  "time",
  "msg",
  "plugin",
  "file",
  "tool",
  "request_id",
  "datasource",
  "database",
  "audit",
  "event",
  "error_code",
  "duration_ms",
  "source_plugin",
]);

/** Whatever a plugin threw that is not a ToolError: logged with its text, answered as internal. */
export class PluginFailure extends Error {
  override name = "PluginFailure";
}

/** The plugin as its "ready" message describes it; tools are checked one by one later. */
export function describedPlugin(message: unknown): PluginDescription {
  const ready = message as Record<string, unknown>;
  return {
    name: typeof ready.name === "string" ? clip(ready.name, 200) : "(unnamed)",
    tools: Array.isArray(ready.tools) ? ready.tools : [],
    hooks: Array.isArray(ready.hooks)
      ? ready.hooks.filter((hook): hook is HookName => HOOK_NAMES.has(hook))
      : [],
  };
}

const HOOK_NAMES = new Set<unknown>(["beforeQuery", "afterQuery", "onError"]);

/** A call id as the plugin sent it, or undefined when it is not one. */
export function idOf(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) ? value : undefined;
}

/** A failure as the plugin sent it, as the server's: a known code stays a ToolError. */
export function fromWire(error: unknown): Error {
  if (typeof error === "object" && error !== null && !Array.isArray(error)) {
    const wire = error as Record<string, unknown>;
    if (typeof wire.code === "string" && ERROR_CODES.has(wire.code)) {
      const message = typeof wire.message === "string" ? wire.message : "plugin error";
      return new ToolError(
        wire.code as ErrorCode,
        clip(message, MAX_MESSAGE_CHARS),
        boundedObject(wire.details) as ErrorDetails | undefined,
      );
    }
    if (typeof wire.internal === "string") {
      return new PluginFailure(clip(wire.internal, MAX_MESSAGE_CHARS));
    }
  }
  return new PluginFailure("the plugin sent a failure the server cannot read");
}

/** A ToolError as it crosses to the plugin. */
export function toWire(error: ToolError): WireError {
  return {
    code: error.code,
    message: error.message,
    ...(error.details ? { details: error.details } : {}),
  };
}

/** A log record's text, bounded. */
export function logText(value: unknown): string {
  return clip(typeof value === "string" ? value : "(not text)", MAX_LOG_CHARS);
}

/** A log record's fields: an object of bounded size, without the server's own field names. */
export function logFields(value: unknown): Record<string, unknown> | undefined {
  const fields = boundedObject(value);
  if (!fields) return undefined;
  const kept: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(fields)) {
    kept[RESERVED_FIELDS.has(key) ? `plugin_${key}` : key] = field;
  }
  return kept;
}

/** A beforeQuery hook's refusal: text, bounded; anything else lets the statement run. */
export function refusalText(value: unknown): string | undefined {
  return typeof value === "string" ? clip(value, MAX_MESSAGE_CHARS) : undefined;
}

/** A plain object whose JSON is at most 16 KB, or undefined. */
function boundedObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  try {
    const text = JSON.stringify(value);
    return text.length <= MAX_FIELDS_CHARS
      ? value as Record<string, unknown>
      : { truncated: `${text.length} characters of fields left out` };
  } catch {
    return undefined;
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more)`;
}

const TOOL_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_DESCRIPTION_CHARS = 4_096;
const MAX_SCHEMA_CHARS = 65_536;
const HINTS = ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const;

/**
 * A tool as the plugin described it, checked so that it cannot break
 * `tools/list` for every client (a schema that is not an object, a hint that
 * is not a boolean, megabytes of description); the reason when it is unfit.
 */
export function checkedTool(value: unknown): ToolDescription | string {
  if (typeof value !== "object" || value === null) return "not a tool description";
  const tool = value as Record<string, unknown>;
  if (typeof tool.name !== "string" || !TOOL_NAME.test(tool.name)) {
    return "its name must be 1-64 letters, digits, '_', '.' or '-'";
  }
  if (typeof tool.description !== "string" || tool.description.length > MAX_DESCRIPTION_CHARS) {
    return `its description must be text of at most ${MAX_DESCRIPTION_CHARS} characters`;
  }
  const input = objectSchema(tool.input);
  if (typeof input === "string") return `its input schema ${input}`;
  const output = tool.output === undefined ? undefined : objectSchema(tool.output);
  if (typeof output === "string") return `its output schema ${output}`;
  let annotations: ToolAnnotations | undefined;
  if (tool.annotations !== undefined) {
    if (typeof tool.annotations !== "object" || tool.annotations === null) {
      return "its annotations must be an object";
    }
    const given = tool.annotations as Record<string, unknown>;
    const checked: Record<string, unknown> = {};
    if (given.title !== undefined) {
      if (typeof given.title !== "string" || given.title.length > 200) {
        return "its title annotation must be text of at most 200 characters";
      }
      checked.title = given.title;
    }
    for (const hint of HINTS) {
      if (given[hint] === undefined) continue;
      if (typeof given[hint] !== "boolean") return `its ${hint} annotation must be true or false`;
      checked[hint] = given[hint];
    }
    annotations = checked as ToolAnnotations;
  }
  return {
    name: tool.name,
    description: tool.description,
    input,
    ...(output ? { output } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

function objectSchema(value: unknown): Record<string, unknown> | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return "must be a JSON Schema object";
  }
  const schema = value as Record<string, unknown>;
  if (schema.type !== "object") return 'must have type "object"';
  try {
    if (JSON.stringify(schema).length > MAX_SCHEMA_CHARS) {
      return `must be at most ${MAX_SCHEMA_CHARS} characters`;
    }
  } catch {
    return "must be JSON";
  }
  return schema;
}
