import assert from "assert";
import { DB_TEST, startTestApp } from "../support/test_app.ts";
import { assertStatementGone, marker, on, waitRunning } from "./_support.ts";

Deno.test({
  name: "a query past query_timeout is QUERY_TIMEOUT and stopped on the server",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp({ server: { query_timeout: '"1s"' } });
    try {
      const tag = marker("timeout");
      const started = performance.now();
      const error = await t.fail("mysql_query", on(t, { query: `SELECT SLEEP(5) AS ${tag}` }));
      const elapsed = performance.now() - started;
      assert.equal(error.error_code, "QUERY_TIMEOUT");
      assert.ok(elapsed < 4_000, `answered after ${Math.round(elapsed)} ms`);
      await assertStatementGone(t, tag, 2_000);
      // The pool is healthy afterwards.
      const q = await t.call("mysql_query", on(t, { query: "SELECT 1" }));
      assert.deepEqual(q.rows, [[1]]);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "a write past query_timeout is QUERY_TIMEOUT, stopped, and changes nothing",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp({ server: { query_timeout: '"1s"' } });
    try {
      const tag = marker("wtimeout");
      const error = await t.fail(
        "mysql_execute",
        on(t, {
          statement: `UPDATE customers SET name = '${tag}' WHERE id = 1 AND SLEEP(5) = 0`,
        }),
      );
      assert.equal(error.error_code, "QUERY_TIMEOUT");
      await assertStatementGone(t, tag, 2_000);
      const rows = await t.db.server.admin(`SELECT name FROM ${t.db.db}.customers WHERE id = 1`);
      assert.equal(rows[0].name, "Ann");
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "MCP cancellation of a running query stops it on the server",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const tag = marker("cancel");
      const controller = new AbortController();
      const call = t.client.callTool(
        { name: "mysql_query", arguments: on(t, { query: `SELECT SLEEP(10) AS ${tag}` }) },
        undefined,
        { signal: controller.signal },
      );
      const settled = call.then(() => "resolved", () => "rejected");
      await waitRunning(t, tag);
      await new Promise((resolve) => setTimeout(resolve, 300));
      controller.abort("the user changed their mind");
      assert.equal(await settled, "rejected");
      await assertStatementGone(t, tag, 3_000);
      // The cancelled connection is not handed out dirty: queries keep working.
      for (let i = 0; i < 6; i++) {
        const q = await t.call("mysql_query", on(t, { query: "SELECT 1" }));
        assert.deepEqual(q.rows, [[1]]);
      }
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "MCP cancellation of a running streamed query stops it on the server",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const tag = marker("scancel");
      const controller = new AbortController();
      const call = t.client.callTool(
        {
          name: "mysql_query",
          arguments: on(t, { query: `SELECT SLEEP(10) AS ${tag}`, stream: true }),
        },
        undefined,
        { signal: controller.signal },
      );
      const settled = call.then(() => "resolved", () => "rejected");
      await waitRunning(t, tag);
      controller.abort();
      assert.equal(await settled, "rejected");
      await assertStatementGone(t, tag, 3_000);
      const { pools } = await t.call("mysql_get_connection_stats", {});
      assert.ok(pools.every((p: { open_streams: number }) => p.open_streams === 0));
    } finally {
      await t.close();
    }
  },
});
