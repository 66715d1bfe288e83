import assert from "assert";
import { ToolError } from "../../src/errors/tool_error.ts";
import { connect, sessionInitSql } from "../../src/pool/connect.ts";
import { killQuery } from "../../src/pool/kill_query.ts";
import { Pool } from "../../src/pool/pool.ts";
import type { PoolEvent, PoolStats } from "../../src/pool/types.ts";
import { poolTestDatabase, query } from "./_database.ts";

const db = await poolTestDatabase();
globalThis.addEventListener("unload", () => void db.server.stop());

const dbTest = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, fn, sanitizeResources: false, sanitizeOps: false });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function assertBalanced(stats: PoolStats) {
  assert.equal(stats.active + stats.idle, stats.total, JSON.stringify(stats));
  assert.equal(stats.connections.length, stats.total);
}

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

// ---- the connector ---------------------------------------------------------

dbTest("connect() starts READ ONLY with backslash escapes and double-quoted strings", async () => {
  const opened = await connect(db.target());
  try {
    const [row] = await query(
      opened,
      `SELECT @@tx_read_only AS ro, CONNECTION_ID() AS id, 'a\\'b' AS quoted, "dq" AS dq`,
    );
    assert.equal(Number(row.ro), 1);
    assert.equal(Number(row.id), opened.threadId);
    assert.equal(row.quoted, "a'b");
    assert.equal(row.dq, "dq");
    assert.equal(opened.flavor, "mariadb");
    assert.match(opened.serverVersion, /^\d+\.\d+\.\d+-MariaDB/);
    const write = await rejection(query(opened, `CREATE TABLE ${db.database}.nope (x INT)`));
    assert.equal(write.errno, 1792); // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
  } finally {
    opened.raw.destroy();
  }
});

dbTest(
  "the session init removes NO_BACKSLASH_ESCAPES and ANSI_QUOTES, even inside ANSI",
  async () => {
    // Session-level, so a shared test server's global settings stay untouched.
    const opened = await connect(db.target());
    try {
      await query(opened, "SET SESSION sql_mode = 'ANSI,NO_BACKSLASH_ESCAPES,STRICT_TRANS_TABLES'");
      await query(opened, "SET SESSION tx_read_only = 0");
      await query(opened, sessionInitSql(opened.flavor));
      const [row] = await query(opened, "SELECT @@SESSION.sql_mode AS mode, @@tx_read_only AS ro");
      assert.doesNotMatch(row.mode, /NO_BACKSLASH_ESCAPES|ANSI_QUOTES|(^|,)ANSI(,|$)/);
      assert.match(row.mode, /STRICT_TRANS_TABLES/);
      assert.match(row.mode, /PIPES_AS_CONCAT/, "the rest of ANSI stays");
      assert.equal(Number(row.ro), 1);
      await query(opened, "SET SESSION sql_mode = ''");
      await query(opened, sessionInitSql(opened.flavor));
      const [empty] = await query(opened, "SELECT @@SESSION.sql_mode AS mode");
      assert.equal(empty.mode, "");
    } finally {
      opened.raw.destroy();
    }
  },
);

dbTest("connect() returns big numbers, decimals and dates as strings", async () => {
  const opened = await connect(db.target());
  try {
    const [row] = await query(
      opened,
      "SELECT 9007199254740993 AS big, CAST(1.50 AS DECIMAL(10,2)) AS amount, DATE('2024-01-02') AS d",
    );
    assert.deepEqual({ ...row }, { big: "9007199254740993", amount: "1.50", d: "2024-01-02" });
  } finally {
    opened.raw.destroy();
  }
});

dbTest(
  "connect() with a wrong password fails with CONNECTION_FAILED naming neither password nor host",
  async () => {
    const error = await rejection(
      connect(db.target({ password: db.target().password, user: "nobody" })),
    );
    assert.ok(error instanceof ToolError);
    assert.equal(error.code, "CONNECTION_FAILED");
    assert.match(error.message, /access denied/);
    const text = JSON.stringify(error.toJSON()) + error.message;
    assert.ok(!text.includes(db.password));
    assert.ok(!text.includes(db.server.host));
    assert.ok(!text.includes("nobody"));
    assert.equal(error.details?.transient, false);
  },
);

