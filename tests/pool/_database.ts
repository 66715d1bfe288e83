/**
 * One throwaway MariaDB per test file, with a dedicated password account for
 * the pool and a small table.
 */
import { type DatabaseServer, startDatabaseServer } from "../../scripts/throwaway_mariadb.ts";
import { POOL_DEFAULTS, type PoolConfig } from "../../src/config/config.ts";
import { Secret } from "../../src/config/secret.ts";
import type { ConnectionTarget, PooledConnection, PoolOptions } from "../../src/pool/types.ts";

export interface PoolTestDatabase {
  readonly server: DatabaseServer;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  target(overrides?: Partial<ConnectionTarget>): ConnectionTarget;
  poolOptions(config?: Partial<PoolConfig>, extra?: Partial<PoolOptions>): PoolOptions;
  /** Thread ids of the pool account's sessions, as the server sees them. */
  sessions(): Promise<number[]>;
  /** Polls until `check` is true or `timeoutMs` passes; returns the last value of check. */
  eventually(check: () => boolean | Promise<boolean>, timeoutMs?: number): Promise<boolean>;
  /** Drops the account and schema, then stops the server if this file started it. */
  finish(): Promise<void>;
}

export async function poolTestDatabase(
  options: { ownServer?: boolean } = {},
): Promise<PoolTestDatabase> {
  // Outage tests must own the server they stop.
  const server = await startDatabaseServer({ ignoreUrl: options.ownServer });
  const suffix = crypto.randomUUID().slice(0, 8);
  const user = `pool_${suffix}`;
  const password = `pw-${crypto.randomUUID()}`;
  const database = `pooltest_${suffix}`;
  await server.admin(
    `CREATE DATABASE ${database};` +
      `CREATE TABLE ${database}.items (id INT PRIMARY KEY, name VARCHAR(40), price DECIMAL(10,2));` +
      `INSERT INTO ${database}.items SELECT seq, CONCAT('item ', seq), seq * 1.5 FROM ${database}.seq_1_to_1000;` +
      `CREATE USER '${user}'@'%' IDENTIFIED BY '${password}';` +
      `GRANT ALL PRIVILEGES ON ${database}.* TO '${user}'@'%';`,
  );
  const target = (overrides: Partial<ConnectionTarget> = {}): ConnectionTarget => ({
    host: server.host,
    port: server.port,
    user,
    password: new Secret(password),
    database,
    connectTimeoutMs: 2000,
    ...overrides,
  });
  const db: PoolTestDatabase = {
    server,
    user,
    password,
    database,
    target,
    poolOptions: (config = {}, extra = {}) => ({
      name: `test/${database}`,
      target: target(),
      config: {
        ...POOL_DEFAULTS,
        acquireTimeoutMs: 2000,
        connectTimeoutMs: 2000,
        idleTimeoutMs: 60_000,
        healthCheckIntervalMs: 60_000,
        ...config,
      },
      leakThresholdMs: 60_000,
      ...extra,
    }),
    async sessions() {
      const rows = await server.admin(
        "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ?",
        [user],
      ) as { id: number | string }[];
      return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    },
    async finish() {
      await server.admin(`DROP USER IF EXISTS '${user}'@'%'; DROP DATABASE IF EXISTS ${database};`)
        .catch(() => {});
      await server.stop();
    },
    async eventually(check, timeoutMs = 3000) {
      const deadline = performance.now() + timeoutMs;
      while (true) {
        if (await check()) return true;
        if (performance.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
  return db;
}

/** Runs one statement on a lent connection through the callback API. */
export function query<T = any>(
  connection: { raw: PooledConnection["raw"] },
  sql: string,
  params: unknown[] = [],
): Promise<T> {
  return new Promise((resolve, reject) => {
    connection.raw.query(sql, params, (error: unknown, rows: unknown) => {
      if (error) reject(error);
      else resolve(rows as T);
    });
  });
}
