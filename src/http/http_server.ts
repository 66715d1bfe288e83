import type { HttpConfig } from "../config/config.ts";
import { formatListenAddress, isLoopback, type ListenAddress } from "../config/listen_address.ts";
import type { Datasources } from "../datasources/datasources.ts";
import type { Caller } from "../gate/caller_scope.ts";
import type { Logger } from "../log/logger.ts";
import type { SecretScrubber } from "../log/secret_scrubber.ts";
import { HttpSessions, jsonRpcError } from "../mcp/http_sessions.ts";
import type { Server } from "../mcp/sdk.ts";
import type { Metrics } from "../observability/metrics.ts";
import { observabilityResponse } from "../observability/metrics_server.ts";
import { createAuthenticator, PROTECTED_RESOURCE_PATH } from "./authenticate.ts";
import { rebindingGuard } from "./rebinding_guard.ts";
import { readBody } from "./read_body.ts";

export interface HttpServerOptions {
  readonly listen: ListenAddress;
  readonly http: HttpConfig;
  readonly serverFor: (caller: Caller) => InstanceType<typeof Server>;
  readonly metrics: Metrics;
  readonly datasources: Datasources;
  readonly log: Logger;
  readonly scrubber: Pick<SecretScrubber, "scrub">;
}

export interface HttpServer {
  /** The address actually bound (port 0 picks a free one). */
  readonly addr: Deno.NetAddr;
  /** The MCP endpoint's URL. */
  readonly url: string;
  /** Stops accepting connections and requests; resolves when every answer is written. */
  stopAccepting(): Promise<void>;
  /** Once every request in flight has its answer, closes every MCP session (event streams end). */
  closeSessions(): Promise<void>;
}

/** Thrown when the HTTP settings cannot be served safely. */
export class HttpConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HttpConfigError";
  }
}

/** After the calls are answered, their answers get this long to be handed over. */
const HANDOVER_WAIT_MS = 5_000;

/** Headers the MCP layer never sees: the SDK hands request headers to every handler. */
const WITHHELD_HEADERS = ["authorization", "cookie", "proxy-authorization"];

/**
 * Streamable HTTP on `Deno.serve`: the MCP endpoint (`/mcp`) behind the DNS-rebinding guard,
 * bearer tokens (when configured), a body-size limit and a bound on requests in flight;
 * `/healthz` and `/metrics` beside it. A non-loopback address without tokens is refused.
 */
