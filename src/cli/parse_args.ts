import { type ListenAddress, parseListenAddress } from "../config/listen_address.ts";

export type Command = "serve" | "check" | "permissions" | "help" | "version";

export interface CliArgs {
  command: Command;
  config?: string;
  logLevel?: string;
  metricsPort?: number;
  /** `--http [host:]port`: serve Streamable HTTP there instead of stdio. */
  http?: ListenAddress;
}

const COMMANDS: readonly Command[] = ["serve", "check", "permissions", "help", "version"];

/**
 * Parses `mysql-mcp [command] [--config PATH] [--log-level L]`. A later
 * `--config` wins, so a compiled binary's baked-in flags can be overridden.
 */
export function parseArgs(argv: readonly string[]): CliArgs {
  const out: CliArgs = { command: "serve" };
  let commandSeen = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined || next.startsWith("--")) {
        throw new TypeError(`${flag} needs a value`);
      }
      return next;
    };
    switch (flag) {
      case "--config":
      case "-c":
        out.config = value();
        break;
      case "--log-level":
        out.logLevel = value();
        break;
      case "--metrics-port": {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 1 || port > 65535) {
          throw new TypeError("--metrics-port needs a port number (1-65535)");
        }
        out.metricsPort = port;
        break;
      }
      case "--http":
        out.http = parseListenAddress(value());
        break;
      case "--help":
      case "-h":
        out.command = "help";
        break;
      case "--version":
      case "-V":
        out.command = "version";
        break;
      default:
        if (!arg.startsWith("-") && COMMANDS.includes(arg as Command)) {
          // A compiled binary bakes in `serve --config X`; a later command word wins.
          if (!commandSeen || out.command === "serve") out.command = arg as Command;
          commandSeen = true;
        } else {
          throw new TypeError(`Unknown argument "${arg}". Run mysql-mcp --help`);
        }
    }
  }
  return out;
}

export const USAGE = `mysql-mcp: an MCP server for MySQL and MariaDB

Usage:
  mysql-mcp [serve] [--config PATH] [--log-level debug|info|warn|error]
      Serve MCP over stdio (stdout: MCP messages only; logs on stderr).
  mysql-mcp serve --http [host:]port [--config PATH]
      Serve MCP over Streamable HTTP at /mcp (host defaults to 127.0.0.1; any other
      address needs [[server.http.tokens]]), with /healthz and /metrics beside it.
  mysql-mcp check [--config PATH]
      Validate the config and try every datasource; non-zero exit if any is unavailable.
  mysql-mcp permissions [--config PATH]
      Print the minimal Deno permission flags this config needs.

The config path is --config, else $MYSQL_MCP_CONFIG, else ./datasources.toml.
`;
