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
 * ssh2 1.17.0 (a tunnelled source; DENO_AUDIT_PERMISSIONS over `mysql-mcp
 * check` through a throwaway sshd with an encrypted RSA key, and a forward
 * with an Ed25519 key): net to the bastion's `host:port` only, no env, no
 * read; the key files and the passphrase variable are read by us at startup.
 */
import type { Config } from "../config/config.ts";

/** Scoped allow-lists for each permission kind; an empty list grants nothing. */
export interface Permissions {
  readonly net: readonly string[];
  readonly read: readonly string[];
  readonly env: readonly string[];
  readonly sys: readonly string[];
  /** Unstable runtime features to enable, e.g. `worker-options` for permission-less plugin workers. */
  readonly unstable?: readonly string[];
}

export interface DeriveOptions {
  /** Port of a local metrics listener, granted on 127.0.0.1 only. */
  metricsPort?: number;
  /** Further files or folders the server must read. */
  extraRead?: string[];
}

/**
 * The server's own modules. A plugin's worker loads the plugin API and the
 * worker runtime from here with the server's read permission (Deno checks
 * every module a new worker loads, even one the server itself imported):
 * code only, never a secret. Kept for as long as the server runs, since a
 * stopped worker is started again.
 */
const SERVER_SOURCE = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(
  /\/$/,
  "",
);

/** Variables the server itself reads (see load_config.ts and the logger). */
export const SERVER_ENV: readonly string[] = ["MYSQL_MCP_CONFIG", "MYSQL_MCP_LOG_LEVEL"];

/** Derives exactly the permissions `config` needs: nothing is granted without a list. */
export function derivePermissions(config: Config, options: DeriveOptions = {}): Permissions {
  // Through a bastion only the bastion is dialled: the database is reached from there.
  const net = config.datasources.map((source) =>
    source.ssh ? netAddress(source.ssh.host, source.ssh.port) : netAddress(source.host, source.port)
  );
  if (options.metricsPort !== undefined) net.push(netAddress("127.0.0.1", options.metricsPort));

  const read = [config.path, ...startupFiles(config)];
  if (config.server.pluginsDir) read.push(config.server.pluginsDir, SERVER_SOURCE);
  read.push(...(options.extraRead ?? []));

  const env = [...SERVER_ENV];
  for (const source of config.datasources) {
    if (source.passwordEnv) env.push(source.passwordEnv);
    if (source.ssh?.passphraseEnv) env.push(source.ssh.passphraseEnv);
  }

  return {
    net: unique(net),
    read: unique(read),
    env: unique(env).sort(),
    sys: [],
    // Plugins run in workers with `permissions: "none"`, an unstable worker option.
    ...(config.server.pluginsDir ? { unstable: ["worker-options"] } : {}),
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

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

// Callers usually want the flags next to the derivation.
export { permissionFlags } from "./permission_flags.ts";
