/**
 * Connections to MySQL/MariaDB: our pool over single mysql2 connections, the
 * connector it uses, per-source availability and query cancellation.
 */
export { Pool } from "./pool.ts";
export { connect, type OpenedConnection, sessionInitSql } from "./connect.ts";
export { SourceHealth, type SourceHealthOptions, type SourceState } from "./source_health.ts";
export { killQuery } from "./kill_query.ts";
export type {
  AcquireOptions,
  Clock,
  ConnectionTarget,
  PooledConnection,
  PoolEvent,
  PoolOptions,
  PoolStats,
  ServerFlavor,
} from "./types.ts";
