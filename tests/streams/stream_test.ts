/**
 * Streaming through the real MCP client against the real MariaDB:
 * mysql_query stream: true, mysql_stream_next and mysql_stream_cancel.
 */
import assert from "assert";
import { DB_TEST, startTestApp, type TestApp } from "../support/test_app.ts";
import { testDatabase } from "../support/test_database.ts";
import {
  CHUNK_CAP,
  connectionsFreed,
  drain,
  eventually,
  marker,
  nextChunk,
  openStream,
  poolStats,
  readAll,
  threadsRunning,
  within,
} from "./_stream_client.ts";

const MILLION = "SELECT seq, seq * 2 AS twice FROM seq_1_to_1000000";

/** Starts a test app, runs `fn`, always closes it. */
async function withApp(
  options: Parameters<typeof startTestApp>[0],
  fn: (t: TestApp) => Promise<void>,
): Promise<void> {
  const t = await startTestApp(options);
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

Deno.test({
  name: "a 1,000,000-row stream arrives complete and in order, in chunks of at most 1000 rows",
  ...DB_TEST,
  async fn() {
    await withApp({ server: { stream_idle_timeout: '"30s"' } }, async (t) => {
      const first = await openStream(t, MILLION);
      assert.deepEqual(first.columns.map((c) => c.name), ["seq", "twice"]);
      assert.equal(typeof first.stream_id, "string");
      assert.equal(first.has_more, true);
      assert.equal(first.rows.length, CHUNK_CAP);
      let count = 0;
      let sum = 0;
      let twiceSum = 0;
      let expected = 1;
      let outOfOrder = 0;
      const { chunks } = await drain(t, first, (chunk) => {
        for (const row of chunk.rows) {
          // BIGINT arrives as a string (the driver's bigNumberStrings): exact either way.
          const seq = Number(row[0]);
          const twice = Number(row[1]);
          if (seq !== expected || twice !== seq * 2) outOfOrder++;
          expected = seq + 1;
          count++;
          sum += seq;
          twiceSum += twice;
        }
      });
      assert.equal(outOfOrder, 0);
      assert.equal(count, 1_000_000);
      assert.equal(sum, 500_000_500_000);
      assert.equal(twiceSum, 1_000_001_000_000);
      assert.ok(chunks >= 1000 && chunks <= 1001, `${chunks} chunks`);
      await connectionsFreed(t);
      const after = await t.fail("mysql_stream_next", { stream_id: first.stream_id });
      assert.equal(after.error_code, "STREAM_NOT_FOUND");
    });
  },
});

Deno.test({
  name: "small streams: empty, exactly one chunk, and a short last chunk",
  ...DB_TEST,
  async fn() {
    await withApp({}, async (t) => {
      const empty = await openStream(t, "SELECT seq FROM seq_1_to_10 WHERE seq > 100");
      assert.equal(empty.has_more, false);
      assert.deepEqual(empty.rows, []);
      assert.deepEqual(empty.columns.map((c) => c.name), ["seq"]);

      const exact = await openStream(t, "SELECT seq FROM seq_1_to_1000");
      const exactRows = await readAll(t, exact);
      assert.equal(exactRows.length, 1000);

      const sizes: number[] = [];
      await drain(
        t,
        await openStream(t, "SELECT n FROM numbers WHERE n <= 2500 ORDER BY n"),
        (c) => sizes.push(c.rows.length),
      );
      assert.deepEqual(sizes.filter((n) => n > 0), [1000, 1000, 500]);
      await connectionsFreed(t);
    });
  },
});

Deno.test({
  name: "two interleaved streams on the same pool each return exactly their own rows in order",
  ...DB_TEST,
  async fn() {
    await withApp({}, async (t) => {
      const a = await openStream(t, "SELECT seq FROM seq_1_to_5500");
      const b = await openStream(t, "SELECT -seq FROM seq_1_to_4200");
      assert.notEqual(a.stream_id, b.stream_id);
      assert.equal((await poolStats(t)).open_streams, 2);
      const got = { a: [...a.rows], b: [...b.rows] };
      let more = { a: a.has_more, b: b.has_more };
      // Alternate one call each, then both at once.
      let round = 0;
      while (more.a || more.b) {
        const calls: Promise<void>[] = [];
        for (const [name, id] of [["a", a.stream_id], ["b", b.stream_id]] as const) {
          if (!more[name]) continue;
          const call = nextChunk(t, id).then((chunk) => {
            got[name].push(...chunk.rows);
            more = { ...more, [name]: chunk.has_more };
          });
          if (round % 2 === 0) await call;
          else calls.push(call);
        }
        await Promise.all(calls);
        round++;
      }
      assert.deepEqual(
        got.a.map((r) => Number(r[0])),
        Array.from({ length: 5500 }, (_, i) => i + 1),
      );
      assert.deepEqual(
        got.b.map((r) => Number(r[0])),
        Array.from({ length: 4200 }, (_, i) => -(i + 1)),
      );
      await connectionsFreed(t);
    });
  },
});

Deno.test({
  name: "two streams on different pools of one datasource stay independent",
  ...DB_TEST,
  async fn() {
    const db = await testDatabase();
    await withApp(
      { source: { databases: `[${JSON.stringify(db.db)}, ${JSON.stringify(db.otherDb)}]` } },
      async (t) => {
        const a = await openStream(t, "SELECT seq FROM seq_1_to_3100");
        const b = await openStream(t, "SELECT seq * 7 FROM seq_1_to_2300", {
          database: db.otherDb,
        });
        assert.equal((await poolStats(t)).open_streams, 1);
        assert.equal((await poolStats(t, db.otherDb)).open_streams, 1);
        const [rowsA, rowsB] = await Promise.all([readAll(t, a), readAll(t, b)]);
        assert.deepEqual(
          rowsA.map((r) => Number(r[0])),
          Array.from({ length: 3100 }, (_, i) => i + 1),
        );
        assert.deepEqual(
          rowsB.map((r) => Number(r[0])),
          Array.from({ length: 2300 }, (_, i) => (i + 1) * 7),
        );
        await connectionsFreed(t);
        await connectionsFreed(t, db.otherDb);
      },
    );
  },
});

Deno.test({
  name: "two mysql_stream_next calls at once on one stream get successive chunks",
  ...DB_TEST,
  async fn() {
    await withApp({}, async (t) => {
      const first = await openStream(t, "SELECT seq FROM seq_1_to_4000");
      const [x, y, z] = await Promise.all([
        nextChunk(t, first.stream_id),
        nextChunk(t, first.stream_id),
        nextChunk(t, first.stream_id),
      ]);
      const rest = z.has_more ? await readAll(t, await nextChunk(t, first.stream_id)) : [];
      assert.deepEqual(rest, []);
      const all = [...first.rows, ...x.rows, ...y.rows, ...z.rows].map((r) => Number(r[0]));
      assert.deepEqual(all, Array.from({ length: 4000 }, (_, i) => i + 1));
      await connectionsFreed(t);
    });
  },
});

Deno.test({
  name: "cancel mid-way frees the connection and stops the statement on the server",
  ...DB_TEST,
  async fn() {
    await withApp({ server: { stream_idle_timeout: '"30s"' } }, async (t) => {
      const tag = marker();
      const first = await openStream(t, `SELECT seq AS ${tag}, seq * 2 FROM seq_1_to_1000000`);
      await nextChunk(t, first.stream_id);
      const during = await poolStats(t);
      assert.equal(during.open_streams, 1);
      assert.equal(during.active_connections, 1);
      assert.equal((await threadsRunning(t, tag)).length, 1);

      assert.deepEqual(
        await t.call("mysql_stream_cancel", { stream_id: first.stream_id }),
        { cancelled: true },
      );
      await connectionsFreed(t);
      await eventually(
        "statement gone from the processlist",
        async () => (await threadsRunning(t, tag)).length === 0,
      );
      const next = await t.fail("mysql_stream_next", { stream_id: first.stream_id });
      assert.equal(next.error_code, "STREAM_CANCELLED");
      const again = await t.fail("mysql_stream_cancel", { stream_id: first.stream_id });
      assert.equal(again.error_code, "STREAM_CANCELLED");
      // The pool still serves.
      const q = await t.call("mysql_query", {
        datasource_key: "test",
        database: t.db.db,
        query: "SELECT 1 AS one",
      });
      assert.deepEqual(q.rows, [[1]]);
    });
  },
});

Deno.test({
  name: "an idle stream expires after stream_idle_timeout and frees its connection",
  ...DB_TEST,
  async fn() {
    await withApp({ server: { stream_idle_timeout: '"500ms"' } }, async (t) => {
      const tag = marker();
      const first = await openStream(t, `SELECT seq AS ${tag} FROM seq_1_to_1000000`);
      assert.equal((await poolStats(t)).open_streams, 1);
      await new Promise((r) => setTimeout(r, 1_000));
      const late = await t.fail("mysql_stream_next", { stream_id: first.stream_id });
      assert.ok(
        late.error_code === "STREAM_CANCELLED" || late.error_code === "STREAM_NOT_FOUND",
        JSON.stringify(late),
      );
      assert.match(late.message, /stream_idle_timeout/);
      await connectionsFreed(t);
      await eventually(
        "statement gone from the processlist",
        async () => (await threadsRunning(t, tag)).length === 0,
      );
    });
  },
});

Deno.test({
  name: "a stream read slowly outlives query_timeout: the timeout bounds only the first chunk",
  ...DB_TEST,
  async fn() {
    await withApp(
      { server: { query_timeout: '"1s"', stream_idle_timeout: '"20s"' } },
      async (t) => {
        const first = await openStream(t, MILLION);
        await new Promise((r) => setTimeout(r, 2_500));
        let rows = first.rows.length;
        for (let i = 0; i < 20; i++) rows += (await nextChunk(t, first.stream_id)).rows.length;
        assert.equal(rows, 21_000);
        await t.call("mysql_stream_cancel", { stream_id: first.stream_id });
        await connectionsFreed(t);
      },
    );
  },
});

Deno.test({
  name: "one stream more than max_concurrent_streams is a clear error, not a wait",
  ...DB_TEST,
  async fn() {
    await withApp(
      { server: { max_concurrent_streams: "2" }, pool: { max_connections: "10" } },
      async (t) => {
        const a = await openStream(t, MILLION);
        const b = await openStream(t, MILLION);
        const refused = await within(
          2_000,
          "the third stream",
          t.fail("mysql_query", {
            datasource_key: "test",
            database: t.db.db,
            query: MILLION,
            stream: true,
          }),
        );
        assert.equal(refused.error_code, "POOL_EXHAUSTED");
        assert.match(refused.message, /max_concurrent_streams is 2/);
        await t.call("mysql_stream_cancel", { stream_id: a.stream_id });
        const c = await openStream(t, MILLION);
        await t.call("mysql_stream_cancel", { stream_id: b.stream_id });
        await t.call("mysql_stream_cancel", { stream_id: c.stream_id });
        await connectionsFreed(t);
      },
    );
  },
});

Deno.test({
  name: "streams never take a pool's last connection, even when opened all at once",
  ...DB_TEST,
  async fn() {
    await withApp({ pool: { max_connections: "3" } }, async (t) => {
      const attempts = await Promise.all(
        Array.from({ length: 4 }, () =>
          t.raw("mysql_query", {
            datasource_key: "test",
            database: t.db.db,
            query: MILLION,
            stream: true,
          })),
      );
      const opened = attempts.filter((r) => !r.isError).map((r) => r.structuredContent);
      const refused = attempts.filter((r) => r.isError).map((r) => JSON.parse(r.content[0].text));
      assert.equal(opened.length, 2);
      assert.equal(refused.length, 2);
      for (const error of refused) {
        assert.equal(error.error_code, "POOL_EXHAUSTED");
        assert.match(error.message, /max_connections - 1/);
      }
      assert.equal((await poolStats(t)).open_streams, 2);
      // An ordinary query still gets the remaining connection, quickly.
      const q = await within(
        2_000,
        "an ordinary query",
        t.call("mysql_query", {
          datasource_key: "test",
          database: t.db.db,
          query: "SELECT MAX(n) AS n FROM numbers",
        }),
      );
      assert.deepEqual(q.rows, [[5000]]);
      for (const stream of opened) {
        await t.call("mysql_stream_cancel", { stream_id: stream.stream_id });
      }
      await connectionsFreed(t);
    });
  },
});

Deno.test({
  name: "KILL of a paused stream's connection ends the stream with an error, never a hang",
  ...DB_TEST,
  async fn() {
    await withApp({ server: { stream_idle_timeout: '"30s"' } }, async (t) => {
      const tag = marker();
      const first = await openStream(t, `SELECT seq AS ${tag}, seq * 2 FROM seq_1_to_1000000`);
      const [thread] = await threadsRunning(t, tag);
      assert.ok(thread, "the streaming statement is in the processlist");
      await t.db.server.admin(`KILL ${Number(thread)}`);
      const error = await within(
        5_000,
        "the stream to fail after KILL",
        (async () => {
          for (let i = 0; i < 1000; i++) {
            const result = await t.raw("mysql_stream_next", { stream_id: first.stream_id });
            if (result.isError) return JSON.parse(result.content[0].text);
            assert.ok(result.structuredContent.has_more, "a killed stream cannot end normally");
          }
          assert.fail("no error after 1000 chunks");
        })(),
      );
      assert.ok(
        ["CONNECTION_FAILED", "QUERY_EXECUTION_ERROR"].includes(error.error_code),
        JSON.stringify(error),
      );
      await connectionsFreed(t);
      const q = await t.call("mysql_query", {
        datasource_key: "test",
        database: t.db.db,
        query: "SELECT 2 AS two",
      });
      assert.deepEqual(q.rows, [[2]]);
    });
  },
});

Deno.test({
  name: "KILL while mysql_stream_next waits for rows answers that call with an error",
  ...DB_TEST,
  async fn() {
    await withApp(
      { server: { stream_chunk_size: "10", stream_idle_timeout: '"30s"' } },
      async (t) => {
        const tag = marker();
        // ~100 KB of rows reach the client, then the server sleeps: a next() call will wait.
        const first = await openStream(
          t,
          `SELECT seq AS ${tag}, REPEAT('x', 1000) AS pad, IF(seq = 100, SLEEP(30), 0) AS s ` +
            "FROM seq_1_to_120",
        );
        assert.equal(first.rows.length, 10);
        let waiting: Promise<any> | undefined;
        for (let i = 0; i < 12 && !waiting; i++) {
          const call = t.raw("mysql_stream_next", { stream_id: first.stream_id });
          const settled = await Promise.race([
            call.then(() => true),
            new Promise((r) => setTimeout(() => r(false), 1_000)),
          ]);
          if (!settled) waiting = call;
        }
        assert.ok(waiting, "a mysql_stream_next call waits for the sleeping server");
        const [thread] = await threadsRunning(t, tag);
        await t.db.server.admin(`KILL ${Number(thread)}`);
        const result = await within(5_000, "the waiting call to fail after KILL", waiting);
        assert.equal(result.isError, true);
        const error = JSON.parse(result.content[0].text);
        assert.ok(
          ["CONNECTION_FAILED", "QUERY_EXECUTION_ERROR"].includes(error.error_code),
          JSON.stringify(error),
        );
        await connectionsFreed(t);
      },
    );
  },
});

Deno.test({
  name: "a streamed chunk encodes values exactly like mysql_query, with and without params",
  ...DB_TEST,
  async fn() {
    await withApp({}, async (t) => {
      for (const params of [undefined, [0]]) {
        const query = params
          ? "SELECT * FROM value_types WHERE id > ? ORDER BY id"
          : "SELECT * FROM value_types ORDER BY id";
        const plain = await t.call("mysql_query", {
          datasource_key: "test",
          database: t.db.db,
          query,
          ...(params ? { params } : {}),
        });
        const streamed = await openStream(t, query, { params });
        assert.equal(streamed.has_more, false);
        assert.deepEqual(streamed.columns, plain.columns);
        assert.deepEqual(streamed.rows, plain.rows);
        assert.equal(streamed.rows.length, 2);
      }
      await connectionsFreed(t);
    });
  },
});

Deno.test({
  name: "a failing streamed statement answers the SQL error and frees its connection",
  ...DB_TEST,
  async fn() {
    await withApp({}, async (t) => {
      const missing = await t.fail("mysql_query", {
        datasource_key: "test",
        database: t.db.db,
        query: "SELECT * FROM no_such_table",
        stream: true,
      });
      assert.equal(missing.error_code, "TABLE_NOT_FOUND", JSON.stringify(missing));
      const write = await t.fail("mysql_query", {
        datasource_key: "test",
        database: t.db.db,
        query: "DELETE FROM numbers",
        stream: true,
      });
      assert.equal(write.error_code, "STATEMENT_NOT_ALLOWED");
      const unknown = await t.fail("mysql_stream_next", { stream_id: "no-such-stream" });
      assert.equal(unknown.error_code, "STREAM_NOT_FOUND");
      await connectionsFreed(t);
    });
  },
});

Deno.test({
  name: "connection stats count open streams and the connections they hold",
  ...DB_TEST,
  async fn() {
    await withApp({}, async (t) => {
      const a = await openStream(t, MILLION);
      const b = await openStream(t, MILLION);
      const during = await poolStats(t);
      assert.equal(during.open_streams, 2);
      assert.equal(during.active_connections, 2);
      await t.call("mysql_stream_cancel", { stream_id: a.stream_id });
      assert.equal((await poolStats(t)).open_streams, 1);
      await t.call("mysql_stream_cancel", { stream_id: b.stream_id });
      await connectionsFreed(t);
    });
  },
});

Deno.test({
  name: "a mysql_stream_next that gets no rows within query_timeout answers QUERY_TIMEOUT",
  ...DB_TEST,
  async fn() {
    await withApp(
      {
        server: {
          query_timeout: '"1s"',
          stream_chunk_size: "10",
          stream_idle_timeout: '"30s"',
        },
      },
      async (t) => {
        const tag = marker();
        const first = await openStream(
          t,
          `SELECT seq AS ${tag}, REPEAT('x', 1000) AS pad, IF(seq = 100, SLEEP(30), 0) AS s ` +
            "FROM seq_1_to_120",
        );
        const started = Date.now();
        const error = await within(
          6_000,
          "the stalled stream to fail",
          (async () => {
            for (let i = 0; i < 20; i++) {
              const result = await t.raw("mysql_stream_next", { stream_id: first.stream_id });
              if (result.isError) return JSON.parse(result.content[0].text);
            }
            assert.fail("no error after 20 chunks");
          })(),
        );
        assert.equal(error.error_code, "QUERY_TIMEOUT", JSON.stringify(error));
        assert.ok(Date.now() - started < 4_000);
        await connectionsFreed(t);
        await eventually(
          "statement gone from the processlist",
          async () => (await threadsRunning(t, tag)).length === 0,
        );
      },
    );
  },
});
