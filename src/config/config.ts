import type { Secret } from "./secret.ts";

/** Pool sizing and timing for one (datasource, database) pool; durations in ms. */
export interface PoolConfig {
  readonly maxConnections: number;
  readonly minConnections: number;
  readonly acquireTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxLifetimeMs: number;
  readonly healthCheckIntervalMs: number;
  /** Bound on callers waiting for a connection; one more is refused at once. */
  readonly maxQueue: number;
}

/** One configured MySQL server the agent may address by `key`. */
export interface DatasourceConfig {
  readonly key: string;
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: Secret;
  /** Name of the environment variable the password came from, if any. */
  readonly passwordEnv?: string;
  /** Allow-list; empty means every database the server shows. */
  readonly databases: readonly string[];
  readonly readOnly: boolean;
  readonly maxRows: number;
  /**
   * Lets mysql_query call stored functions and UDFs (refused by default: they can write or
   * change server settings); the connection is reset after every such call.
   */
  readonly allowStoredFunctions: boolean;
  /** Bound on a result's size (and a stream chunk's), measured as rows are read. */
  readonly maxResultBytes: number;
  readonly pool: PoolConfig;
}

export type ParameterType = "string" | "integer" | "number" | "boolean";

export interface ToolParameterConfig {
  readonly name: string;
  readonly type: ParameterType;
  readonly description?: string;
  readonly required: boolean;
  readonly default?: string | number | boolean;
  readonly enum?: readonly (string | number)[];
}

/** A declarative SQL tool from `[[tools]]`. */
export interface DeclarativeToolConfig {
  readonly name: string;
  readonly description: string;
  readonly datasource: string;
  readonly database: string;
  readonly statement: string;
  readonly writes: boolean;
  readonly parameters: readonly ToolParameterConfig[];
}

export interface ServerConfig {
  readonly queryTimeoutMs: number;
  readonly streamChunkSize: number;
  readonly maxConcurrentStreams: number;
  readonly streamIdleTimeoutMs: number;
  /** Default bound on a result's size in bytes; a datasource may override it. */
  readonly maxResultBytes: number;
  /** Absolute path of the plugins folder, or undefined when none is configured. */
  readonly pluginsDir?: string;
}

/** The whole validated configuration: frozen, plain data. */
export interface Config {
  /** Absolute path of the file it was read from. */
  readonly path: string;
  readonly server: ServerConfig;
  readonly datasources: readonly DatasourceConfig[];
  readonly tools: readonly DeclarativeToolConfig[];
}

export const STREAM_CHUNK_CAP = 1000;

export const POOL_DEFAULTS: PoolConfig = Object.freeze({
  maxConnections: 10,
  minConnections: 0,
  acquireTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 300_000,
  maxLifetimeMs: 1_800_000,
  healthCheckIntervalMs: 30_000,
  maxQueue: 1000,
});

export const SERVER_DEFAULTS: ServerConfig = Object.freeze({
  queryTimeoutMs: 30_000,
  streamChunkSize: 1000,
  maxConcurrentStreams: 100,
  streamIdleTimeoutMs: 60_000,
  maxResultBytes: 16 * 1024 * 1024,
});
