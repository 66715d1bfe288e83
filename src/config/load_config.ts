import { whyUnreadable } from "./unreadable.ts";
import { ConfigError, parseConfig, type ParsedConfig } from "./parse_config.ts";

/**
 * Where the config comes from: `--config`, else MYSQL_MCP_CONFIG, else
 * ./datasources.toml.
 */
export function configPathFrom(flag: string | undefined, env: (n: string) => string | undefined) {
  return flag ?? env("MYSQL_MCP_CONFIG") ?? "datasources.toml";
}

/**
 * Reads and validates the config file at `path`. `secrets: "names"` reads no password, for
 * commands that only need the config's shape (permissions, compile).
 */
export async function loadConfig(
  path: string,
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
  options: { secrets?: "read" | "names" } = {},
): Promise<ParsedConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new ConfigError(`${path}: ${whyUnreadable(error)}`);
  }
  return parseConfig(text, { path, env, secrets: options.secrets });
}
