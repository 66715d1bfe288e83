import type { App } from "../app.ts";
import { type Config, HTTP_DEFAULTS } from "../config/config.ts";
import type { ListenAddress } from "../config/listen_address.ts";
import { HttpConfigError, serveHttp } from "../http/http_server.ts";
import type { Logger } from "../log/logger.ts";
import type { SecretScrubber } from "../log/secret_scrubber.ts";

export interface ServeOverHttpOptions {
  readonly listen: ListenAddress;
  readonly scrubber: Pick<SecretScrubber, "scrub">;
  /** Runs once the listener is up (probing the sources). */
  readonly afterListen?: () => void;
  /** Runs before the pools close (the metrics listener). */
  readonly beforeClose?: () => Promise<void> | void;
  /** Resolves to stop the server, as a signal would (tests). */
  readonly stop?: Promise<string>;
  /** Told the MCP endpoint's URL once listening (tests, the demo). */
  readonly onListen?: (url: string) => void;
}

/**
 * Serves `app` over Streamable HTTP until SIGINT or SIGTERM. Shutdown stops accepting,
 * answers every request already received (calls still running after the grace period are
 * stopped on the server and answered with an error saying so), then closes the sessions and
 * the pools. Returns the exit code: 2 when the HTTP settings cannot be served safely.
 */
export async function serveOverHttp(
  app: App,
  config: Config,
  log: Logger,
  options: ServeOverHttpOptions,
): Promise<number> {
  warnUnknownTools(app, config, log);
  let server;
  try {
    server = serveHttp({
      listen: options.listen,
      http: config.server.http ?? HTTP_DEFAULTS,
      serverFor: app.serverFor,
      metrics: app.metrics,
      datasources: app.datasources,
      log,
      scrubber: options.scrubber,
    });
  } catch (error) {
    if (!(error instanceof HttpConfigError || error instanceof Deno.errors.AddrInUse)) throw error;
    log.error(`http: ${(error as Error).message}`);
    await app.close(0);
    return 2;
  }
  options.onListen?.(server.url);
  options.afterListen?.();

  const stopped = Promise.withResolvers<string>();
  const listeners: [Deno.Signal, () => void][] = [];
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const listener = () => stopped.resolve(signal);
    try {
      Deno.addSignalListener(signal, listener);
      listeners.push([signal, listener]);
    } catch { /* signals unavailable on this platform */ }
  }
  void options.stop?.then(stopped.resolve);
  const why = await stopped.promise;
  for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);

  log.info("shutting down", { why, calls_in_flight: app.calls.size });
  // New connections and requests are refused from here; answers in progress are written.
  const drained = server.stopAccepting();
  await app.calls.finish(log);
  // Every call is answered: end the sessions' event streams, so the listener can finish.
  await server.closeSessions();
  await drained;
  await options.beforeClose?.();
  await app.close(0);
  return 0;
}

/** A scope naming a tool nobody registered: a typo that silently hides the tool it meant. */
function warnUnknownTools(app: App, config: Config, log: Logger): void {
  const http = config.server.http;
  const scopes = [
    ...(http?.tokens ?? []).map((t) => ({ owner: `token "${t.name}"`, tools: t.scope.tools })),
    ...(http?.oauth?.scopes ?? []).map((s) => ({
      owner: `oauth scope "${s.scope}"`,
      tools: s.grants.tools,
    })),
  ];
  for (const { owner, tools } of scopes) {
    for (const tool of tools ?? []) {
      if (!app.registry.get(tool)) {
        log.warn(`[server.http] ${owner}: tools names "${tool}", which is no tool of this server`);
      }
    }
  }
}
