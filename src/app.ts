import type { Config } from "./config/config.ts";
import { Catalog } from "./datasources/catalog.ts";
import { Datasources, type DatasourcesOptions } from "./datasources/datasources.ts";
import { ToolError } from "./errors/tool_error.ts";
import { type Caller, LOCAL_CALLER } from "./gate/caller_scope.ts";
import { SqlGate } from "./gate/sql_gate.ts";
import { StatementControl } from "./gate/statement_control.ts";
import { TrustedSql } from "./gate/trusted_sql.ts";
import type { Logger } from "./log/logger.ts";
import { Metrics } from "./observability/metrics.ts";
import { InFlightCalls } from "./mcp/in_flight_calls.ts";
import { type CallRecord, createMcpServer } from "./mcp/mcp_server.ts";
import { StreamRegistry } from "./streams/stream_registry.ts";
import { builtinTools } from "./tools/builtins/mod.ts";
import { ToolRegistry } from "./tools/registry.ts";
import type { PluginDefinition, ToolContext, ToolDefinition } from "./tools/tool.ts";

export const SERVER_NAME = "mysql-mcp";
export const SERVER_VERSION = "0.1.0";

export interface AppOptions extends DatasourcesOptions {
  /** Shared metrics; one is created when absent. */
  metrics?: Metrics;
  /** Extra tools with their owner names (declarative tools, plugins). */
  extraTools?: { definition: ToolDefinition; owner: string }[];
  /** Plugins with their owner names; `close` (their workers) runs when the app closes. */
  plugins?: { plugin: PluginDefinition; owner: string; close?(): void }[];
  onCall?: (call: CallRecord) => void;
}

/** Everything the server is made of, built from plain values; no singletons. */
export interface App {
  readonly config: Config;
  readonly datasources: Datasources;
  readonly catalog: Catalog;
  readonly gate: SqlGate;
  readonly streams: StreamRegistry;
  readonly registry: ToolRegistry;
  readonly metrics: Metrics;
  /** The MCP server of the stdio client (full scope). */
  readonly server: ReturnType<typeof createMcpServer>;
  /** A further MCP server for one remote client (an HTTP session), bounded by its scope. */
  serverFor(caller: Caller): ReturnType<typeof createMcpServer>;
  /** Tool calls being handled right now. */
  readonly calls: InFlightCalls;
  /** Stops streams, drains pools, closes the MCP server. */
  close(graceMs?: number): Promise<void>;
}

/**
 * A plugin handler that outlives the query timeout (plus a margin for its own
 * work) is answered as QUERY_TIMEOUT; the server keeps serving.
 */
function guardHandler(definition: ToolDefinition, queryTimeoutMs: number): ToolDefinition {
  const limitMs = queryTimeoutMs + 5_000;
  return {
    ...definition,
    handler: (args, ctx) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new ToolError(
                "QUERY_TIMEOUT",
                `Tool "${definition.name}" did not finish within ${limitMs} ms`,
              ),
            ),
          limitMs,
        );
      });
      return Promise.race([
        Promise.resolve().then(() => definition.handler(args, ctx)),
        timeout,
      ]).finally(() => clearTimeout(timer));
    },
  };
}

