import type { AppOptions } from "../app.ts";
import type { Config } from "../config/config.ts";
import type { Logger } from "../log/logger.ts";
import { declarativeTool } from "./declarative_tools.ts";
import { loadPlugins } from "./load_plugins.ts";
import { startupFiles } from "../permissions/derive_permissions.ts";

/** The owner name of tools built from `[[tools]]`, as registered and shown in clashes. */
export const DECLARATIVE_OWNER = "datasources.toml [[tools]]";

/** Declarative `[[tools]]` and plugin files, ready for createApp. Invalid ones are skipped. */
export async function loadExtensions(
  config: Config,
  log: Logger,
): Promise<Pick<AppOptions, "extraTools" | "plugins">> {
  const extraTools: NonNullable<AppOptions["extraTools"]> = [];
  for (const tool of config.tools) {
    try {
      extraTools.push({
        definition: declarativeTool(tool, config),
        owner: DECLARATIVE_OWNER,
      });
    } catch (error) {
      log.error(`[[tools]] "${tool.name}" skipped: ${(error as Error).message}`);
    }
  }
  const plugins = config.server.pluginsDir
    ? await loadPlugins(config.server.pluginsDir, log, {
      // As long as a statement may take, plus a margin for the plugin's own work.
      timeLimitMs: config.server.queryTimeoutMs + 5_000,
      hookTimeLimitMs: config.server.queryTimeoutMs,
      // A TLS client key is a secret too, though it stays readable to the server itself.
      secretFiles: [
        config.path,
        ...startupFiles(config),
        ...config.datasources.flatMap((source) => source.tls.key ? [source.tls.key] : []),
      ],
    })
    : [];
  return { extraTools, plugins };
}
