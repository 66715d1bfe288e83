import type { Catalog } from "../datasources/catalog.ts";
import type { Datasources } from "../datasources/datasources.ts";
import {
  type Caller,
  checkScope,
  LOCAL_CALLER,
  scopeAllowsDatasource,
  scopeAllowsTool,
} from "../gate/caller_scope.ts";
import { sanitizeText, toToolError } from "../errors/sanitize.ts";
import { ToolError } from "../errors/tool_error.ts";
import type { Logger, LogLevel } from "../log/logger.ts";
import type { ToolRegistry } from "../tools/registry.ts";
import { describeIssues, toolJsonSchema } from "../tools/tool_json_schema.ts";
import { RenderedResult, type ToolContext, type ToolDefinition } from "../tools/tool.ts";
import { type CallHandler, DirectCalls } from "./direct_calls.ts";
import { withRowsJson } from "./encoded_json.ts";
import type { InFlightCalls } from "./in_flight_calls.ts";
import { readResource, RESOURCE_TEMPLATES } from "./resources.ts";
import {
  type CallToolRequest,
  type CallToolResult,
  ErrorCode,
  type JSONRPCMessage,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  type ReadResourceRequest,
  ReadResourceRequestSchema,
  Server,
  type SetLevelRequest,
  SetLevelRequestSchema,
  type Tool,
} from "./sdk.ts";

export interface McpServerOptions {
  readonly name: string;
  readonly version: string;
  readonly registry: ToolRegistry;
  readonly datasources: Datasources;
  readonly catalog: Catalog;
  readonly log: Logger;
  /** Builds the handler context for one call. */
  readonly contextFor: (
    requestId: string,
    tool: string,
    signal: AbortSignal,
    caller: Caller,
  ) => ToolContext;
  /** Who this server's client is; the stdio client (full scope) when absent. */
  readonly caller?: Caller;
  /** Tracks the calls being handled (shutdown waits for them). */
  readonly calls: InFlightCalls;
  /** Observes every finished call (metrics). */
  readonly onCall?: (call: CallRecord) => void;
}

export interface CallRecord {
  requestId: string;
  /** The caller's id (never a credential). */
  caller: string;
  /** The caller's name in metrics (a token's name, "anonymous", "stdio"). */
  client: string;
  tool: string;
  durationMs: number;
  errorCode?: string;
  rows?: number;
  datasource?: string;
  database?: string;
}

/** Argument names that would carry credentials: the agent never gets to pass them. */
const CREDENTIAL_ARGUMENTS = new Set([
  "password",
  "passwd",
  "pwd",
  "user",
  "username",
  "host",
  "hostname",
  "port",
  "dsn",
  "url",
  "uri",
  "connection_string",
  "connectionstring",
  "secret",
  "token",
  "socket",
  "ssl",
]);

const MCP_LEVELS: Record<string, LogLevel> = {
  debug: "debug",
  info: "info",
  notice: "info",
  warning: "warn",
  error: "error",
  critical: "error",
  alert: "error",
  emergency: "error",
};

/**
 * Wires the registry and resources to an MCP server. Only this folder
 * knows the SDK; `server.connect(transport)` is the single meeting point.
 */
