import { createApp } from "../app.ts";
import type { Config } from "../config/config.ts";
import type { ListenAddress } from "../config/listen_address.ts";
import { sanitizeText } from "../errors/sanitize.ts";
import type { Logger } from "../log/logger.ts";
import { routeConsole } from "../log/route_console.ts";
import type { SecretScrubber } from "../log/secret_scrubber.ts";
import { directCalls } from "../mcp/mcp_server.ts";
import { StdioTransport } from "../mcp/stdio_transport.ts";
import { serveMetrics } from "../observability/metrics_server.ts";
import { derivePermissions } from "../permissions/derive_permissions.ts";
import { broaderThanNeeded } from "../permissions/granted_permissions.ts";
import type { SshKeyring } from "../tunnel/load_ssh_keys.ts";
import { verifyDeclarativeTools } from "../tools/declarative_tools.ts";
import { serveOverHttp } from "./serve_over_http.ts";
import { DECLARATIVE_OWNER, loadExtensions } from "../tools/load_extensions.ts";
// Plugin processes load these; importing them here puts them inside the single binary's
// module graph. They do nothing in the server itself. (The lockdown, which would act on
// import, is embedded by the compile command instead.)
import "../plugin_api.ts";
import "../plugins/plugin_runtime.ts";

/**
 * `mysql-mcp serve`: the MCP server on stdio until stdin closes or a signal
 * arrives; then streams stop, pools drain and every connection closes. With
 * `--http` (or `[server.http] listen`), on Streamable HTTP instead.
 * `scrubber` (the one `log` writes through, holding the config's passwords)
 * also guards stdout and the metrics listener.
 */
export async function runServe(
  config: Config,
  log: Logger,
  args: {
    metricsPort?: number;
    scrubber: Pick<SecretScrubber, "scrub" | "addRotating">;
    sshKeys?: SshKeyring;
    /** `--http`: overrides `[server.http] listen`. */
    http?: ListenAddress;
  },
): Promise<number> {
  // One stray rejection (a plugin's forgotten promise, a driver callback) must not take the
  // server down with every other session's work: log it and keep serving.
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    log.error("unhandled rejection", { error: sanitizeText(String(event.reason)) });
  });
  globalThis.addEventListener("error", (event) => {
    event.preventDefault();
    log.error("uncaught error", { error: sanitizeText(String(event.error ?? event.message)) });
  });
  // Before plugins load: their console output must neither reach stdout nor skip the scrubber.
  const restoreConsole = routeConsole(log);

  const extensions = await loadExtensions(config, log);
  const app = createApp(config, log, {
    ...extensions,
    sshKeys: args.sshKeys,
    // A password_command's output is a secret from the moment it is read.
    onSecret: (key, value) => args.scrubber.addRotating(`datasource:${key}`, value),
  });
  const metricsServer = args.metricsPort
    ? serveMetrics(args.metricsPort, app.metrics, app.datasources, log, args.scrubber)
    : undefined;
  // Learn each source's availability once a client is there, so loading the driver and
  // connecting never delay `initialize`.
  let probed = false;
  const probeAll = () => {
    if (probed) return;
    probed = true;
    for (const key of app.datasources.keys()) void app.datasources.probe(key);
    void verifyDeclarativeTools(
      config.tools.filter((tool) => app.registry.get(tool.name)?.owner === DECLARATIVE_OWNER),
      (datasource, database, sql) => app.gate.checkPrepares(datasource, database, sql),
      log,
    );
    void broaderThanNeeded(
      derivePermissions(config, { metricsPort: args.metricsPort, http: args.http }),
    ).then(
      (broader) => {
        if (broader.length === 0) return;
        log.warn(
          `running with broader Deno permissions than this config needs: ${broader.join(", ")}`,
        );
      },
      (error) => log.warn("could not check the granted permissions", { error: String(error) }),
    );
  };
  const listen = args.http ?? config.server.http?.listen;
  if (listen) {
    const code = await serveOverHttp(app, config, log, {
      listen,
      scrubber: args.scrubber,
      afterListen: probeAll,
      beforeClose: () => metricsServer?.close(),
    });
    restoreConsole();
    return code;
  }
  const transport = new StdioTransport({ scrubber: args.scrubber });
  transport.onwarning = (message, fields) => log.warn(message, fields);
  let closing: Promise<void> | undefined;
  /**
   * Stop reading; answer every request already read (finished within the grace
   * period, else stopped on the server and answered with an error saying so);
   * flush the replies; then close the pools and the transport.
   */
  const shutdown = (why: string) => {
    closing ??= (async () => {
      transport.stopReading();
      log.info("shutting down", { why, calls_in_flight: app.calls.size });
      await app.calls.finish(log);
      await transport.flushed();
      await metricsServer?.close();
      await app.close(0);
      await transport.close();
    })();
    return closing;
  };
  transport.oninputend = () => void shutdown("stdin closed");
  transport.onclose = () => void shutdown("transport closed");
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(signal, () => void shutdown(signal).then(() => Deno.exit(0)));
    } catch { /* signals unavailable on this platform */ }
  }
  // Before connect(), which starts reading: every tools/call takes the same way in.
  const direct = directCalls(app.server, (message) => transport.send(message));
  transport.take = (message) => direct.take(message);
  await app.server.connect(transport);
  log.info("serving MCP on stdio", {
    datasources: app.datasources.keys().length,
    tools: app.registry.list().length,
  });
  app.server.oninitialized = probeAll;
  Deno.unrefTimer(setTimeout(probeAll, 2_000));
  await new Promise<void>((resolve) => {
    const previous = transport.onclose;
    transport.onclose = () => {
      previous?.();
      direct.abortAll();
      resolve();
    };
  });
  await closing;
  restoreConsole();
  return 0;
}
