/**
 * The minimal Deno permissions a config needs.
 *
 * What mysql2 and Deno's node compat need beyond the config, measured with
 * DENO_AUDIT_PERMISSIONS (tests/permissions/audit_mysql2.ts, Deno 2.9.6, mysql2
 * 3.24.6: connect, prepared and streamed queries, KILL QUERY, a refused login):
 * - net: only the configured `host:port`, checked as written. With host
 *   `localhost` the check is `localhost:PORT`; granting `127.0.0.1:PORT`
 *   instead fails as `getaddrinfo EPERM localhost`. IPv6 is checked as
 *   `[::1]:PORT`. Name resolution reads no file (/etc/hosts, resolv.conf).
 * - env: `TZ`, read by mysql2's lib/parsers/local_date.js inside a try/catch
 *   only to reset its cache of local-time offsets: harmless when denied, so
 *   left denied. `NODE_DEBUG` (lib/packets/index.js) is exempt from checks in
 *   Deno's process.env, so needs nothing.
 * - sys, read, write, run: nothing. Hence `sys` stays empty.
 *
 * A unix-socket source (`socket`), measured on Deno 2.9.6: Deno.connect with
 * transport "unix" checks read AND write of the socket's path AND net
 * `unix:PATH`; each alone is refused. All three are scoped to that one path.
 * A `password_command` needs run for exactly its program (as written: a bare
 * name is looked up on PATH by Deno, a path must match).
 * - TLS (Deno.startTls, and node:tls over our socket): nothing beyond the net grant and
 *   reading the configured ca/cert/key files.
 *
 * ssh2 1.17.0 (a tunnelled source; DENO_AUDIT_PERMISSIONS over `mysql-mcp
 * check` through a throwaway sshd with an encrypted RSA key, and a forward
 * with an Ed25519 key): net to the bastion's `host:port` only, no env, no
 * read; the key files and the passphrase variable are read by us at startup.
 *
 * Streamable HTTP (`--http` or `[server.http] listen`) needs net for exactly the
 * listen `host:port` (Deno checks Deno.serve's bind as written), and env for
 * each `[[server.http.tokens]]` variable, read once at startup and then revoked;
 * with `[server.http.oauth]`, net for the JWKS host and port.
 */
import type { Config } from "../config/config.ts";
import type { ListenAddress } from "../config/listen_address.ts";
import { PLUGIN_ENV } from "../plugins/plugin_launch.ts";

/** Scoped allow-lists for each permission kind; an empty list grants nothing. */
export interface Permissions {
  readonly net: readonly string[];
  readonly read: readonly string[];
  /** Unix sockets only: Deno checks write access to connect to one. Absent: none. */
  readonly write?: readonly string[];
  /** `password_command` programs, and Deno itself for plugin processes. Absent: none. */
  readonly run?: readonly string[];
  readonly env: readonly string[];
  readonly sys: readonly string[];
}

export interface DeriveOptions {
  /** Port of a local metrics listener, granted on 127.0.0.1 only. */
  metricsPort?: number;
  /** `--http`: the HTTP listen address, instead of `[server.http] listen`. */
  http?: ListenAddress;
  /** Further files or folders the server must read. */
  extraRead?: string[];
  /** The executable that starts plugin processes (default: the running Deno). */
  pluginExecutable?: string;
}

/** Variables the server itself reads (see load_config.ts and the logger). */
export const SERVER_ENV: readonly string[] = ["MYSQL_MCP_CONFIG", "MYSQL_MCP_LOG_LEVEL"];

/** Derives exactly the permissions `config` needs: nothing is granted without a list. */
export function derivePermissions(config: Config, options: DeriveOptions = {}): Permissions {
  const net: string[] = [];
  const sockets: string[] = [];
  for (const source of config.datasources) {
    if (source.ssh) {
      // Through a bastion only the bastion is dialled: the database is reached from there.
      net.push(netAddress(source.ssh.host, source.ssh.port));
    } else if (source.socket !== undefined) {
      sockets.push(source.socket);
      net.push(`unix:${source.socket}`);
    } else if (source.host !== undefined && source.port !== undefined) {
      net.push(netAddress(source.host, source.port));
    }
  }
  if (options.metricsPort !== undefined) net.push(netAddress("127.0.0.1", options.metricsPort));
  // Streamable HTTP listens on exactly its address (Deno checks listening as host:port).
  const listen = options.http ?? config.server.http?.listen;
  if (listen) net.push(netAddress(listen.hostname, listen.port));
  // OAuth: the issuer's keys are fetched from its JWKS host, on that port only.
  const jwks = config.server.http?.oauth?.jwksUri;
  if (jwks) {
    const url = new URL(jwks);
    net.push(netAddress(url.hostname, Number(url.port || (url.protocol === "https:" ? 443 : 80))));
  }

  const plugins = config.server.pluginsDir !== undefined;
  const read = [config.path, ...startupFiles(config)];
  const pluginExecutable = plugins ? options.pluginExecutable ?? Deno.execPath() : undefined;
  // The plugins folder is listed at startup; Deno.execPath() needs read of the executable.
  if (config.server.pluginsDir) read.push(config.server.pluginsDir, pluginExecutable!);
  read.push(...sockets, ...(options.extraRead ?? []));
  // TLS files are read for every new connection (a renewed certificate needs no restart),
  // so these stay granted after startup (drop_permissions.ts revokes only startup files).
  for (const source of config.datasources) {
    if (source.socket !== undefined || source.tls.mode === "disabled") continue;
    for (const file of [source.tls.ca, source.tls.cert, source.tls.key]) if (file) read.push(file);
  }

  const run = config.datasources.flatMap((source) =>
    source.passwordCommand ? [source.passwordCommand[0]] : []
  );
  // Plugins run in processes of their own: the server starts Deno (or itself, compiled).
  if (pluginExecutable) run.push(pluginExecutable);

  const env = [...SERVER_ENV];
  // A plugin process gets a clean environment with only what Deno needs to find its cache.
  if (plugins) env.push(...PLUGIN_ENV);
  for (const source of config.datasources) {
    if (source.passwordEnv) env.push(source.passwordEnv);
    if (source.ssh?.passphraseEnv) env.push(source.ssh.passphraseEnv);
  }
  env.push(...tokenVariables(config));

  return {
    net: unique(net),
    read: unique(read),
    ...(sockets.length > 0 ? { write: unique(sockets) } : {}),
    ...(run.length > 0 ? { run: unique(run) } : {}),
    env: unique(env).sort(),
    sys: [],
  };
}

/** Files read once at startup and let go afterwards: the SSH private keys and known_hosts. */
export function startupFiles(config: Config): string[] {
  return config.datasources.flatMap((source) =>
    source.ssh ? [source.ssh.privateKey, source.ssh.knownHosts] : []
  );
}

/**
 * `host:port` as Deno's --allow-net and its runtime check spell it. Hosts are
 * kept as written: Deno treats `localhost` and `127.0.0.1` as different
 * entries, so normalising would deny the driver's own connection. IPv6
 * literals need brackets, or the port would read as part of the address.
 */
function netAddress(host: string, port: number): string {
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `${bracketed}:${port}`;
}

/** The variables `[[server.http.tokens]]` read their bearer tokens from. */
export function tokenVariables(config: Config): string[] {
  return (config.server.http?.tokens ?? []).map((token) => token.env);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

// Callers usually want the flags next to the derivation.
export { permissionFlags } from "./permission_flags.ts";
