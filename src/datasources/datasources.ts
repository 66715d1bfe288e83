import type { ServerFlavor } from "../pool/types.ts";
import type { DatasourceConfig, ServerConfig } from "../config/config.ts";
import { clip } from "../errors/clip.ts";
import { ToolError } from "../errors/tool_error.ts";
import type { Logger } from "../log/logger.ts";
import { Pool } from "../pool/pool.ts";
import { passwordCommand } from "../pool/password_command.ts";
import { SourceHealth } from "../pool/source_health.ts";
import { SecretScrubber } from "../log/secret_scrubber.ts";
import type {
  ConnectionTarget,
  PooledConnection,
  PoolEvent,
  PoolStats,
  Transport,
  Tunnel,
} from "../pool/types.ts";
import type { SshKeyring } from "../tunnel/load_ssh_keys.ts";
import { SshTunnel } from "../tunnel/ssh_tunnel.ts";

export interface DatasourceSummary {
  key: string;
  name: string;
  status: "available" | "unavailable";
}

export interface PoolStatsEntry extends PoolStats {
  datasource_key: string;
  database: string | null;
}

/** The TLS session of a connection, as the server reports it. */
export interface TlsSession {
  /** e.g. "TLSv1.3". */
  readonly version: string;
  /** e.g. "TLS_AES_256_GCM_SHA384". */
  readonly cipher: string;
}

export interface DatasourcesOptions {
  /** Backoff between connect attempts (SPEC: 1 s, 2 s, 4 s). */
  retryDelaysMs?: number[];
  /** How often an unavailable source is retried in the background (SPEC: 60 s). */
  recoveryIntervalMs?: number;
  onPoolEvent?: (event: PoolEvent) => void;
  /** The SSH keys of tunnelled sources, read at startup by loadSshKeys(). */
  sshKeys?: SshKeyring;
  /**
   * Told every password a `password_command` prints, with the data source's key, before it
   * is used: register it with the secret scrubber (SecretScrubber.addRotating).
   */
  onSecret?: (key: string, value: string) => void;
}

/** What `probe()` learnt about a data source's server and connection. */
export interface ProbeResult {
  ok: boolean;
  latencyMs: number;
  error?: unknown;
  /** "tcp", "tls", "socket", "ssh" or "ssh+tls"; TLS as the server reports the session. */
  transport?: Transport;
  /** TLS version and cipher, when the session is encrypted. */
  tls?: TlsSession;
  flavor?: ServerFlavor;
  serverVersion?: string;
  authPlugin?: string;
}

interface Source {
  readonly config: DatasourceConfig;
  /** Where and as whom it connects; one password_command runner shared by its pools. */
  readonly target: ConnectionTarget;
  readonly health: SourceHealth;
  /** Pools by database; "" is the server-level pool used for metadata. */
  readonly pools: Map<string, Pool>;
  /** The source's SSH tunnel, shared by all its pools; absent for a direct connection. */
  readonly tunnel?: Tunnel;
}

/**
 * The configured data sources by key, each with one lazily created pool
 * per database it is asked for. Agents only ever see keys and names.
 */
export class Datasources {
  readonly #sources = new Map<string, Source>();
  /** The last passwords each password_command printed, for sanitizing messages. */
  readonly #commandSecrets = new Map<string, string[]>();
  /** Sources already warned about for reaching another machine without TLS. */
  readonly #warnedPlain = new Set<string>();
  #closed = false;

  constructor(
    configs: readonly DatasourceConfig[],
    private readonly server: ServerConfig,
    private readonly log: Logger,
    private readonly options: DatasourcesOptions = {},
  ) {
    for (const config of configs) {
      const tunnel = config.ssh
        ? new SshTunnel({
          name: config.key,
          ssh: config.ssh,
          keys: options.sshKeys?.get(config.key),
          connectTimeoutMs: config.pool.connectTimeoutMs,
          log: (level, message, fields) =>
            log.log(level, message, { datasource: config.key, ...fields }),
        })
        : undefined;
      const target = this.#targetOf(config, tunnel);
      const health = SourceHealth.forTarget(target, {
        name: config.key,
        retryDelaysMs: options.retryDelaysMs,
        recoveryIntervalMs: options.recoveryIntervalMs,
        log: (level, message, fields) =>
          log.log(level, message, { datasource: config.key, ...fields }),
      });
      this.#sources.set(config.key, { config, target, health, pools: new Map(), tunnel });
    }
  }