export function serveHttp(options: HttpServerOptions): HttpServer {
  const { listen, http, log, metrics } = options;
  const authenticator = createAuthenticator(http, log);
  if (!isLoopback(listen.hostname) && !authenticator.required) {
    throw new HttpConfigError(
      `Refusing to serve HTTP on ${
        formatListenAddress(listen)
      }: it is reachable from other machines and no [[server.http.tokens]] or [server.http.oauth] are configured; add one or listen on 127.0.0.1`,
    );
  }
  if (["0.0.0.0", "::"].includes(listen.hostname) && http.allowedHosts.length === 0) {
    log.warn(
      "http: listening on every interface without allowed_hosts: any Host header is accepted (tokens still required)",
    );
  }
  // Built once the port is known (port 0 picks one).
  let guard: (request: Request) => string | undefined = () => "not listening yet";
  const sessions = new HttpSessions({
    serverFor: options.serverFor,
    maxSessions: http.maxSessions,
    idleTimeoutMs: http.sessionIdleTimeoutMs,
    log,
  });
  metrics.addGauge({
    name: "mysql_mcp_http_sessions",
    help: "Open MCP sessions over HTTP",
    read: () => [{ labels: {}, value: sessions.size }],
  });
  let inFlight = 0;
  let accepting = true;
  /** Told when the last request in flight has its answer. */
  let onIdle: (() => void) | undefined;

  const handleMcp = async (request: Request, caller: Caller | undefined): Promise<Response> => {
    if (!accepting) {
      return jsonRpcError(503, -32000, "The server is shutting down", { connection: "close" });
    }
    if (inFlight >= http.maxConcurrentRequests) {
      return jsonRpcError(503, -32000, "Too many requests in flight: try again shortly", {
        "retry-after": "1",
      });
    }
    inFlight++;
    try {
      let body: unknown;
      if (request.method === "POST") {
        const text = await readBody(request, http.maxBodySize);
        if (text === undefined) {
          return jsonRpcError(
            413,
            -32000,
            `Request body over max_body_size (${http.maxBodySize} B)`,
          );
        }
        try {
          body = JSON.parse(text);
        } catch {
          return jsonRpcError(400, -32700, "Parse error: Invalid JSON");
        }
      }
      const headers = new Headers(request.headers);
      for (const name of WITHHELD_HEADERS) headers.delete(name);
      const forwarded = new Request(request.url, { method: request.method, headers });
      return await sessions.handle(forwarded, body, caller);
    } finally {
      if (--inFlight === 0) onIdle?.();
    }
  };

  const handle = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    const refused = guard(request);
    if (refused !== undefined) {
      log.warn("http request refused", { reason: refused, path: path.slice(0, 64) });
      return jsonRpcError(403, -32000, `Forbidden: ${refused}`);
    }
    if (path === PROTECTED_RESOURCE_PATH || path === `${PROTECTED_RESOURCE_PATH}${http.path}`) {
      return authenticator.resourceMetadata() ?? new Response("not found\n", { status: 404 });
    }
    if (path !== http.path && path !== "/metrics" && path !== "/healthz") {
      return new Response("not found\n", { status: 404 });
    }
    const authentication = await authenticator.authenticate(request);
    if (path === "/healthz") {
      const health = observabilityResponse(path, metrics, options.datasources, options.scrubber)!;
      // A probe needs no token; the datasource keys are for callers that hold one.
      if (!("refusal" in authentication)) return health;
      const { status } = await health.json();
      return Response.json({ status }, { status: health.status });
    }
    if ("refusal" in authentication) {
      metrics.observeHttpRequest("unauthenticated", authentication.refusal.status);
      return authentication.refusal;
    }
    const caller = authentication.caller;
    const response = path === "/metrics"
      ? observabilityResponse(path, metrics, options.datasources, options.scrubber)!
      : await handleMcp(request, caller);
    metrics.observeHttpRequest(caller?.client ?? caller?.id ?? "anonymous", response.status);
    return response;
  };

  const server = Deno.serve({
    hostname: listen.hostname,
    port: listen.port,
    // Deno's default prints "Listening on" to stdout; the log says it instead.
    onListen: () => {},
    onError: (error) => {
      log.error("http handler failed", { error: String(error).slice(0, 200) });
      return jsonRpcError(500, -32603, "Internal error");
    },
  }, handle);
  const addr = server.addr as Deno.NetAddr;
  guard = rebindingGuard({
    listen: { hostname: listen.hostname, port: addr.port },
    allowedHosts: http.allowedHosts,
    allowedOrigins: http.allowedOrigins,
  });
  const url = `http://${
    formatListenAddress({ hostname: addr.hostname, port: addr.port })
  }${http.path}`;
  log.info("serving MCP over HTTP", { url, tokens: http.tokens.length });
  return {
    addr,
    url,
    stopAccepting() {
      accepting = false;
      return server.shutdown();
    },
    async closeSessions() {
      // A handler that has finished still has its answer to hand over: closing its session
      // first would drop that answer.
      if (inFlight > 0) {
        const idle = Promise.withResolvers<void>();
        onIdle = idle.resolve;
        const bound = setTimeout(idle.resolve, HANDOVER_WAIT_MS);
        await idle.promise;
        clearTimeout(bound);
      }
      await sessions.closeAll();
    },
  };
}
