/**
 * Small helpers for stream tests: read a stream to its end through the MCP
 * client, look at pool statistics and at the server's processlist.
 */
import assert from "assert";
import type { TestApp } from "../support/test_app.ts";

/** The hard cap on rows per chunk (SPEC: stream_chunk_size ≤ 1000). */
export const CHUNK_CAP = 1000;

export interface Chunk {
  columns: { name: string; data_type: string; nullable: boolean }[];
  rows: unknown[][];
  row_count: number;
  stream_id: string;
  has_more: boolean;
  warnings?: string[];
}

/** Opens a stream with mysql_query and returns its first chunk. */
export function openStream(
  t: TestApp,
  query: string,
  options: { database?: string; params?: unknown[] } = {},
): Promise<Chunk> {
  return t.call("mysql_query", {
    datasource_key: "test",
    database: options.database ?? t.db.db,
    query,
    ...(options.params ? { params: options.params } : {}),
    stream: true,
  });
}

/** Calls mysql_stream_next once. */
export function nextChunk(t: TestApp, streamId: string): Promise<Chunk> {
  return t.call("mysql_stream_next", { stream_id: streamId });
}

/**
 * Reads a stream to its end, checking the chunk invariants on the way, and
 * hands each chunk to `onChunk` (which keeps memory flat for big results).
 */
export async function drain(
  t: TestApp,
  first: Chunk,
  onChunk: (chunk: Chunk) => void,
  cap = CHUNK_CAP,
): Promise<{ chunks: number }> {
  let chunk = first;
  let chunks = 0;
  for (;;) {
    chunks++;
    assert.ok(chunk.rows.length <= cap, `chunk ${chunks} has ${chunk.rows.length} rows`);
    assert.equal(chunk.row_count, chunk.rows.length);
    assert.equal(chunk.stream_id, first.stream_id);
    onChunk(chunk);
    if (!chunk.has_more) return { chunks };
    chunk = await nextChunk(t, first.stream_id);
  }
}

/** Reads a whole stream into memory (small results only). */
export async function readAll(t: TestApp, first: Chunk, cap = CHUNK_CAP): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  await drain(t, first, (chunk) => rows.push(...chunk.rows), cap);
  return rows;
}

export interface PoolView {
  active_connections: number;
  idle_connections: number;
  total_connections: number;
  open_streams: number;
}

/** Statistics of the test datasource's pool for `database` (default: the test database). */
export async function poolStats(t: TestApp, database = t.db.db): Promise<PoolView> {
  const stats = await t.call("mysql_get_connection_stats", { datasource_key: "test" });
  const pool = stats.pools.find((p: { database: string | null }) => p.database === database);
  assert.ok(pool, `no pool for ${database} in ${JSON.stringify(stats.pools)}`);
  return pool;
}

/** Polls `check` until it returns true or `ms` pass; fails with `what`. */
export async function eventually(
  what: string,
  check: () => Promise<boolean> | boolean,
  ms = 5_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The pool of `database` has no open stream and no lent connection. */
export function connectionsFreed(t: TestApp, database = t.db.db): Promise<void> {
  return eventually(`streams and connections of ${database} freed`, async () => {
    const pool = await poolStats(t, database);
    return pool.open_streams === 0 && pool.active_connections === 0;
  });
}

/** Server threads of the test user running a statement that contains `marker`. */
export async function threadsRunning(t: TestApp, marker: string): Promise<number[]> {
  const rows = await t.db.server.admin(
    "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ? AND INFO LIKE ? AND COMMAND <> 'Sleep'",
    [t.db.user, `%${marker}%`],
  );
  return (rows as { id: number | string }[]).map((r) => Number(r.id));
}

/** A name unique to one test, to find its statement in the processlist. */
export function marker(): string {
  return `m_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

/** Rejects if `promise` takes longer than `ms`. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