  /** Every key with its name and availability, in config order. */
  list(): DatasourceSummary[] {
    return [...this.#sources.values()].map((s) => ({
      key: s.config.key,
      name: s.config.name,
      status: s.health.state,
    }));
  }

  keys(): string[] {
    return [...this.#sources.keys()];
  }

  /** The config for `key`; an unknown key is AUTHENTICATION_ERROR (SPEC property 16). */
  get(key: string): DatasourceConfig {
    const source = this.#sources.get(key);
    if (!source) {
      throw new ToolError(
        "AUTHENTICATION_ERROR",
        `Unknown datasource key "${clip(key)}". Call mysql_list_datasources for the valid keys.`,
      );
    }
    return source.config;
  }

  /** The pool for (key, database); database undefined means the server-level pool. */
  /** The server flavour of a source, once any of its pools has connected. */
  flavor(key: string): ServerFlavor | undefined {
    for (const pool of this.#sources.get(key)?.pools.values() ?? []) {
      if (pool.flavor !== undefined) return pool.flavor;
    }
    return undefined;
  }

  pool(key: string, database?: string): Pool {
    const source = this.#sources.get(key);
    if (!source) this.get(key);
    if (this.#closed) throw new ToolError("CONNECTION_FAILED", "The server is shutting down");
    const db = database ?? "";
    let pool = source!.pools.get(db);
    if (!pool) {
      const config = source!.config;
      pool = new Pool({
        name: db ? `${config.key}/${db}` : config.key,
        target: { ...source!.target, database: db || undefined },
        // The server-level pool only serves metadata lookups: keep it small.
        config: db ? config.pool : { ...config.pool, minConnections: 0, maxConnections: 2 },
        leakThresholdMs: Math.max(this.server.queryTimeoutMs * 3, 60_000),
        health: source!.health,
        onEvent: this.options.onPoolEvent,
        log: (level, message, fields) =>
          this.log.log(level, message, { datasource: config.key, database: db || null, ...fields }),
      });
      source!.pools.set(db, pool);
      if (config.pool.minConnections > 0 && db) {
        pool.warm().catch(() => {/* availability is tracked by SourceHealth */});
      }
    }
    return pool;
  }

  /** Where and as whom `key` connects, without a database (e.g. for KILL QUERY). */
  target(key: string): ConnectionTarget {
    this.get(key);
    return this.#sources.get(key)!.target;
  }

  /** Pool statistics, for one source or all. */
  stats(key?: string): PoolStatsEntry[] {
    const sources = key === undefined ? [...this.#sources.values()] : [this.#sources.get(key)!];
    if (key !== undefined) this.get(key);
    const out: PoolStatsEntry[] = [];
    for (const source of sources) {
      for (const [db, pool] of source.pools) {
        out.push({ ...pool.stats(), datasource_key: source.config.key, database: db || null });
      }
    }
    return out;
  }

  /**
   * Connects to the server of `key` once (through its server-level pool, so
   * retries and availability apply) and reports the round trip and how the
   * session travels (the server's own view: its Ssl_version and Ssl_cipher).
   * A source on another machine that ends up without TLS is warned about, once.
   */
  async probe(key: string): Promise<ProbeResult> {
    const started = performance.now();
    try {
      const conn = await this.pool(key).acquire({ holder: "probe" });
      const latencyMs = performance.now() - started;
      const { flavor, serverVersion, authPlugin } = conn;
      let tls: TlsSession | undefined;
      try {
        // The server's own view: a unix socket needs no TLS and MariaDB offers none there.
        if (conn.transport !== "socket") tls = await sessionTls(conn.raw);
      } finally {
        conn.release();
      }
      const via = conn.transport;
      const tunnelled = via === "ssh" || via === "ssh+tls";
      const transport: Transport = via === "socket"
        ? "socket"
        : tunnelled
        ? (tls ? "ssh+tls" : "ssh")
        : tls
        ? "tls"
        : "tcp";
      // Through a bastion, `host` is as the bastion sees it: its last hop is plain unless TLS.
      const host = this.get(key).host;
      const plain = transport === "tcp" || transport === "ssh";
      if (plain && host && !isLoopback(host) && !this.#warnedPlain.has(key)) {
        this.#warnedPlain.add(key);
        this.log.warn(
          `Data source "${key}" is reached over the network without TLS: set [datasources.tls] mode = "verify_identity" (or "required") and enable TLS on the server`,
          { datasource: key },
        );
      }
      return { ok: true, latencyMs, transport, tls, flavor, serverVersion, authPlugin };
    } catch (error) {
      return { ok: false, latencyMs: performance.now() - started, error };
    }
  }

  /** Every password in the config, so messages can be scrubbed of them. */
  secrets(): string[] {
    return [
      ...[...this.#sources.values()].map((s) => s.config.password.reveal()),
      ...[...this.#commandSecrets.values()].flat(),
    ];
  }

  /** Closes every pool: in-flight work may finish within `graceMs`. */
  async close(graceMs = 5_000): Promise<void> {
    this.#closed = true;
    const closing: Promise<void>[] = [];
    for (const source of this.#sources.values()) {
      source.health.close();
      for (const pool of source.pools.values()) closing.push(pool.close({ graceMs }));
    }
    await Promise.allSettled(closing);
    for (const source of this.#sources.values()) source.tunnel?.close();
  }

  #targetOf(config: DatasourceConfig, tunnel: Tunnel | undefined): ConnectionTarget {
    const command = config.passwordCommand;
    return {
      // A socket source has no host or port; the driver ignores them then.
      host: config.host ?? "localhost",
      port: config.port ?? 0,
      ...(config.socket !== undefined ? { socket: config.socket } : {}),
      user: config.username,
      password: config.password,
      ...(command !== undefined
        ? {
          fetchPassword: passwordCommand(command, {
            onPassword: (value) => this.#rememberSecret(config.key, value),
          }),
        }
        : {}),
      connectTimeoutMs: config.pool.connectTimeoutMs,
      tls: config.tls,
      ...(tunnel ? { tunnel } : {}),
    };
  }

  #rememberSecret(key: string, value: string): void {
    const recent = this.#commandSecrets.get(key) ?? [];
    if (recent.at(-1) !== value) {
      // Bounded like the scrubber's series: an old token has long expired.
      this.#commandSecrets.set(key, [...recent, value].slice(-SecretScrubber.ROTATING_KEEP));
    }
    this.options.onSecret?.(key, value);
  }
}

/** The session's TLS version and cipher as the server reports them; undefined without TLS. */
function sessionTls(raw: PooledConnection["raw"]): Promise<TlsSession | undefined> {
  return new Promise((resolve, reject) => {
    raw.query(
      "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')",
      (error: unknown, rows: unknown) => {
        if (error) return reject(error);
        const value = (name: string) =>
          String(
            (rows as { Variable_name: string; Value: string }[])
              .find((row) => row.Variable_name === name)?.Value ?? "",
          );
        const cipher = value("Ssl_cipher");
        resolve(cipher === "" ? undefined : { version: value("Ssl_version"), cipher });
      },
    );
  });
}

/** The host is this machine: plain TCP to it never crosses a network. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/** How a source is reached, as `check` shows it: "tcp", "socket", or "ssh" through a bastion. */
export function transportOf(config: DatasourceConfig): string {
  return config.ssh ? "ssh" : config.socket !== undefined ? "socket" : "tcp";
}