dbTest("connect() to a closed port fails fast with connection refused", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const error = await rejection(connect(db.target({ port })));
  assert.equal(error.code, "CONNECTION_FAILED");
  assert.match(error.message, /connection refused \(ECONNREFUSED\)/);
  assert.ok(!error.message.includes(String(port)));
});

dbTest("LOAD DATA LOCAL INFILE is refused by the driver", async () => {
  // MariaDB allows LOCAL INFILE by default, so the refusal is ours.
  assert.equal(Number((await db.server.admin("SELECT @@local_infile AS v"))[0].v), 1);
  const pool = new Pool(db.poolOptions());
  const conn = await pool.acquire();
  try {
    await conn.setReadOnly(false);
    await query(conn, "CREATE TEMPORARY TABLE loaded (line TEXT)");
    const error = await rejection(
      query(conn, "LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE loaded"),
    );
    // 4166 ER_LOAD_INFILE_CAPABILITY_DISABLED (MariaDB), 1148 / 3948 (MySQL).
    assert.ok([4166, 1148, 3948].includes(error.errno), `errno ${error.errno}`);
    const [row] = await query(conn, "SELECT COUNT(*) AS n FROM loaded");
    assert.equal(Number(row.n), 0);
  } finally {
    conn.markDirty();
    conn.release();
    await pool.close();
  }
});

dbTest("killQuery() stops the statement running on another connection", async () => {
  const pool = new Pool(db.poolOptions());
  const conn = await pool.acquire();
  try {
    const started = performance.now();
    const sleeping = query(conn, "SELECT SLEEP(10) AS s").catch((e) => e);
    await sleep(100);
    await killQuery(db.target(), conn.threadId, conn.flavor);
    const result = await sleeping;
    // MariaDB answers SLEEP interrupted by KILL QUERY with 1 (or error 1317).
    assert.ok(
      (Array.isArray(result) && Number(result[0].s) === 1) || result.errno === 1317,
      String(result),
    );
    assert.ok(performance.now() - started < 5000);
    const [row] = await query(conn, "SELECT 1 AS one");
    assert.equal(Number(row.one), 1);
    await assert.rejects(killQuery(db.target(), -1, "mariadb"), /Invalid thread id/);
  } finally {
    conn.release();
    await pool.close();
  }
});

// ---- sizing and waiting ----------------------------------------------------

dbTest("max_connections is never exceeded by 200 concurrent acquirers", async () => {
  let worst = 0;
  const pool: Pool = new Pool(
    db.poolOptions({ maxConnections: 10, acquireTimeoutMs: 20_000 }, {
      onEvent: () => {
        const s = pool.stats();
        worst = Math.max(worst, s.total + s.opening);
        assertBalanced(s);
      },
    }),
  );
  let sampling = true;
  let serverWorst = 0;
  const sampler = (async () => {
    while (sampling) {
      serverWorst = Math.max(serverWorst, (await db.sessions()).length);
      await sleep(5);
    }
  })();
  try {
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const conn = await pool.acquire({ holder: `worker ${i}` });
        try {
          await query(conn, "SELECT SLEEP(0.005)");
        } finally {
          conn.release();
        }
      }),
    );
    const stats = pool.stats();
    assert.equal(stats.acquisitions.successful, 200);
    assert.equal(stats.acquisitions.failed, 0);
    assert.ok(worst <= 10, `pool held ${worst} connections`);
    assert.equal(worst, 10);
    assert.ok(serverWorst <= 10, `server saw ${serverWorst} sessions`);
    assert.ok(stats.acquireTimeMs.p99 >= stats.acquireTimeMs.average);
  } finally {
    sampling = false;
    await sampler;
    await pool.close();
  }
});

dbTest("waiters are served in FIFO order", async () => {
  const pool = new Pool(db.poolOptions({ maxConnections: 1 }));
  const first = await pool.acquire();
  const order: number[] = [];
  const waiting = [1, 2, 3, 4, 5].map((n) =>
    pool.acquire().then((conn) => {
      order.push(n);
      // Hand it on a little later so a later waiter could overtake if the queue were unfair.
      setTimeout(() => conn.release(), 5);
    })
  );
  assert.equal(pool.stats().waiting, 5);
  first.release();
  await Promise.all(waiting);
  assert.deepEqual(order, [1, 2, 3, 4, 5]);
  await pool.close();
});

