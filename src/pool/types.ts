import type { Connection as RawConnection } from "mysql2";
import type { Duplex } from "node:stream";
import type { PoolConfig, TlsConfig } from "../config/config.ts";
import type { Secret } from "../config/secret.ts";
import type { Connector } from "./session_ops.ts";
import type { SourceHealth } from "./source_health.ts";

/** Where and as whom to connect. The password stays a Secret until the driver needs it. */
export interface ConnectionTarget {
  /** TCP host and port; unused when `socket` is set. */
  readonly host: string;
  readonly port: number;
  /** Path of the server's unix socket, instead of host and port. */
  readonly socket?: string;
  readonly user: string;
  readonly password: Secret;
  /** When set, asked for the password of every new connection instead of `password`. */
  readonly fetchPassword?: (signal?: AbortSignal) => Promise<Secret>;
  /** Default database of the session; undefined for a server-level connection. */
  readonly database?: string;
  readonly connectTimeoutMs: number;
  /** `[datasources.tls]`; absent means plain TCP. */
  readonly tls?: TlsConfig;
  /** Reaches `host`:`port` through a bastion instead of connecting directly. */
  readonly tunnel?: Tunnel;
}

/**
 * A way to the database other than a direct TCP connection: the SSH bastion of a
 * data source (src/tunnel/ssh_tunnel.ts), shared by all its connections.
 */
export interface Tunnel {
  /** What `check` shows as the transport. */
  readonly kind: "ssh";
  /** A byte stream to `host`:`port` as the far end reaches it; rejects with CONNECTION_FAILED. */
  openStream(host: string, port: number, signal?: AbortSignal): Promise<Duplex>;
  /** Closes the tunnel and every stream on it. */
  close(): void;
}

export type ServerFlavor = "mariadb" | "mysql";

/** What is known of an open connection, whoever holds it. */
export interface ConnectionFacts {
  /** The mysql2 callback-API connection; only the SQL gate and stream code touch it. */
  readonly raw: RawConnection;
  /** Server-side connection id, for KILL QUERY. */
  readonly threadId: number;
  readonly flavor: ServerFlavor;
  readonly serverVersion: string;
  /** How it reached the server: "tcp", "tls", "socket", "ssh" or "ssh+tls"; absent from test fakes. */
  readonly transport?: Transport;
  /** The authentication plugin the connection logged in with; absent from test fakes. */
  readonly authPlugin?: string;
}

/**
 * How a connection reaches its server: plain TCP, TLS over TCP, a unix socket, or through an
 * SSH bastion (plain, or TLS end to end inside the tunnel).
 */
export type Transport = "tcp" | "tls" | "socket" | "ssh" | "ssh+tls";

/** A connection lent by a Pool. Give it back with release() or discard(), exactly once. */
export interface PooledConnection extends ConnectionFacts {
  /** Says session state may have changed: release() resets it before reuse. */
  markDirty(): void;
  /** Says this loan is meant to last (a result stream): no leak report for it. */
  holdLong(): void;
  /** Puts the session in READ ONLY or READ WRITE transaction mode; no round trip if unchanged. */
  setReadOnly(readOnly: boolean): Promise<void>;
  /** Returns it to the pool (reset first when dirty). Later calls do nothing. */
  /**
   * Gives the connection back. The promise resolves once it is clean again (a dirty one reset,
   * the read-only default restored) or gone: await it when the caller's answer must not go out
   * before state it left on the connection is.
   */
  release(): Promise<void>;
  /** Closes it for good (fatal error, KILL, timeout). Later calls do nothing. */
  discard(reason: string): void;
  /** Calls back once if the connection dies while lent (error or end event); returns an unsubscribe. */
  onDeath(callback: (error: Error) => void): () => void;
}

export interface PoolStats {
  readonly name: string;
  readonly total: number;
  readonly active: number;
  readonly idle: number;
  readonly waiting: number;
  /** Connections being opened right now; they count against max_connections, not total. */
  readonly opening: number;
  readonly acquisitions: {
    readonly total: number;
    readonly successful: number;
    readonly failed: number;
  };
  readonly acquireTimeMs: { readonly average: number; readonly p99: number };
  readonly healthy: boolean;
  readonly connections: readonly {
    readonly threadId: number;
    readonly ageMs: number;
    readonly uses: number;
    readonly state: "idle" | "active";
  }[];
}

export type PoolEvent =
  | { type: "created"; pool: string; threadId: number }
  | { type: "closed"; pool: string; threadId: number; reason: string }
  | { type: "acquired"; pool: string; threadId: number; waitMs: number }
  | { type: "released"; pool: string; threadId: number; holdMs: number }
  | { type: "health_check_started"; pool: string }
  | { type: "health_check_finished"; pool: string; removed: number }
  | { type: "leak_suspected"; pool: string; threadId: number; holder: string; heldMs: number };

export interface PoolOptions {
  /** "datasource/database", used in messages and stats; never credentials. */
  readonly name: string;
  readonly target: ConnectionTarget;
  readonly config: PoolConfig;
  /** A connection held longer than this is reported as a leak (e.g. 3x the query timeout); 0: never. */
  readonly leakThresholdMs: number;
  /** Connections idle longer than this are pinged before being handed out (default 1000; 0: always). */
  readonly validateAfterIdleMs?: number;
  readonly onEvent?: (event: PoolEvent) => void;
  readonly log?: (
    level: "debug" | "info" | "warn" | "error",
    message: string,
    fields?: Record<string, unknown>,
  ) => void;
  /** Availability of the pool's data source, shared by all its pools; used for every new connection. */
  readonly health?: SourceHealth;
  /** How a connection is opened (default: mysql2 through connect()); tests pass a fake. */
  readonly connect?: Connector;
}

/** Options of Pool.acquire(). */
export interface AcquireOptions {
  /** Aborting it removes the caller from the wait queue. */
  readonly signal?: AbortSignal;
  /** Who holds the connection, named in leak reports (e.g. the tool name). */
  readonly holder?: string;
}

/** Monotonic milliseconds; tests pass their own. */
export interface Clock {
  now(): number;
}
