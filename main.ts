/**
 * mysql-mcp: the composition root. config → pools → datasources → gate →
 * tools → MCP → stdio; every stage is built in src/ from plain values.
 */
import { SERVER_NAME, SERVER_VERSION } from "./src/app.ts";
import { parseArgs, USAGE } from "./src/cli/parse_args.ts";
import { runCheck } from "./src/cli/run_check.ts";
import { runServe } from "./src/cli/run_serve.ts";
import { configPathFrom, loadConfig } from "./src/config/load_config.ts";
import { ConfigError } from "./src/config/parse_config.ts";
import { Logger, parseLogLevel } from "./src/log/logger.ts";
import { SecretScrubber } from "./src/log/secret_scrubber.ts";
import { derivePermissions, permissionFlags } from "./src/permissions/derive_permissions.ts";
import { dropStartupPermissions } from "./src/permissions/drop_permissions.ts";
import { hostPlugin, PLUGIN_HOST_COMMAND } from "./src/plugins/plugin_host_command.ts";
import { loadSshKeys } from "./src/tunnel/load_ssh_keys.ts";

const env = (name: string) => {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // not granted: behave as unset
  }
};

/**
 * Runs one command. `scrubber` is a seam for the bench, which compares the
 * server with scrubbing bypassed; everything else uses the default.
 */
export async function main(
  argv: string[],
  scrubber: SecretScrubber = new SecretScrubber(),
): Promise<number> {
  // A compiled server starts itself to host a plugin: nothing else of the server runs then.
  const host = argv.indexOf(PLUGIN_HOST_COMMAND);
  if (host >= 0) return await hostPlugin(argv[host + 1], argv);
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
  const log = new Logger({ level, sinks: [], scrubber });

  let parsed;
  try {
    // Printing the flags needs the config's shape only: no password variable need be set.
    const secrets = args.command === "permissions" ? "names" : "read";
    parsed = await loadConfig(configPathFrom(args.config, env), env, { secrets });
  } catch (error) {
    if (error instanceof ConfigError) {
      log.error(`configuration error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  for (const warning of parsed.warnings) log.warn(`config: ${warning}`);
  const config = parsed.config;
  scrubber.addPasswords(config.datasources, log);
  // Bearer tokens are secrets like passwords: no log line, metric or answer may carry one.
  for (const token of config.server.http?.tokens ?? []) scrubber.add(token.token.reveal());

  if (args.command === "permissions") {
    const flags = permissionFlags(
      derivePermissions(config, { metricsPort: args.metricsPort, http: args.http }),
    );
    console.log(flags.join(" "));
    return 0;
  }
  // Read now, while the key files and passphrase variables may still be read (see load_ssh_keys.ts).
  const sshKeys = await loadSshKeys(config, { env });
  for (const [key, keys] of sshKeys) {
    if ("problem" in keys) {
      log.error(`datasource "${key}": ${keys.problem}; its connections fail until this is fixed`);
    } else if (keys.passphrase && !scrubber.add(keys.passphrase.reveal())) {
      log.warn(`datasource "${key}": its ssh passphrase is too short to be scrubbed from output`);
    }
  }
  if (args.command === "check") return await runCheck(config, log, scrubber, sshKeys);

  // The passwords are read and the config parsed: the variables and the files are let go.
  await dropStartupPermissions(config, log);
  return await runServe(config, log, {
    metricsPort: args.metricsPort,
    scrubber,
    sshKeys,
    http: args.http,
  });
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