dbTest(
  "an acquire that waits past acquire_timeout fails with POOL_EXHAUSTED naming the pool",
  async () => {
    const pool = new Pool(db.poolOptions({ maxConnections: 2, acquireTimeoutMs: 150 }));
    const held = [await pool.acquire(), await pool.acquire()];
    const started = performance.now();
    const error = await rejection(pool.acquire());
    const waited = performance.now() - started;
    assert.ok(error instanceof ToolError);
    assert.equal(error.code, "POOL_EXHAUSTED");
    assert.match(error.message, new RegExp(`Pool "test/${db.database}"`));
    assert.match(error.message, /after 150 ms \(max_connections 2, 1 waiting\)/);
    assert.ok(!error.message.includes(db.password) && !error.message.includes(db.user));
    assert.ok(!JSON.stringify(error.toJSON()).includes(db.server.host));
    assert.ok(waited >= 140 && waited < 1000, `waited ${waited} ms`);
    assert.equal(pool.stats().waiting, 0);
    assert.equal(pool.stats().acquisitions.failed, 1);
    held.forEach((c) => c.release());
    await pool.close();
  },
);

dbTest("the wait queue is bounded: one more waiter than max_queue is refused at once", async () => {
  const pool = new Pool(db.poolOptions({ maxConnections: 1, maxQueue: 3 }));
  const held = await pool.acquire();
  const queued = [pool.acquire(), pool.acquire(), pool.acquire()];
  const started = performance.now();
  const error = await rejection(pool.acquire());
  assert.ok(performance.now() - started < 50);
  assert.equal(error.code, "POOL_EXHAUSTED");
  assert.match(error.message, /wait queue is full \(max_connections 1, max_queue 3\)/);
  assert.equal(pool.stats().waiting, 3);
  held.release();
  for (const pending of queued) (await pending).release();
  await pool.close();
});

dbTest("an aborted signal removes the waiter from the queue", async () => {
  const pool = new Pool(db.poolOptions({ maxConnections: 1 }));
  const held = await pool.acquire();
  const controller = new AbortController();
  const aborted = pool.acquire({ signal: controller.signal });
  const next = pool.acquire();
  assert.equal(pool.stats().waiting, 2);
  controller.abort(new Error("caller gave up"));
  assert.match((await rejection(aborted)).message, /caller gave up/);
  assert.equal(pool.stats().waiting, 1);
  held.release();
  const conn = await next;
  assert.equal(conn.threadId, held.threadId);
  conn.release();
  // Already aborted: refused without queueing.
  await assert.rejects(pool.acquire({ signal: AbortSignal.abort() }));
  assert.equal(pool.stats().waiting, 0);
  await pool.close();
});

// ---- keeping connections fresh ---------------------------------------------

dbTest(
  "warm() opens min_connections and idle connections above min close after idle_timeout",
  async () => {
    const closed: string[] = [];
    const pool = new Pool(
      db.poolOptions({ minConnections: 2, maxConnections: 6, idleTimeoutMs: 200 }, {
        onEvent: (e) => e.type === "closed" && closed.push(e.reason),
      }),
    );
    await pool.warm();
    assert.equal(pool.size, 2);
    assert.deepEqual((await db.sessions()).length, 2);
    const conns = await Promise.all(Array.from({ length: 6 }, () => pool.acquire()));
    assert.equal(pool.size, 6);
    conns.forEach((c) => c.release());
    assert.equal(pool.stats().idle, 6);
    assert.ok(await db.eventually(() => pool.size === 2, 2000), `size ${pool.size}`);
    await sleep(300);
    assert.equal(pool.size, 2, "never below min");
    assert.deepEqual(closed, ["idle timeout", "idle timeout", "idle timeout", "idle timeout"]);
    assert.ok(await db.eventually(async () => (await db.sessions()).length === 2));
    await pool.close();
  },
);

