/** The pool's bookkeeping against a fake connector and a fake clock: no database, milliseconds. */
import assert from "assert";
import { ToolError } from "../../src/errors/tool_error.ts";
import { Pool } from "../../src/pool/pool.ts";
import type { PoolEvent, PoolStats } from "../../src/pool/types.ts";
import { FakeClock, fakePoolOptions, FakeServer, settle } from "./_fake_session.ts";

function assertBalanced(stats: PoolStats) {
  assert.equal(stats.active + stats.idle, stats.total, JSON.stringify(stats));
  assert.equal(stats.connections.length, stats.total);
}

function setup(
  config: Parameters<typeof fakePoolOptions>[1] = {},
  extra: Parameters<typeof fakePoolOptions>[2] = {},
) {
  const clock = new FakeClock();
  const server = new FakeServer();
  const events: PoolEvent[] = [];
  const pool: Pool = new Pool(
    fakePoolOptions(server, config, {
      onEvent: (event) => {
        events.push(event);
        assertBalanced(pool.stats());
      },
      ...extra,
    }),
    clock,
  );
  const closedReasons = () =>
    events.flatMap((e) => e.type === "closed" ? [`${e.threadId}: ${e.reason}`] : []);
  const close = async () => {
    const closing = pool.close({ graceMs: 100 });
    await clock.advance(100);
    await closing;
    assert.equal(server.open.length, 0, "every connection closed");
  };
  return { clock, server, events, pool, closedReasons, close };
}

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

Deno.test("max_connections is never exceeded by 50 concurrent acquirers", async () => {
  const { pool, server, close } = setup({ maxConnections: 3 });
  let worst = 0;
  let served = 0;
  await Promise.all(Array.from({ length: 50 }, async () => {
    const conn = await pool.acquire();
    const s = pool.stats();
    worst = Math.max(worst, s.total + s.opening);
    await settle();
    served++;
    await conn.release();
  }));
  assert.equal(served, 50);
  assert.equal(worst, 3);
  assert.equal(server.sessions.length, 3);
  assert.deepEqual(pool.stats().acquisitions, { total: 50, successful: 50, failed: 0 });
  await close();
});

Deno.test("waiters are served in FIFO order", async () => {
  const { pool, close } = setup({ maxConnections: 1 });
  const first = await pool.acquire();
  const order: number[] = [];
  const waiting = [1, 2, 3, 4].map((n) =>
    pool.acquire().then(async (conn) => {
      order.push(n);
      await settle();
      conn.release();
    })
  );
  assert.equal(pool.stats().waiting, 4);
  first.release();
  await Promise.all(waiting);
  assert.deepEqual(order, [1, 2, 3, 4]);
  await close();
});

Deno.test("an acquire waiting past acquire_timeout fails with POOL_EXHAUSTED at that time", async () => {
  const { pool, clock, close } = setup({ maxConnections: 1, acquireTimeoutMs: 500 });
  const held = await pool.acquire();
  let error: any;
  pool.acquire().catch((e) => (error = e));
  await clock.advance(499);
  assert.equal(error, undefined);
  assert.equal(pool.stats().waiting, 1);
  await clock.advance(1);
  assert.ok(error instanceof ToolError);
  assert.equal(error.code, "POOL_EXHAUSTED");
  assert.match(error.message, /after 500 ms \(max_connections 1, 1 waiting\)/);
  assert.equal(pool.stats().waiting, 0);
  assert.equal(pool.stats().acquisitions.failed, 1);
  held.release();
  await close();
});

Deno.test("an unreachable server times a waiter out with CONNECTION_FAILED, not POOL_EXHAUSTED", async () => {
  const { pool, server, clock, close } = setup({ acquireTimeoutMs: 200 });
  server.holdConnects = true;
  let error: any;
  pool.acquire().catch((e) => (error = e));
  await clock.advance(200);
  assert.equal(error?.code, "CONNECTION_FAILED");
  assert.match(error.message, /could not open a connection within 200 ms/);
  server.releaseConnects();
  await settle();
  assert.equal(pool.stats().idle, 1, "the late connection is kept for the next caller");
  await close();
});

Deno.test("a failed connect fails the oldest waiter at once and marks the pool unhealthy", async () => {
  const { pool, server, close } = setup();
  server.refuse = true;
  const error = await rejection(pool.acquire());
  assert.equal(error.code, "CONNECTION_FAILED");
  assert.match(error.message, /^Pool "fake\/db": Cannot connect: connection refused/);
  assert.equal(pool.stats().healthy, false);
  server.refuse = false;
  (await pool.acquire()).release();
  assert.equal(pool.stats().healthy, true);
  await close();
});

Deno.test("idle connections above min close after idle_timeout, longest idle first", async () => {
  const { pool, server, clock, closedReasons, close } = setup({
    minConnections: 1,
    maxConnections: 3,
    idleTimeoutMs: 1000,
  });
  const conns = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
  for (const conn of conns) conn.release();
  assert.equal(pool.stats().idle, 3);
  await clock.advance(900);
  assert.equal(pool.size, 3);
  await clock.advance(1000);
  assert.equal(pool.size, 1, "never below min");
  assert.deepEqual(closedReasons(), ["1: idle timeout", "2: idle timeout"]);
  assert.equal(server.sessions[0].destroyed, "graceful");
  assert.equal(server.open.length, 1);
  await clock.advance(10_000);
  assert.equal(pool.size, 1);
  await close();
});