export function createMcpServer(options: McpServerOptions): InstanceType<typeof Server> {
  const caller = options.caller ?? LOCAL_CALLER;
  const server = new Server(
    { name: options.name, version: options.version },
    {
      capabilities: { tools: {}, resources: {}, logging: {} },
      instructions:
        "MySQL access through opaque datasource keys. Start with mysql_list_datasources, then " +
        "mysql_list_databases / mysql_list_tables / mysql_describe_table; read with mysql_query, " +
        "write with mysql_execute (where allowed).",
    },
  );

  // Built on first tools/list, off the cold-start path.
  let tools: Tool[] | undefined;
  // A scoped caller sees only the tools it may call.
  const listTools = (): Tool[] =>
    options.registry.list().filter(({ definition }) =>
      scopeAllowsTool(caller.scope, definition.name)
    ).map(({ definition }) => {
      const output = definition.listed
        ? definition.listed.output
        : definition.output && toolJsonSchema(definition.output, "output");
      return {
        name: definition.name,
        description: definition.description,
        inputSchema: (definition.listed?.input ??
          toolJsonSchema(definition.input, "input")) as Tool["inputSchema"],
        ...(output ? { outputSchema: output as Tool["outputSchema"] } : {}),
        ...(definition.annotations ? { annotations: definition.annotations } : {}),
      };
    });

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: tools ??= listTools() }));

  const prefix = crypto.randomUUID().slice(0, 8);
  let counter = 0;
  // tools/call is ours, answered through the SDK's public fallback handler: registered with
  // setRequestHandler, the Server would parse each request twice (its wrapper and the protocol
  // layer) and re-validate every result we build, ~28 µs (7%) on a PK lookup's p50 over stdio
  // (docs/performance.md). Here the request is checked once, by callRequest().
  const callTool = async (
    request: CallToolRequest,
    extra: { signal: AbortSignal },
  ): Promise<CallToolResult> => {
    const requestId = `${prefix}-${++counter}`;
    const name = request.params.name;
    const started = performance.now();
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    const record: CallRecord = {
      requestId,
      caller: caller.id,
      client: caller.client ?? caller.id,
      tool: name,
      durationMs: 0,
    };
    if (typeof args.datasource_key === "string") record.datasource = args.datasource_key;
    if (typeof args.database === "string") record.database = args.database;
    const call = options.calls.begin(extra.signal);
    try {
      const registered = options.registry.get(name);
      if (!registered) {
        throw new ToolError("INVALID_ARGUMENT", `Unknown tool "${String(name).slice(0, 64)}"`);
      }
      const credential = Object.keys(args).find((k) => CREDENTIAL_ARGUMENTS.has(k.toLowerCase()));
      if (credential !== undefined) {
        throw new ToolError(
          "INVALID_ARGUMENT",
          `Argument "${credential}" is not accepted: credentials and connection details stay in the server's configuration; pass a datasource_key`,
        );
      }
      // The scope first: a tool or datasource outside it runs nothing, not even validation.
      checkScope(caller.scope, {
        tool: name,
        datasource: typeof args.datasource_key === "string" ? args.datasource_key : undefined,
      });
      const parsed = registered.definition.input.safeParse(args);
      if (!parsed.success) {
        throw new ToolError("INVALID_ARGUMENT", describeIssues(parsed.error));
      }
      const ctx = options.contextFor(requestId, name, call.signal, caller);
      const definition = registered.definition;
      const returned = await definition.handler(parsed.data, ctx);
      // A plugin's worker renders its own text; everything else renders here.
      const result = returned instanceof RenderedResult ? returned.value : returned;
      const answer = answerOf(
        definition,
        result,
        returned instanceof RenderedResult ? returned.text : undefined,
      );
      record.durationMs = performance.now() - started;
      const rows = (result as { row_count?: unknown })?.row_count;
      if (typeof rows === "number") record.rows = rows;
      options.onCall?.(record);
      return answer;
    } catch (error) {
      const toolError = toToolError(error, options.datasources.secrets());
      if (toolError.code === "INTERNAL_ERROR") {
        options.log.error("tool failed", {
          request_id: requestId,
          tool: name,
          error: sanitizeText(errorText(error), options.datasources.secrets()),
        });
      }
      record.durationMs = performance.now() - started;
      record.errorCode = toolError.code;
      options.onCall?.(record);
      return {
        isError: true,
        content: [{ type: "text", text: JSON.stringify(toolError.toJSON()) }],
      };
    } finally {
      call.end();
    }
  };
  // The request's shape checked once, here, on both ways in (DirectCalls and the SDK's).
  callHandlers.set(server, async (request, extra) => await callTool(callRequest(request), extra));
  server.fallbackRequestHandler = async (
    request: { method: string; params?: unknown },
    extra: { signal: AbortSignal },
  ) => {
    if (request.method !== "tools/call") throw methodNotFound();
    return await callTool(callRequest(request), extra);
  };

  server.setRequestHandler(ListResourcesRequestSchema, () => ({
    resources: [
      {
        uri: "mysql://datasources",
        name: "datasources",
        description: "Configured datasources",
        mimeType: "application/json",
      },
      ...options.datasources.keys().filter((key) => scopeAllowsDatasource(caller.scope, key)).map((
        key,
      ) => ({
        uri: `mysql://${encodeURIComponent(key)}/databases`,
        name: `${key} databases`,
        mimeType: "application/json",
      })),
    ],
  }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: RESOURCE_TEMPLATES,
  }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request: ReadResourceRequest) => {
    const uri = request.params.uri;
    try {
      const data = await readResource(uri, options.datasources, options.catalog, caller.scope);
      return { contents: [{ uri, mimeType: "application/json", text: JSON.stringify(data) }] };
    } catch (error) {
      const toolError = toToolError(error, options.datasources.secrets());
      const code = toolError.code === "INVALID_ARGUMENT" ? ErrorCode.InvalidParams : -32002;
      throw new McpError(code, `${toolError.code}: ${toolError.message}`, toolError.toJSON());
    }
  });

  // MCP logging: the client picks a level and our log records are mirrored to it.
  let clientLevel: LogLevel | undefined;
  server.setRequestHandler(SetLevelRequestSchema, (request: SetLevelRequest) => {
    clientLevel = MCP_LEVELS[request.params.level] ?? "info";
    return {};
  });
  const rank = { debug: 0, info: 1, warn: 2, error: 3 };
  const removeSink = options.log.addSink((record) => {
    if (!clientLevel || rank[record.level] < rank[clientLevel]) return;
    const level = record.level === "warn" ? "warning" : record.level;
    server.sendLoggingMessage({ level, logger: "mysql-mcp", data: record }).catch(() => {});
  });
  // One server per HTTP session: a closed one must stop receiving the log.
  const previousOnClose = server.onclose;
  server.onclose = () => {
    removeSink();
    previousOnClose?.();
  };

  return server;
}