dbTest("connections are retired after max_lifetime, but never while lent", async () => {
  const pool = new Pool(db.poolOptions({ minConnections: 1, maxLifetimeMs: 300 }));
  await pool.warm();
  const original = pool.stats().connections[0].threadId;
  const lent = await pool.acquire();
  assert.equal(lent.threadId, original);
  await sleep(600);
  // Over age but lent: still usable and still counted.
  assert.equal(Number((await query(lent, "SELECT 1 AS one"))[0].one), 1);
  assert.ok(pool.stats().connections.some((c) => c.threadId === original));
  lent.release();
  assert.ok(!pool.stats().connections.some((c) => c.threadId === original));
  assert.ok(await db.eventually(() => pool.size === 1), "refilled to min");
  const fresh = pool.stats().connections[0].threadId;
  assert.notEqual(fresh, original);
  // An idle one over age is retired by the pool's own housekeeping.
  assert.ok(await db.eventually(() => !pool.stats().connections.some((c) => c.threadId === fresh)));
  assert.ok(await db.eventually(async () => !(await db.sessions()).includes(original)));
  await pool.close();
});

dbTest("a KILLed idle connection is never handed out", async () => {
  const pool = new Pool(db.poolOptions({ minConnections: 2, maxConnections: 2 }));
  await pool.warm();
  const victims = pool.stats().connections.map((c) => c.threadId);
  await db.server.admin(`KILL ${victims[0]}`);
  assert.ok(
    await db.eventually(() => !pool.stats().connections.some((c) => c.threadId === victims[0])),
  );
  const a = await pool.acquire();
  const b = await pool.acquire();
  assert.ok(a.threadId !== victims[0] && b.threadId !== victims[0]);
  await query(a, "SELECT 1");
  await query(b, "SELECT 1");
  a.release();
  b.release();
  await pool.close();
});

dbTest(
  "a KILLed connection found by validation is replaced without the caller noticing",
  async () => {
    // validateAfterIdleMs 0: every hand-out of an idle connection pings it first.
    const pool = new Pool(db.poolOptions({ maxConnections: 1 }, { validateAfterIdleMs: 0 }));
    const first = await pool.acquire();
    const victim = first.threadId;
    first.release();
    await db.server.admin(`KILL ${victim}`);
    const conn = await pool.acquire(); // at once, no grace for the end event to arrive
    assert.notEqual(conn.threadId, victim);
    assert.equal(Number((await query(conn, "SELECT 1 AS one"))[0].one), 1);
    conn.release();
    assert.equal(pool.stats().acquisitions.failed, 0);
    await pool.close();
  },
);

dbTest(
  "a connection idle longer than validateAfterIdleMs is pinged before it is handed out",
  async () => {
    const pool = new Pool(db.poolOptions({ maxConnections: 1 }, { validateAfterIdleMs: 100 }));
    const first = await pool.acquire();
    let pings = 0;
    const raw = first.raw as unknown as { ping(cb: (e: unknown) => void): void };
    const ping = raw.ping.bind(raw);
    raw.ping = (cb) => {
      pings++;
      ping(cb);
    };
    first.release();
    (await pool.acquire()).release();
    assert.equal(pings, 0, "recently used: no ping");
    await sleep(300);
    const again = await pool.acquire();
    assert.equal(pings, 1, "idle for a while: pinged once");
    assert.equal(again.threadId, first.threadId);
    again.release();
    (await pool.acquire()).release();
    assert.equal(pings, 1);
    await pool.close();
  },
);

dbTest("a KILLed busy connection fails only that call and is discarded", async () => {
  const pool = new Pool(db.poolOptions({ maxConnections: 3 }));
  const busy = await pool.acquire();
  const other = await pool.acquire();
  const deaths: Error[] = [];
  busy.onDeath((e) => deaths.push(e));
  const running = query(busy, "SELECT SLEEP(10)").catch((e) => e);
  await sleep(100);
  await db.server.admin(`KILL ${busy.threadId}`);
  const error = await running;
  assert.ok(error.errno === 1927 || error.code === "PROTOCOL_CONNECTION_LOST", String(error));
  assert.ok(await db.eventually(() => deaths.length === 1));
  assert.equal(pool.size, 1);
  busy.release(); // a dead connection is discarded, not put back
  busy.release();
  assert.equal(pool.stats().idle, 0);
  assertBalanced(pool.stats());
  assert.equal(Number((await query(other, "SELECT 1 AS one"))[0].one), 1);
  other.release();
  const next = await pool.acquire();
  assert.notEqual(next.threadId, busy.threadId);
  next.release();
  await pool.close();
});