Deno.test("connections retire after max_lifetime, never while lent, and min is refilled", async () => {
  const { pool, server, clock, closedReasons, close } = setup({
    minConnections: 1,
    maxLifetimeMs: 1000,
  });
  await pool.warm();
  const lent = await pool.acquire();
  await clock.advance(1500);
  assert.equal(pool.size, 1, "over age but lent: kept");
  await lent.release();
  await settle();
  assert.deepEqual(closedReasons(), ["1: max lifetime"]);
  assert.equal(pool.size, 1, "refilled to min");
  assert.equal(pool.stats().connections[0].threadId, 2);
  await clock.advance(1500);
  assert.deepEqual(closedReasons(), ["1: max lifetime", "2: max lifetime"]);
  assert.equal(pool.stats().connections[0].threadId, 3);
  assert.equal(server.open.length, 1);
  await close();
});

Deno.test("a dirty connection is reset before reuse and release() resolves once it is", async () => {
  const { pool, server, close } = setup({ maxConnections: 1 });
  const conn = await pool.acquire();
  conn.markDirty();
  const session = server.sessions[0];
  session.answer = "hang";
  let released = false;
  const releasing = conn.release().then(() => (released = true));
  const next = pool.acquire();
  await settle();
  assert.equal(released, false, "still resetting");
  assert.deepEqual(session.calls, ["reset"]);
  assert.equal(pool.stats().active, 1, "BUSY while reset counts as active");
  session.answerPending();
  await releasing;
  assert.equal(released, true);
  const second = await next;
  assert.equal(second.threadId, conn.threadId, "same session, reset");
  second.release();
  await close();
});

Deno.test("release() of a dirty connection resets it, then hands it to the waiter", async () => {
  const { pool, server, close } = setup({ maxConnections: 1 });
  const conn = await pool.acquire();
  conn.markDirty();
  const next = pool.acquire();
  await conn.release();
  const second = await next;
  assert.equal(second.threadId, conn.threadId, "same session, reset");
  assert.deepEqual(server.sessions[0].calls, ["reset"]);
  await second.release();
  assert.deepEqual(server.sessions[0].calls, ["reset"], "clean: no round trip");
  await close();
});

Deno.test("a reset that times out closes the connection at connect_timeout and release() resolves", async () => {
  const { pool, server, clock, closedReasons, close } = setup({
    maxConnections: 1,
    connectTimeoutMs: 1000,
    acquireTimeoutMs: 5000,
  });
  const conn = await pool.acquire();
  conn.markDirty();
  server.sessions[0].answer = "hang";
  let released = false;
  const releasing = conn.release().then(() => (released = true));
  const next = pool.acquire();
  await clock.advance(999);
  assert.equal(released, false);
  await clock.advance(1);
  await releasing;
  assert.deepEqual(closedReasons(), ["1: session reset timed out"]);
  assert.equal(server.sessions[0].destroyed, "abrupt");
  const replacement = await next;
  assert.equal(replacement.threadId, 2);
  assertBalanced(pool.stats());
  replacement.release();
  await close();
});

Deno.test("a reset that fails closes the connection and the waiter gets a new one", async () => {
  const { pool, server, closedReasons, close } = setup({ maxConnections: 1 });
  const conn = await pool.acquire();
  conn.markDirty();
  server.sessions[0].answer = "fail";
  const next = pool.acquire();
  await conn.release();
  assert.deepEqual(closedReasons(), ["1: session reset failed"]);
  assert.equal((await next).threadId, 2);
  assert.equal(pool.stats().acquisitions.failed, 0);
  await close();
});

Deno.test("READ WRITE is put back to READ ONLY on release; setReadOnly() is free when unchanged", async () => {
  const { pool, server, close } = setup({ maxConnections: 1 });
  const conn = await pool.acquire();
  await conn.setReadOnly(true);
  assert.deepEqual(server.sessions[0].calls, []);
  await conn.setReadOnly(false);
  await conn.setReadOnly(false);
  await conn.release();
  assert.deepEqual(server.sessions[0].calls, ["read write", "read only"]);
  await close();
});

Deno.test("a setReadOnly() the server never answers fails at connect_timeout and closes the connection", async () => {
  const { pool, server, clock, closedReasons, close } = setup({ connectTimeoutMs: 300 });
  const conn = await pool.acquire();
  server.sessions[0].answer = "hang";
  const deaths: Error[] = [];
  conn.onDeath((e) => deaths.push(e));
  let error: any;
  conn.setReadOnly(false).catch((e) => (error = e));
  await clock.advance(300);
  assert.equal(error?.code, "CONNECTION_FAILED");
  assert.match(error.message, /Cannot set the transaction mode: the server did not answer in time/);
  assert.deepEqual(closedReasons(), ["1: setting the transaction mode timed out"]);
  assert.equal(deaths.length, 1);
  await conn.release();
  assertBalanced(pool.stats());
  assert.equal(pool.size, 0);
  await close();
});

