/**
 * Connections to MySQL/MariaDB: our pool over single connections, the
 * connector it uses, per-source availability and query cancellation.
 */
export { Pool } from "./pool.ts";
export { connect, type OpenedConnection, sessionInitSql } from "./connect.ts";
export { MySqlSession, openMySqlSession } from "./mysql_session.ts";
export { type PoolClock, systemClock } from "./pool_clock.ts";
export type { Connector, SessionOps } from "./session_ops.ts";
export { SourceHealth, type SourceHealthOptions, type SourceState } from "./source_health.ts";
export { killQuery } from "./kill_query.ts";
export type * from "./types.ts";
