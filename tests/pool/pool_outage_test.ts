/** Outages need a server of our own to stop and start, so this file starts its own. */
import assert from "assert";
import { ToolError } from "../../src/errors/tool_error.ts";
import { Pool } from "../../src/pool/pool.ts";
import { SourceHealth } from "../../src/pool/source_health.ts";
import type { PooledConnection } from "../../src/pool/types.ts";
import { poolTestDatabase, query } from "./_database.ts";

const db = await poolTestDatabase({ ownServer: true });
globalThis.addEventListener("unload", () => void db.server.stop());

const dbTest = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, fn, sanitizeResources: false, sanitizeOps: false });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

dbTest("a restart of mariadbd mid-load recovers without recreating the pool", async () => {
  const health = SourceHealth.forTarget(db.target(), {
    name: "test",
    retryDelaysMs: [50, 100, 200, 400, 800],
    recoveryIntervalMs: 100,
  });
  let lost = 0;
  const pool = new Pool(
    db.poolOptions({ minConnections: 2, maxConnections: 5, acquireTimeoutMs: 5000 }, {
      health,
      onEvent: (e) => e.type === "closed" && lost++,
    }),
  );
  await pool.warm();
  let running = true;
  let restarted = false;
  let okBefore = 0;
  let okAfter = 0;
  let failures = 0;
  const worker = async () => {
    while (running) {
      let conn: PooledConnection | undefined;
      try {
        conn = await pool.acquire();
        await query(conn, "SELECT id FROM items WHERE id = ?", [1 + (okBefore % 1000)]);
        conn.release();
        if (restarted) okAfter++;
        else okBefore++;
      } catch (error) {
        failures++;
        conn?.discard("query failed");
        if (error instanceof ToolError) assert.equal(error.code, "CONNECTION_FAILED");
        await sleep(10);
      }
    }
  };
  const workers = Array.from({ length: 16 }, worker);
  try {
    await sleep(200);
    await db.server.restart({ downMs: 300 });
    restarted = true;
    assert.ok(await db.eventually(() => okAfter >= 200, 10_000), `only ${okAfter} after restart`);
  } finally {
    running = false;
    await Promise.all(workers);
  }
  assert.ok(okBefore > 0);
  // Calls caught mid-statement fail; the rest just wait for the reconnect.
  assert.ok(lost >= 2, "the old connections were noticed dead and replaced");
  assert.ok(failures < okAfter, `${failures} calls failed`);
  const stats = pool.stats();
  assert.equal(stats.active + stats.idle, stats.total);
  assert.ok(stats.total >= 2 && stats.total <= 5);
  assert.ok(stats.healthy);
  assert.equal(health.state, "available");
  await pool.close();
  health.close();
});

dbTest("a source whose server is gone goes unavailable and comes back by itself", async () => {
  const health = SourceHealth.forTarget(db.target(), {
    name: "test",
    retryDelaysMs: [10, 20, 40],
    recoveryIntervalMs: 100,
  });
  const pool = new Pool(db.poolOptions({ maxConnections: 3 }, { health }));
  await db.server.halt();
  try {
    const started = performance.now();
    const error = await pool.acquire().catch((e) => e);
    assert.ok(error instanceof ToolError);
    assert.equal(error.code, "CONNECTION_FAILED");
    assert.match(error.message, /connection refused/);
    assert.ok(!error.message.includes(db.password));
    assert.ok(performance.now() - started >= 60, "backed off before giving up");
    assert.equal(health.state, "unavailable");
    assert.equal(pool.stats().healthy, false);
    // While unavailable a caller gets its answer from one direct attempt.
    const quick = performance.now();
    assert.equal((await pool.acquire().catch((e) => e)).code, "CONNECTION_FAILED");
    assert.ok(performance.now() - quick < 50, "no backoff while unavailable");
    await sleep(250);
    assert.equal(health.state, "unavailable");
  } finally {
    await db.server.resume();
  }
  assert.ok(await db.eventually(() => health.state === "available", 3000), "recovered by itself");
  const conn = await pool.acquire();
  assert.equal(Number((await query(conn, "SELECT 1 AS one"))[0].one), 1);
  conn.release();
  assert.ok(pool.stats().healthy);
  await pool.close();
  health.close();
});

dbTest("the outage server is stopped at the end", async () => {
  await db.finish();
});