Deno.test("a connection that dies while lent tells its holder and is replaced, not put back", async () => {
  const { pool, server, closedReasons, close } = setup({ maxConnections: 2 });
  const conn = await pool.acquire();
  const deaths: Error[] = [];
  conn.onDeath((e) => deaths.push(e));
  server.sessions[0].die();
  assert.equal(deaths.length, 1);
  assert.match(deaths[0].message, /connection lost/);
  assert.deepEqual(closedReasons(), [
    "1: Connection lost: connection lost (PROTOCOL_CONNECTION_LOST)",
  ]);
  assert.equal(pool.size, 0);
  await conn.release();
  await conn.release();
  assert.equal(pool.stats().idle, 0);
  const next = await pool.acquire();
  assert.equal(next.threadId, 2);
  let late: Error | undefined;
  conn.onDeath((e) => (late = e));
  await settle();
  assert.equal(late, undefined, "a released lease hears nothing more");
  next.release();
  await close();
});

Deno.test("a stale idle connection is pinged before lending; a dead one is replaced unseen", async () => {
  const { pool, server, clock, closedReasons, close } = setup({ maxConnections: 1 }, {
    validateAfterIdleMs: 2000,
  });
  (await pool.acquire()).release();
  (await pool.acquire()).release();
  assert.deepEqual(server.sessions[0].calls, [], "recently used: no ping");
  await clock.advance(3000);
  server.sessions[0].answer = "fail";
  const conn = await pool.acquire();
  assert.deepEqual(server.sessions[0].calls, ["ping"]);
  assert.equal(conn.threadId, 2);
  assert.deepEqual(closedReasons(), ["1: validation failed"]);
  assert.equal(pool.stats().acquisitions.failed, 0);
  conn.release();
  await close();
});

Deno.test("the health check removes broken idle connections and refills to min", async () => {
  const { pool, server, clock, events, close } = setup({
    minConnections: 2,
    maxConnections: 2,
    healthCheckIntervalMs: 5000,
  });
  await pool.warm();
  server.sessions[0].answer = "fail";
  await clock.advance(5000);
  assert.ok(events.some((e) => e.type === "health_check_finished" && e.removed === 1));
  assert.deepEqual(pool.stats().connections.map((c) => c.threadId).sort(), [2, 3]);
  await close();
});

Deno.test("a connection held past the leak threshold is reported once with its holder", async () => {
  const { pool, clock, events, close } = setup({}, { leakThresholdMs: 2000 });
  const conn = await pool.acquire({ holder: "tool run_query" });
  await clock.advance(5000);
  const leaks = events.filter((e) => e.type === "leak_suspected");
  assert.equal(leaks.length, 1);
  assert.equal((leaks[0] as { holder: string }).holder, "tool run_query");
  conn.release();
  await close();
});

Deno.test("stats add up at every step", async () => {
  const { pool, events, close } = setup({ maxConnections: 2 });
  const check = (expect: Partial<PoolStats>) => {
    const s = pool.stats();
    assertBalanced(s);
    for (const [k, v] of Object.entries(expect)) assert.equal((s as any)[k], v, k);
  };
  check({ total: 0, active: 0, idle: 0, waiting: 0 });
  const a = await pool.acquire();
  check({ total: 1, active: 1, idle: 0 });
  const b = await pool.acquire();
  check({ total: 2, active: 2 });
  const c = pool.acquire();
  check({ total: 2, active: 2, waiting: 1 });
  a.release();
  const cc = await c;
  check({ total: 2, active: 2, idle: 0, waiting: 0 });
  b.markDirty();
  const resetting = b.release();
  check({ total: 2, active: 2, idle: 0 });
  await resetting;
  check({ total: 2, active: 1, idle: 1 });
  cc.discard("test");
  check({ total: 1, active: 0, idle: 1 });
  assert.deepEqual(pool.stats().acquisitions, { total: 3, successful: 3, failed: 0 });
  const types = events.map((e) => e.type);
  assert.equal(types.filter((t) => t === "created").length, 2);
  assert.equal(types.filter((t) => t === "acquired").length, 3);
  assert.equal(types.filter((t) => t === "released").length, 2);
  await close();
  check({ total: 0, active: 0, idle: 0 });
});

Deno.test("close() waits for lent connections up to the grace period, then closes them", async () => {
  const { pool, server, clock, events } = setup();
  const kept = await pool.acquire();
  const returned = await pool.acquire();
  let closed = false;
  const closing = pool.close({ graceMs: 1000 }).then(() => (closed = true));
  assert.equal((await rejection(pool.acquire())).code, "CONNECTION_FAILED");
  await returned.release();
  assert.equal(server.sessions[1].destroyed, "graceful");
  await clock.advance(999);
  assert.equal(closed, false);
  await clock.advance(1);
  await closing;
  assert.equal(server.sessions[0].destroyed, "abrupt", "closed under its holder");
  kept.release();
  assert.equal(pool.size, 0);
  assert.ok(events.some((e) => e.type === "closed" && e.reason === "pool closed"));
});
