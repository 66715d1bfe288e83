/**
 * The server's side inside a plugin's process: validates the plugin, describes
 * its tools as JSON Schema, and answers the server's calls and hook requests.
 * The handler's context turns query/execute/log into messages, so the plugin
 * reaches the database only through the server's SQL gate.
 */
import { ToolError } from "../errors/tool_error.ts";
import type { QueryHooks } from "../gate/hooks.ts";
import { describeDenial } from "../errors/describe_denial.ts";
import type {
  PluginDefinition,
  StatementRequest,
  ToolContext,
  ToolDefinition,
} from "../tools/tool.ts";
import { describeIssues, toolJsonSchema } from "../tools/tool_json_schema.ts";
import type { HookName, HostMessage, LogLevel, ToolDescription, WireError } from "./protocol.ts";
import { dropPermissions, exitProcess, post, receive, stringify } from "./plugin_channel.ts";

const PLUGIN_SANDBOX =
  "plugins run without permissions; reach the database through ctx.query and ctx.execute";
const HOOKS: HookName[] = ["beforeQuery", "afterQuery", "onError"];

const PERMISSIONS = ["read", "write", "net", "env", "run", "ffi", "sys", "import"] as const;

/**
 * Imports the plugin at `url` (its modules checked against the read
 * permission as they load), then gives up read, the last permission, and
 * serves it. A plugin that does not load, or a permission that stays, ends
 * the process with the reason sent to the server.
 */
export async function loadAndServe(url: string, file: string): Promise<void> {
  let exported: unknown;
  try {
    exported = (await import(url)).default;
  } catch (error) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    post({ t: "failed", reason: text.split("\n")[0].slice(0, 500) });
    exitProcess(1);
  }
  dropPermissions(PERMISSIONS);
  servePlugin(exported, file);
}

/** Serves `exported` (a plugin file's default export) until the server closes the channel. */
export function servePlugin(exported: unknown, file: string): void {
  let plugin: PluginDefinition;
  let described: ToolDescription[];
  try {
    plugin = asPlugin(exported, file);
    described = (plugin.tools ?? []).map((tool) => describeTool(tool, file));
  } catch (error) {
    post({ t: "failed", reason: error instanceof Error ? error.message : String(error) });
    return;
  }
  const tools = new Map((plugin.tools ?? []).map((tool) => [tool.name, tool]));
  const hooks: QueryHooks = plugin.hooks ?? {};
  const calls = new Map<number, AbortController>();
  const sql = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  let nextSql = 0;

  const contextFor = (id: number, requestId: string, signal: AbortSignal): ToolContext => {
    const run = (kind: "query" | "execute", request: StatementRequest) =>
      new Promise<never>((resolve, reject) => {
        const sqlId = ++nextSql;
        sql.set(sqlId, { resolve, reject });
        post({ t: "sql", id: sqlId, call: id, kind, request: plainRequest(request) });
      });
    const log = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>) =>
      post({ t: "log", call: id, level, msg: String(msg), fields: cloneable(fields) });
    return {
      requestId,
      signal,
      query: (request) => run("query", request),
      execute: (request) => run("execute", request),
      log: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
    };
  };

  void receive(async (message: HostMessage) => {
    switch (message.t) {
      case "call": {
        const controller = new AbortController();
        calls.set(message.id, controller);
        try {
          const tool = tools.get(message.tool);
          if (!tool) throw new ToolError("INVALID_ARGUMENT", `Unknown tool "${message.tool}"`);
          const parsed = tool.input.safeParse(message.args);
          if (!parsed.success) {
            throw new ToolError("INVALID_ARGUMENT", describeIssues(parsed.error));
          }
          const ctx = contextFor(message.id, message.requestId, controller.signal);
          const value = await tool.handler(parsed.data, ctx);
          const text = tool.render ? tool.render(value) : stringify(value);
          post({ t: "result", id: message.id, value, text: text ?? "" });
        } catch (error) {
          post({ t: "error", id: message.id, error: toWire(error) });
        } finally {
          calls.delete(message.id);
        }
        return;
      }
      case "ping":
        post({ t: "pong" });
        return;
      case "cancel":
        calls.get(message.id)?.abort();
        return;
      case "sql-done": {
        const pending = sql.get(message.id);
        sql.delete(message.id);
        if (message.error) pending?.reject(fromWire(message.error));
        else pending?.resolve(message.value);
        return;
      }
      case "hook": {
        try {
          const value = await runHook(hooks, message.hook, message.info, message.payload);
          post({ t: "hook-done", id: message.id, value });
        } catch (error) {
          post({ t: "hook-done", id: message.id, error: toWire(error) });
        }
        return;
      }
    }
  });
  post({
    t: "ready",
    name: plugin.name,
    tools: described,
    hooks: HOOKS.filter((name) => typeof hooks[name] === "function"),
  });
}

