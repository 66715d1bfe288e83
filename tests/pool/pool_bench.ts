/**
 * Our Pool against mysql2's own pool (callback API), side by side in one run:
 * the cost of acquire + release of an idle connection, and the throughput of
 * 64 concurrent workers doing primary-key lookups.
 *
 *   deno run -A tests/pool/pool_bench.ts
 */
import mysql from "mysql2";
import { type DatabaseServer, startDatabaseServer } from "../../scripts/throwaway_mariadb.ts";
import { POOL_DEFAULTS } from "../../src/config/config.ts";
import { Secret } from "../../src/config/secret.ts";
import { Pool } from "../../src/pool/pool.ts";

export interface PoolBenchResult {
  readonly poolSize: number;
  readonly acquireRelease: {
    readonly oursUs: number;
    readonly mysql2Us: number;
    readonly ratio: number;
  };
  readonly throughput: {
    readonly workers: number;
    readonly seconds: number;
    readonly oursPerSecond: number;
    readonly mysql2PerSecond: number;
    /** mysql2 / ours: at most 1.0 means ours is no slower. */
    readonly ratio: number;
  };
}

const POOL_SIZE = 10;
const ITERATIONS = 200_000;
const WORKERS = 64;

/** Runs both benchmarks against `server`, which must be up; creates its own user and table. */
export async function benchPool(
  server: DatabaseServer,
  options: { seconds?: number; iterations?: number } = {},
): Promise<PoolBenchResult> {
  const seconds = options.seconds ?? 3;
  const iterations = options.iterations ?? ITERATIONS;
  const suffix = crypto.randomUUID().slice(0, 8);
  const user = `bench_${suffix}`;
  const password = `pw-${crypto.randomUUID()}`;
  const database = `poolbench_${suffix}`;
  await server.admin(
    `CREATE DATABASE ${database};` +
      `CREATE TABLE ${database}.items (id INT PRIMARY KEY, name VARCHAR(40));` +
      `INSERT INTO ${database}.items SELECT seq, CONCAT('item ', seq) FROM ${database}.seq_1_to_10000;` +
      `CREATE USER '${user}'@'%' IDENTIFIED BY '${password}';` +
      `GRANT SELECT ON ${database}.* TO '${user}'@'%';`,
  );
  const ours = new Pool({
    name: "bench/ours",
    target: {
      host: server.host,
      port: server.port,
      user,
      password: new Secret(password),
      database,
      connectTimeoutMs: 5000,
    },
    config: {
      ...POOL_DEFAULTS,
      minConnections: POOL_SIZE,
      maxConnections: POOL_SIZE,
      maxQueue: 10_000,
    },
    leakThresholdMs: 60_000,
  });
  const theirs = mysql.createPool({
    host: server.host,
    port: server.port,
    user,
    password,
    database,
    connectionLimit: POOL_SIZE,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
  });
  try {
    await ours.warm();
    await warmTheirs(theirs);

    // Alternate the two a few rounds so neither profits from running second.
    const oursRuns: number[] = [];
    const theirRuns: number[] = [];
    for (let round = 0; round < 3; round++) {
      oursRuns.push(await acquireReleaseOurs(ours, iterations));
      theirRuns.push(await acquireReleaseTheirs(theirs, iterations));
    }
    const oursUs = Math.min(...oursRuns);
    const mysql2Us = Math.min(...theirRuns);

    // Warm both (JIT, server caches), then A-B-B-A halves so drift in machine load cancels out.
    const runOurs = (s: number) => throughput(s, (id) => lookupOurs(ours, id));
    const runTheirs = (s: number) => throughput(s, (id) => lookupTheirs(theirs, id));
    await runOurs(0.3);
    await runTheirs(0.3);
    const half = seconds / 2;
    const o1 = await runOurs(half);
    const t1 = await runTheirs(half);
    const t2 = await runTheirs(half);
    const o2 = await runOurs(half);
    const oursPerSecond = (o1 + o2) / 2;
    const mysql2PerSecond = (t1 + t2) / 2;
    return {
      poolSize: POOL_SIZE,
      acquireRelease: { oursUs, mysql2Us, ratio: oursUs / mysql2Us },
      throughput: {
        workers: WORKERS,
        seconds,
        oursPerSecond,
        mysql2PerSecond,
        ratio: mysql2PerSecond / oursPerSecond,
      },
    };
  } finally {
    await ours.close();
    await new Promise<void>((resolve) => theirs.end(() => resolve()));
    await server.admin(`DROP USER '${user}'@'%'; DROP DATABASE ${database};`).catch(() => {});
  }
}

type TheirPool = ReturnType<typeof mysql.createPool>;

async function warmTheirs(pool: TheirPool) {
  const held = await Promise.all(
    Array.from(
      { length: POOL_SIZE },
      () =>
        new Promise<any>((resolve, reject) =>
          pool.getConnection((error, conn) => error ? reject(error) : resolve(conn))
        ),
    ),
  );
  for (const conn of held) conn.release();
}

async function acquireReleaseOurs(pool: Pool, iterations: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < iterations; i++) (await pool.acquire()).release();
  return ((performance.now() - started) * 1000) / iterations;
}

function acquireReleaseTheirs(pool: TheirPool, iterations: number): Promise<number> {
  // Callbacks all the way, as a mysql2 user would write it.
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let left = iterations;
    const step = () => {
      pool.getConnection((error, conn) => {
        if (error) return reject(error);
        conn.release();
        if (--left === 0) resolve(((performance.now() - started) * 1000) / iterations);
        else step();
      });
    };
    step();
  });
}

const LOOKUP = "SELECT id, name FROM items WHERE id = ?";

// Both lookups are written the way a caller of each API would: one promise per call for
// mysql2's callbacks, our promise-returning acquire() for ours.
function lookupOurs(pool: Pool, id: number): Promise<void> {
  return pool.acquire().then((conn) =>
    new Promise<void>((resolve, reject) => {
      conn.raw.query(LOOKUP, [id], (error) => {
        conn.release();
        if (error) reject(error);
        else resolve();
      });
    })
  );
}

function lookupTheirs(pool: TheirPool, id: number): Promise<void> {
  return new Promise((resolve, reject) => {
    pool.getConnection((error, conn) => {
      if (error) return reject(error);
      conn.query(LOOKUP, [id], (queryError) => {
        conn.release();
        if (queryError) reject(queryError);
        else resolve();
      });
    });
  });
}

async function throughput(seconds: number, lookup: (id: number) => Promise<void>): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async (n: number) => {
    let id = n;
    while (performance.now() < deadline) {
      await lookup(1 + (id % 10_000));
      id += WORKERS;
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: WORKERS }, (_, n) => worker(n)));
  return done / ((performance.now() - started) / 1000);
}

if (import.meta.main) {
  const server = await startDatabaseServer();
  try {
    const r = await benchPool(server);
    const f = (n: number, d = 2) => n.toFixed(d);
    console.log(`pool size ${r.poolSize}`);
    console.log(
      `acquire+release (idle):  ours ${f(r.acquireRelease.oursUs)} µs   mysql2 ${
        f(r.acquireRelease.mysql2Us)
      } µs   ratio ours/mysql2 ${f(r.acquireRelease.ratio)}`,
    );
    console.log(
      `PK lookups, ${r.throughput.workers} workers x ${r.throughput.seconds} s:  ours ${
        f(r.throughput.oursPerSecond, 0)
      }/s   mysql2 ${f(r.throughput.mysql2PerSecond, 0)}/s   ratio mysql2/ours ${
        f(r.throughput.ratio)
      }`,
    );
  } finally {
    await server.stop();
  }
}