dbTest("the health check removes broken idle connections and refills to min", async () => {
  const events: PoolEvent[] = [];
  const pool = new Pool(
    db.poolOptions({ minConnections: 3, maxConnections: 3, healthCheckIntervalMs: 100 }, {
      onEvent: (e) => events.push(e),
    }),
  );
  await pool.warm();
  const before = pool.stats().connections.map((c) => c.threadId);
  for (const id of before.slice(0, 2)) await db.server.admin(`KILL ${id}`);
  assert.ok(
    await db.eventually(() => {
      const ids = pool.stats().connections.map((c) => c.threadId);
      return ids.length === 3 && ids.filter((id) => before.includes(id)).length === 1;
    }),
  );
  assert.ok(await db.eventually(() => events.some((e) => e.type === "health_check_finished")));
  assert.ok(events.some((e) => e.type === "health_check_started"));
  assert.ok(pool.stats().healthy);
  await pool.close();
});

// ---- statistics, state and shutdown ----------------------------------------

dbTest("stats add up at every step and the events fire", async () => {
  const events: PoolEvent[] = [];
  const pool: Pool = new Pool(
    db.poolOptions({ maxConnections: 2 }, {
      onEvent: (e) => {
        events.push(e);
        assertBalanced(pool.stats());
      },
    }),
  );
  const check = (expect: Partial<PoolStats>) => {
    const s = pool.stats();
    assertBalanced(s);
    for (const [k, v] of Object.entries(expect)) assert.equal((s as any)[k], v, k);
  };
  check({ total: 0, active: 0, idle: 0, waiting: 0 });
  const a = await pool.acquire();
  check({ total: 1, active: 1, idle: 0 });
  const b = await pool.acquire();
  check({ total: 2, active: 2, idle: 0 });
  const c = pool.acquire();
  check({ total: 2, active: 2, waiting: 1 });
  a.release();
  const cc = await c;
  check({ total: 2, active: 2, idle: 0, waiting: 0 });
  b.release();
  check({ total: 2, active: 1, idle: 1 });
  cc.discard("test");
  check({ total: 1, active: 0, idle: 1 });
  const s = pool.stats();
  assert.deepEqual(s.acquisitions, { total: 3, successful: 3, failed: 0 });
  assert.ok(s.acquireTimeMs.average >= 0 && s.acquireTimeMs.p99 >= 0);
  assert.equal(s.connections[0].state, "idle");
  assert.ok(s.connections[0].uses >= 1 && s.connections[0].ageMs >= 0);
  assert.equal(s.name, `test/${db.database}`);
  const types = events.map((e) => e.type);
  assert.equal(types.filter((t) => t === "created").length, 2);
  assert.equal(types.filter((t) => t === "acquired").length, 3);
  assert.equal(types.filter((t) => t === "released").length, 2);
  assert.deepEqual(
    events.filter((e) => e.type === "closed").map((e) => (e as { reason: string }).reason),
    ["test"],
  );
  const waited = events.find((e) =>
    e.type === "acquired" && e.threadId === cc.threadId && e.waitMs > 0
  );
  assert.ok(waited, "the waiter's wait time is reported");
  await pool.close();
  check({ total: 0, active: 0, idle: 0 });
});