function runHook(
  hooks: QueryHooks,
  hook: HookName,
  info: Parameters<NonNullable<QueryHooks["beforeQuery"]>>[0],
  payload: unknown,
): unknown {
  switch (hook) {
    case "beforeQuery":
      return hooks.beforeQuery?.(info);
    case "afterQuery":
      return hooks.afterQuery?.(info, payload as never);
    case "onError":
      return hooks.onError?.(info, fromWire(payload as WireError) as ToolError);
  }
}

function describeTool(tool: ToolDefinition, file: string): ToolDescription {
  if (typeof tool !== "object" || tool === null || typeof tool.name !== "string") {
    throw new TypeError(`${file}: every tool needs a name`);
  }
  const input = tool.input as { _zod?: { def?: { type?: string } } } | undefined;
  if (input?._zod?.def?.type !== "object") {
    throw new TypeError(`${file}: tool "${tool.name}" needs a zod object input schema`);
  }
  if (typeof tool.handler !== "function") {
    throw new TypeError(`${file}: tool "${tool.name}" needs a handler function`);
  }
  return {
    name: tool.name,
    description: String(tool.description ?? ""),
    input: toolJsonSchema(tool.input, "input"),
    ...(tool.output ? { output: toolJsonSchema(tool.output, "output") } : {}),
    ...(tool.annotations ? { annotations: { ...tool.annotations } } : {}),
  };
}

/** A plugin file's default export: a plugin, or a single tool. */
function asPlugin(value: unknown, file: string): PluginDefinition {
  if (typeof value !== "object" || value === null) {
    throw new TypeError(`${file} has no default export of a plugin or tool definition`);
  }
  const candidate = value as Partial<PluginDefinition & ToolDefinition>;
  if (typeof candidate.handler === "function") {
    return { name: String(candidate.name), tools: [candidate as ToolDefinition] };
  }
  if (typeof candidate.name !== "string" || candidate.name === "") {
    throw new TypeError(`${file}: a plugin needs a name`);
  }
  if (candidate.tools !== undefined && !Array.isArray(candidate.tools)) {
    throw new TypeError(`${file}: plugin "${candidate.name}" has tools that are not a list`);
  }
  if (candidate.hooks !== undefined && (typeof candidate.hooks !== "object" || !candidate.hooks)) {
    throw new TypeError(`${file}: plugin "${candidate.name}" has hooks that are not an object`);
  }
  if (!candidate.tools?.length && !candidate.hooks) {
    throw new TypeError(`${file}: plugin "${candidate.name}" has neither tools nor hooks`);
  }
  return candidate as PluginDefinition;
}

/** Only the request's own fields cross, as plain data. */
function plainRequest(request: StatementRequest): StatementRequest {
  return {
    datasource: request?.datasource,
    database: request?.database,
    sql: request?.sql,
    ...(request?.params !== undefined ? { params: [...request.params] } : {}),
    ...(request?.maxRows !== undefined ? { maxRows: request.maxRows } : {}),
  };
}

/** Log fields as data: what JSON cannot carry goes as text. */
function cloneable(
  fields: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (fields === undefined) return undefined;
  try {
    return JSON.parse(stringify(fields));
  } catch {
    return { fields: String(fields) };
  }
}

function toWire(error: unknown): WireError {
  if (error instanceof ToolError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
    };
  }
  const denial = describeDenial(error, PLUGIN_SANDBOX);
  if (denial) return { code: "PERMISSION_DENIED", message: denial };
  return { internal: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}

function fromWire(error: WireError): Error {
  return "code" in error
    ? new ToolError(error.code, error.message, error.details)
    : new Error(error.internal);
}