/** config → pools → datasources → gate → tools → MCP, one way. */
export function createApp(config: Config, log: Logger, options: AppOptions = {}): App {
  const metrics = options.metrics ?? new Metrics();
  const datasources = new Datasources(config.datasources, config.server, log, {
    ...options,
    onPoolEvent: (event) => {
      metrics.observePoolEvent(event);
      options.onPoolEvent?.(event);
    },
  });
  // The catalog reads metadata through trusted round trips, not the gate that consults it.
  const control = new StatementControl(datasources, config.server, log);
  const trusted = new TrustedSql(datasources, control);
  const catalog = new Catalog(
    datasources,
    (key, sql, params) => trusted.metadata(key, sql, params),
  );
  const gate = new SqlGate(datasources, catalog, config.server, log, control, trusted);
  const streams = new StreamRegistry(
    gate,
    config.server,
    log,
    (key) => datasources.get(key).pool.maxConnections,
  );

  metrics.addGauge({
    name: "mysql_mcp_pool_connections",
    help: "Pooled connections by state",
    read: () =>
      datasources.stats().flatMap((p) => [
        { labels: { pool: p.name, state: "active" }, value: p.active },
        { labels: { pool: p.name, state: "idle" }, value: p.idle },
        { labels: { pool: p.name, state: "waiting" }, value: p.waiting },
      ]),
  });
  metrics.addGauge({
    name: "mysql_mcp_open_streams",
    help: "Open result streams",
    read: () => [{ labels: {}, value: streams.size }],
  });
  metrics.addGauge({
    name: "mysql_mcp_datasource_up",
    help: "1 when the datasource is available",
    read: () =>
      datasources.list().map((d) => ({
        labels: { datasource: d.key },
        value: d.status === "available" ? 1 : 0,
      })),
  });

  const registry = new ToolRegistry();
  for (const tool of builtinTools({ server: config.server, datasources, catalog, gate, streams })) {
    registry.register(tool as unknown as ToolDefinition, "built-in");
  }
  // A clash or a malformed definition skips that tool, never the server.
  const registerExtra = (definition: ToolDefinition, owner: string) => {
    try {
      // A plugin's worker keeps its own time limit: it must stop the worker, not only answer.
      const guarded = definition.listed
        ? definition
        : guardHandler(definition, config.server.queryTimeoutMs);
      registry.register(guarded, owner);
    } catch (error) {
      log.error(`tool skipped: ${(error as Error).message}`);
    }
  };
  for (const { definition, owner } of options.extraTools ?? []) registerExtra(definition, owner);
  for (const { plugin, owner } of options.plugins ?? []) {
    for (const tool of plugin.tools ?? []) registerExtra(tool, owner);
    if (plugin.hooks) gate.addHooks(plugin.hooks);
  }

  const contextFor = (
    requestId: string,
    tool: string,
    signal: AbortSignal,
    caller: Caller,
  ): ToolContext => {
    let child: Logger | undefined;
    return {
      requestId,
      signal,
      caller,
      // Made when a tool first logs: most calls never do.
      get log() {
        return child ??= log.child({ tool, request_id: requestId });
      },
      query: (r) =>
        gate.query({
          datasource: r.datasource,
          database: r.database,
          sql: r.sql,
          params: r.params,
          maxRows: r.maxRows,
          signal,
          requestId,
          tool,
          scope: caller.scope,
        }),
      execute: (r) =>
        gate.execute({
          datasource: r.datasource,
          database: r.database,
          sql: r.sql,
          params: r.params,
          signal,
          requestId,
          tool,
          scope: caller.scope,
        }),
    };
  };

  const calls = new InFlightCalls();
  const serverFor = (caller: Caller) =>
    createMcpServer({
      name: SERVER_NAME,
      caller,
      calls,
      version: SERVER_VERSION,
      registry,
      datasources,
      catalog,
      log,
      contextFor,
      onCall: (call) => {
        metrics.observeCall(call);
        if (call.errorCode || log.enabled("debug")) {
          const fields = {
            request_id: call.requestId,
            caller: call.caller,
            tool: call.tool,
            datasource: call.datasource,
            database: call.database,
            duration_ms: Math.round(call.durationMs * 100) / 100,
            rows: call.rows,
            error_code: call.errorCode,
          };
          if (call.errorCode) log.warn("tool call failed", fields);
          else log.debug("tool call", fields);
        }
        options.onCall?.(call);
      },
    });
  const server = serverFor(LOCAL_CALLER);

  return {
    config,
    datasources,
    catalog,
    gate,
    streams,
    registry,
    metrics,
    server,
    serverFor,
    calls,
    async close(graceMs = 5_000) {
      streams.closeAll();
      for (const { close } of options.plugins ?? []) close?.();
      await datasources.close(graceMs);
      await server.close().catch(() => {});
    },
  };
}
