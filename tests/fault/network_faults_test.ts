/**
 * The network between the server and MariaDB fails while a read, a write and
 * a stream run, and while connections sit idle: a proxy of the test's own
 * black-holes, resets, trickles or half-opens them. Every call is answered
 * within query_timeout plus a bounded margin, the server recovers by itself
 * once the network is back, and the pools' books balance afterwards.
 */
import assert from "assert";
import { FaultProxy, type ProxyMode } from "../support/fault_proxy.ts";
import { assertSettled } from "../support/invariants.ts";
import { DB_TEST, startTestApp, type TestApp } from "../support/test_app.ts";
import { testDatabase } from "../support/test_database.ts";
import { marker, on, waitRunning } from "../tools/_support.ts";

const QUERY_TIMEOUT_MS = 2_000;
/**
 * Upper bound on any answer: query_timeout, the KILL grace (1 s), the last resort after
 * a KILL that got no answer (5 s), a connect timeout (1 s), and slack for a busy machine.
 */
const ANSWER_BOUND_MS = QUERY_TIMEOUT_MS + 12_000;
const CODES = ["CONNECTION_FAILED", "QUERY_TIMEOUT", "QUERY_EXECUTION_ERROR", "POOL_EXHAUSTED"];

async function startBehindProxy(): Promise<{ t: TestApp; proxy: FaultProxy }> {
  const db = await testDatabase();
  const proxy = new FaultProxy({ host: db.server.host, port: db.server.port });
  const t = await startTestApp({
    source: { host: '"127.0.0.1"', port: String(proxy.port) },
    server: { query_timeout: `"${QUERY_TIMEOUT_MS}ms"`, stream_idle_timeout: '"30s"' },
    pool: {
      max_connections: "5",
      connect_timeout: '"1s"',
      acquire_timeout: '"3s"',
      health_check_interval: '"500ms"',
    },
  });
  return { t, proxy };
}

/** Calls a tool and measures how long the answer took; never throws for a tool error. */
async function timed(t: TestApp, name: string, args: Record<string, unknown>) {
  const started = performance.now();
  const result = await t.raw(name, args);
  const ms = performance.now() - started;
  const body = result.isError ? JSON.parse(result.content[0].text) : result.structuredContent;
  return { ok: !result.isError, body, ms };
}

function assertAnswered(what: string, answer: { ok: boolean; body: any; ms: number }) {
  assert.ok(answer.ms < ANSWER_BOUND_MS, `${what} answered after ${Math.round(answer.ms)} ms`);
  if (!answer.ok) assert.ok(CODES.includes(answer.body.error_code), JSON.stringify(answer.body));
}

async function scenario(mode: ProxyMode): Promise<string> {
  const { t, proxy } = await startBehindProxy();
  const table = `fault_${mode.replace("-", "_")}`;
  await t.db.server.admin(
    `DROP TABLE IF EXISTS ${t.db.db}.${table}; CREATE TABLE ${t.db.db}.${table} (id INT AUTO_INCREMENT PRIMARY KEY, v INT)`,
  );
  try {
    // Warm: a few connections exist and are idle.
    const warm = await timed(t, "mysql_query", on(t, { query: "SELECT 1" }));
    assert.ok(warm.ok, JSON.stringify(warm.body));
    const stream = await timed(
      t,
      "mysql_query",
      on(t, {
        // Far more than the socket buffers hold: the stream is still reading when the fault hits.
        query: "SELECT a.n, a.label, b.label FROM numbers a JOIN numbers b LIMIT 5000000",
        stream: true,
      }),
    );
    assert.ok(stream.ok, JSON.stringify(stream.body));

    const readMark = marker("r");
    const writeMark = marker("w");
    const read = timed(
      t,
      "mysql_query",
      on(t, { query: `SELECT SLEEP(1.5) AS s, '${readMark}' AS m` }),
    );
    const write = timed(
      t,
      "mysql_execute",
      on(t, { statement: `INSERT INTO ${table} (v) SELECT SLEEP(1.5) + LENGTH('${writeMark}')` }),
    );
    await waitRunning(t, readMark);
    await waitRunning(t, writeMark);
    proxy.set(mode);
    // The stream reads on until the fault reaches it (its first chunks are buffered already).
    const next = (async () => {
      for (;;) {
        const chunk = await timed(t, "mysql_stream_next", { stream_id: stream.body.stream_id });
        if (!chunk.ok || !chunk.body.has_more) return chunk;
        assertAnswered("stream chunk", chunk);
      }
    })();
    const idle = timed(t, "mysql_query", on(t, { query: "SELECT COUNT(*) FROM customers" }));
    const answers = await Promise.all([read, write, next, idle]);
    ["read", "write", "stream", "idle"].forEach((what, i) => assertAnswered(what, answers[i]));

    // The network comes back: the server recovers by itself.
    proxy.set("forward");
    let back = false;
    for (let i = 0; i < 80 && !back; i++) {
      back = (await timed(t, "mysql_query", on(t, { query: "SELECT 1" }))).ok;
      if (!back) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.ok(back, `${mode}: the server did not recover`);
    await t.raw("mysql_stream_cancel", { stream_id: stream.body.stream_id });
    await assertSettled(t.app);
    return `${mode}: ${
      answers.map((a) => `${Math.round(a.ms)}ms${a.ok ? "" : ` ${a.body.error_code}`}`).join(", ")
    }`;
  } finally {
    await t.close();
    proxy.close();
  }
}

Deno.test({
  name:
    "every network fault during a read, a write, a stream and idle is answered in bounded time, and the server recovers",
  ...DB_TEST,
  async fn() {
    const modes: ProxyMode[] = ["black-hole", "reset", "trickle", "half-open"];
    // In parallel: each has its own proxy and server; the waits overlap.
    const lines = await Promise.all(modes.map(scenario));
    console.log(lines.join("\n"));
  },
});
