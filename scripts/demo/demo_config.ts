/**
 * Writes the demo's datasources.toml to a temp dir (from
 * examples/demo.datasources.toml) and builds the exact command an agent host
 * would run: Deno with explicit, minimal permission flags, never -A.
 */

import { formatListenAddress, type ListenAddress } from "../../src/config/listen_address.ts";
import { parseConfig } from "../../src/config/parse_config.ts";
import { derivePermissions, permissionFlags } from "../../src/permissions/derive_permissions.ts";

const REPO = new URL("../../", import.meta.url);
const TEMPLATE = new URL("examples/demo.datasources.toml", REPO);

/** The repository's main.ts and plugins/ folder, as absolute paths. */
export const MAIN_TS = new URL("main.ts", REPO).pathname;
export const PLUGINS_DIR = new URL("plugins", REPO).pathname;
export const REPO_DIR = REPO.pathname.replace(/\/$/, "");

/** Environment variables naming the datasources' passwords in the template. */
export const PASSWORD_VARS = { reader: "SHOP_RO_PASSWORD", writer: "SHOP_RW_PASSWORD" } as const;
/** With --http: the variable holding the demo's bearer token. */
export const TOKEN_VAR = "DEMO_MCP_TOKEN";

export interface DemoConfig {
  /** Temp dir holding the config; remove it when done. */
  readonly dir: string;
  readonly configPath: string;
  /** Deno's executable: what an agent host's `command` is. */
  readonly command: string;
  /** `run <flags> main.ts serve --config <path>`. */
  readonly args: string[];
  /** `run <flags> main.ts check --config <path>`: the same permissions. */
  readonly checkArgs: string[];
  /** Only the password (and token) variables: what an agent host's `env` holds. */
  readonly secrets: Record<string, string>;
  /** With --http: the MCP endpoint and its bearer token. */
  readonly http?: { url: string; token: string };
}

export interface DemoConfigOptions {
  host: string;
  port: number;
  readerPassword: string;
  writerPassword: string;
  /** PEM of the CA that signed the demo server's certificate. */
  caPath: string;
  /** Serve Streamable HTTP there, with a bearer token, instead of stdio. */
  http?: ListenAddress;
}

/** Fills in the template and derives the server command for it. */
export async function writeDemoConfig(options: DemoConfigOptions): Promise<DemoConfig> {
  const template = await Deno.readTextFile(TEMPLATE);
  let text = substitute(template, /^host = ".*"$/gm, `host = ${JSON.stringify(options.host)}`);
  text = substitute(text, /^port = \d+$/gm, `port = ${options.port}`);
  text = substitute(text, /^plugins_dir = .*$/m, `plugins_dir = ${JSON.stringify(PLUGINS_DIR)}`);
  text = substitute(text, /^ {2}ca = ".*"/m, `  ca = ${JSON.stringify(options.caPath)}`);
  const token = `demo-${crypto.randomUUID()}`;
  if (options.http) {
    text += `\n[server.http]\n[[server.http.tokens]]\nname = "demo"\nenv = "${TOKEN_VAR}"\n`;
  }
  const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-demo-" });
  const configPath = `${dir}/datasources.toml`;
  await Deno.writeTextFile(configPath, text);

  const secrets: Record<string, string> = {
    [PASSWORD_VARS.reader]: options.readerPassword,
    [PASSWORD_VARS.writer]: options.writerPassword,
    ...(options.http ? { [TOKEN_VAR]: token } : {}),
  };
  // The flags `deno task start` would derive from this config: the demo runs the server as
  // an agent host would, with exactly those permissions.
  const { config } = parseConfig(text, {
    path: configPath,
    env: (name) => secrets[name] ?? Deno.env.get(name),
  });
  const argsFor = (command: string) => [
    "run",
    // A permission the flags do not grant must fail, never prompt on a terminal.
    "--no-prompt",
    ...permissionFlags(derivePermissions(config, { http: options.http })),
    MAIN_TS,
    command,
    ...(command === "serve" && options.http ? ["--http", formatListenAddress(options.http)] : []),
    "--config",
    configPath,
  ];
  const http = options.http
    ? { url: `http://${formatListenAddress(options.http)}/mcp`, token }
    : undefined;
  return {
    dir,
    configPath,
    command: Deno.execPath(),
    args: argsFor("serve"),
    checkArgs: argsFor("check"),
    secrets,
    ...(http ? { http } : {}),
  };
}

/**
 * The environment the server process gets: what an agent host passes (a
 * few basics plus the secrets), and whatever locates Deno's cache and npm.
 */
export function serverEnv(config: DemoConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(Deno.env.toObject())) {
    const basic = ["HOME", "PATH", "USER", "LOGNAME", "SHELL", "TERM", "TMPDIR", "NO_COLOR"]
      .includes(name);
    const tooling = /^(DENO_|NPM_CONFIG_)/.test(name) ||
      /^(HTTPS?_PROXY|NO_PROXY)$/i.test(name) || name === "MYSQL_MCP_LOG_LEVEL";
    if (basic || tooling) env[name] = value;
  }
  return { ...env, ...config.secrets };
}

/** Replaces what `pattern` matches; the template drifting out of shape is an error. */
function substitute(text: string, pattern: RegExp, value: string): string {
  if (text.search(pattern) < 0) throw new Error(`demo template: nothing matches ${pattern}`);
  return text.replace(pattern, value);
}