/** Each server's tools/call handler, for DirectCalls. */
const callHandlers = new WeakMap<object, CallHandler>();

/**
 * tools/call of `server` answered without the SDK's dispatch, for a transport of ours
 * that offers it the messages first (StdioTransport.take); `send` writes the answers.
 */
export function directCalls(
  server: InstanceType<typeof Server>,
  send: (message: JSONRPCMessage) => Promise<void>,
): DirectCalls {
  const handle = callHandlers.get(server);
  if (!handle) throw new Error("not a server made by createMcpServer");
  return new DirectCalls(handle, send);
}

/** A tool's answer: its text, and its result as structured content when it declares an output. */
function answerOf(
  definition: ToolDefinition,
  result: unknown,
  rendered: string | undefined,
): CallToolResult {
  const structured = definition.listed ? definition.listed.output : definition.output;
  if (structured && definition.encode && rendered === undefined) {
    // Rows serialised once: the text's row lines are the structured content's rows, and the
    // stdio transport splices this JSON into the response instead of serialising it again.
    const { text, rows } = definition.encode(result);
    return withRowsJson(
      { content: [{ type: "text", text }], structuredContent: result as Record<string, unknown> },
      rows,
    );
  }
  const text = rendered ?? (definition.render ? definition.render(result) : JSON.stringify(result));
  return {
    content: [{ type: "text", text }],
    ...(structured ? { structuredContent: result as Record<string, unknown> } : {}),
  };
}

/** The SDK's own answer for a method nobody handles, word for word. */
function methodNotFound(): Error {
  return Object.assign(new Error("Method not found"), { code: ErrorCode.MethodNotFound });
}

/** A tools/call request's shape, checked as the SDK's CallToolRequestSchema would. */
function callRequest(request: { method: string; params?: unknown }): CallToolRequest {
  const params = request.params as { name?: unknown; arguments?: unknown } | undefined;
  const args = params?.arguments;
  if (
    typeof params !== "object" || params === null || typeof params.name !== "string" ||
    (args !== undefined && (typeof args !== "object" || args === null || Array.isArray(args)))
  ) {
    throw new McpError(
      ErrorCode.InvalidParams,
      "Invalid tools/call request: params needs a string name and an object of arguments",
    );
  }
  return request as CallToolRequest;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