dbTest(
  "markDirty() + release() resets user variables, GET_LOCK locks and temporary tables",
  async () => {
    const pool = new Pool(db.poolOptions({ maxConnections: 1 }));
    const first = await pool.acquire();
    await first.setReadOnly(false);
    await query(first, "SET @secret = 'left over'");
    await query(first, "SELECT GET_LOCK('pool-test-lock', 0)");
    await query(first, "CREATE TEMPORARY TABLE scratch (x INT)");
    await query(first, "SET SESSION sql_mode = 'ANSI_QUOTES'");
    first.markDirty();
    first.release();
    const second = await pool.acquire();
    assert.equal(second.threadId, first.threadId, "same session, reset");
    const [row] = await query(
      second,
      "SELECT @secret AS v, IS_USED_LOCK('pool-test-lock') AS lock_holder, @@tx_read_only AS ro, @@SESSION.sql_mode AS mode",
    );
    assert.equal(row.v, null);
    assert.equal(row.lock_holder, null);
    assert.equal(Number(row.ro), 1);
    assert.doesNotMatch(row.mode, /ANSI_QUOTES/);
    await assert.rejects(query(second, "SELECT * FROM scratch"), /doesn't exist/);
    second.release();
    await pool.close();
  },
);

dbTest("setReadOnly() only talks to the server when the mode changes", async () => {
  const pool = new Pool(db.poolOptions({ maxConnections: 1 }));
  const conn = await pool.acquire();
  const sets = async () =>
    Number((await query(conn, "SHOW SESSION STATUS LIKE 'Com_set_option'"))[0].Value);
  const start = await sets();
  await conn.setReadOnly(true); // already READ ONLY from the session init
  assert.equal(await sets(), start);
  await conn.setReadOnly(false);
  await conn.setReadOnly(false);
  assert.equal(await sets(), start + 1);
  await query(conn, `CREATE TEMPORARY TABLE t_rw (x INT)`);
  await query(conn, `INSERT INTO t_rw VALUES (1)`);
  await conn.setReadOnly(true);
  assert.equal(await sets(), start + 2);
  await conn.setReadOnly(false);
  conn.release();
  // The next holder starts READ ONLY again.
  const next = await pool.acquire();
  assert.equal(Number((await query(next, "SELECT @@tx_read_only AS ro"))[0].ro), 1);
  next.markDirty();
  next.release();
  await pool.close();
});

dbTest(
  "a connection held longer than the leak threshold is reported once with its holder",
  async () => {
    const logs: { level: string; message: string }[] = [];
    const leaks: PoolEvent[] = [];
    const pool = new Pool(
      db.poolOptions({}, {
        leakThresholdMs: 50,
        onEvent: (e) => e.type === "leak_suspected" && leaks.push(e),
        log: (level, message) => logs.push({ level, message }),
      }),
    );
    const conn = await pool.acquire({ holder: "tool run_query" });
    await sleep(250);
    assert.equal(leaks.length, 1);
    const leak = leaks[0] as Extract<PoolEvent, { type: "leak_suspected" }>;
    assert.equal(leak.holder, "tool run_query");
    assert.equal(leak.threadId, conn.threadId);
    assert.ok(leak.heldMs >= 50);
    const warnings = logs.filter((l) => l.level === "warn");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /held for \d+ ms by tool run_query/);
    conn.release();
    await pool.close();
  },
);

dbTest(
  "close() drains lent connections, closes every connection and refuses later acquires",
  async () => {
    const pool = new Pool(db.poolOptions({ minConnections: 3, maxConnections: 5 }));
    await pool.warm();
    const lent = await pool.acquire();
    const more = await Promise.all([
      pool.acquire(),
      pool.acquire(),
      pool.acquire(),
      pool.acquire(),
    ]);
    const waiter = pool.acquire().catch((e) => e);
    assert.equal((await db.sessions()).length, 5);
    const started = performance.now();
    const closing = pool.close({ graceMs: 2000 });
    more.forEach((c) => c.release());
    setTimeout(() => lent.release(), 100);
    await closing;
    const took = performance.now() - started;
    assert.ok(took >= 80 && took < 1500, `close took ${took} ms`);
    const waiterError = await waiter;
    assert.equal(waiterError.code, "CONNECTION_FAILED");
    assert.match(waiterError.message, /pool is closed/);
    const later = await rejection(pool.acquire());
    assert.equal(later.code, "CONNECTION_FAILED");
    assert.equal(pool.size, 0);
    assert.ok(
      await db.eventually(async () => (await db.sessions()).length === 0),
      "server sessions",
    );
  },
);

dbTest("close() destroys connections still lent after the grace period", async () => {
  const pool = new Pool(db.poolOptions());
  const conn = await pool.acquire();
  const deaths: Error[] = [];
  conn.onDeath((e) => deaths.push(e));
  await pool.close({ graceMs: 50 });
  assert.equal(deaths.length, 1);
  assert.equal(pool.size, 0);
  conn.release(); // harmless after close
  assert.ok(await db.eventually(async () => (await db.sessions()).length === 0));
});

dbTest("the pool account has no sessions left at the end", async () => {
  assert.deepEqual(await db.sessions(), []);
  await db.finish();
});
