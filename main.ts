/**
 * mysql-mcp: the composition root. config → pools → datasources → gate →
 * tools → MCP → stdio; every stage is built in src/ from plain values.
 */
import { createApp, SERVER_NAME, SERVER_VERSION } from "./src/app.ts";
import { parseArgs, USAGE } from "./src/cli/parse_args.ts";
import { runCheck } from "./src/cli/run_check.ts";
import { configPathFrom, loadConfig } from "./src/config/load_config.ts";
import { ConfigError } from "./src/config/parse_config.ts";
import { sanitizeText } from "./src/errors/sanitize.ts";
import { Logger, parseLogLevel } from "./src/log/logger.ts";
import { StdioTransport } from "./src/mcp/stdio_transport.ts";
import { serveMetrics } from "./src/observability/metrics_server.ts";
import { derivePermissions, permissionFlags } from "./src/permissions/derive_permissions.ts";
import { broaderThanNeeded } from "./src/permissions/granted_permissions.ts";
import { loadExtensions } from "./src/tools/load_extensions.ts";
// Plugins import this module; loading it here keeps it inside the granted module graph.
import "./src/plugin_api.ts";

const env = (name: string) => {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // not granted: behave as unset
  }
};

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  if (args.command === "help") {
    console.error(USAGE);
    return 0;
  }
  if (args.command === "version") {
    console.error(`${SERVER_NAME} ${SERVER_VERSION}`);
    return 0;
  }
  const level = parseLogLevel(args.logLevel ?? env("MYSQL_MCP_LOG_LEVEL")) ?? "info";
  const log = new Logger({ level, sinks: [] });

  let parsed;
  try {
    parsed = await loadConfig(configPathFrom(args.config, env), env);
  } catch (error) {
    if (error instanceof ConfigError) {
      log.error(`configuration error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  for (const warning of parsed.warnings) log.warn(`config: ${warning}`);
  const config = parsed.config;

  if (args.command === "permissions") {
    const flags = permissionFlags(derivePermissions(config, { metricsPort: args.metricsPort }));
    console.log(flags.join(" "));
    return 0;
  }
  if (args.command === "check") return await runCheck(config, log);

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

  const extensions = await loadExtensions(config, log);
  const app = createApp(config, log, extensions);
  const metricsServer = args.metricsPort
    ? serveMetrics(args.metricsPort, app.metrics, app.datasources, log)
    : undefined;
  let closing: Promise<void> | undefined;
  const shutdown = (why: string) => {
    closing ??= (async () => {
      log.info("shutting down", { why });
      await metricsServer?.close();
      await app.close();
    })();
    return closing;
  };
  const transport = new StdioTransport();
  transport.onclose = () => void shutdown("stdin closed");
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(signal, () => void shutdown(signal).then(() => Deno.exit(0)));
    } catch { /* signals unavailable on this platform */ }
  }
  await app.server.connect(transport);
  log.info("serving MCP on stdio", {
    datasources: app.datasources.keys().length,
    tools: app.registry.list().length,
  });
  // Learn each source's availability once the handshake is done, so loading the
  // driver and connecting never delay `initialize`.
  let probed = false;
  const probeAll = () => {
    if (probed) return;
    probed = true;
    for (const key of app.datasources.keys()) void app.datasources.probe(key);
    void broaderThanNeeded(derivePermissions(config, { metricsPort: args.metricsPort })).then(
      (broader) => {
        if (broader.length === 0) return;
        log.warn(
          `running with broader Deno permissions than this config needs: ${broader.join(", ")}`,
        );
      },
      (error) => log.warn("could not check the granted permissions", { error: String(error) }),
    );
  };
  app.server.oninitialized = probeAll;
  Deno.unrefTimer(setTimeout(probeAll, 2_000));
  await new Promise<void>((resolve) => {
    const previous = transport.onclose;
    transport.onclose = () => {
      previous?.();
      resolve();
    };
  });
  await closing;
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
