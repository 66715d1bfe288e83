/**
 * MariaDB frozen with SIGSTOP (its sockets open, nothing answering, KILL QUERY included) while
 * a read, a write and a stream run and while connections sit idle: every call is answered in
 * bounded time, and once the server runs again the MCP server recovers by itself with its
 * books balanced. Uses its own MariaDB, since it freezes it.
 */
import assert from "assert";
import { startOwnServerApp } from "../support/own_server_app.ts";
import { assertSettled } from "../support/invariants.ts";

const QUERY_TIMEOUT_MS = 2_000;
/** query_timeout, the KILL grace (1 s), the last resort after an unanswered KILL (5 s), slack. */
const ANSWER_BOUND_MS = QUERY_TIMEOUT_MS + 12_000;
const CODES = ["CONNECTION_FAILED", "QUERY_TIMEOUT", "QUERY_EXECUTION_ERROR", "POOL_EXHAUSTED"];

Deno.test({
  name: "a frozen database (SIGSTOP) gets every call answered in bounded time, and recovery after",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const own = await startOwnServerApp({
      seed: "CREATE TABLE shop.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT);" +
        "INSERT INTO shop.t (v) SELECT seq FROM shop.seq_1_to_2000;",
      server: `query_timeout = "${QUERY_TIMEOUT_MS}ms"\nstream_chunk_size = 100`,
      source: 'databases = ["shop"]',
      pool: 'max_connections = 5\nconnect_timeout = "1s"\nacquire_timeout = "3s"\n' +
        'health_check_interval = "500ms"',
    });
    const { server, app, client } = own;
    const call = async (name: string, args: Record<string, unknown>) => {
      const started = performance.now();
      const result = await client.callTool({ name, arguments: args });
      const text = (result.content as { text: string }[])[0].text;
      return {
        ok: !result.isError,
        body: result.isError ? JSON.parse(text) : result.structuredContent as any,
        ms: performance.now() - started,
      };
    };
    const on = (extra: Record<string, unknown>) => ({
      datasource_key: "db",
      database: "shop",
      ...extra,
    });
    let frozen = false;
    try {
      assert.ok((await call("mysql_query", on({ query: "SELECT 1" }))).ok);
      const stream = await call(
        "mysql_query",
        on({ query: "SELECT a.id, b.v FROM t a JOIN t b", stream: true }),
      );
      assert.ok(stream.ok, JSON.stringify(stream.body));

      const read = call("mysql_query", on({ query: "SELECT SLEEP(1) AS s" }));
      const write = call("mysql_execute", on({ statement: "INSERT INTO t (v) SELECT SLEEP(1)" }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      server.freeze();
      frozen = true;
      const next = (async () => {
        for (;;) {
          const chunk = await call("mysql_stream_next", { stream_id: stream.body.stream_id });
          if (!chunk.ok || !chunk.body.has_more) return chunk;
        }
      })();
      const idle = call("mysql_query", on({ query: "SELECT COUNT(*) FROM t" }));
      const answers = await Promise.all([read, write, next, idle]);
      ["read", "write", "stream", "idle"].forEach((what, i) => {
        const answer = answers[i];
        assert.ok(
          answer.ms < ANSWER_BOUND_MS,
          `${what} answered after ${Math.round(answer.ms)} ms`,
        );
        if (!answer.ok) {
          assert.ok(
            CODES.includes(answer.body.error_code),
            `${what}: ${JSON.stringify(answer.body)}`,
          );
        }
      });
      assert.ok(answers.some((answer) => !answer.ok), "a call should have failed while frozen");

      server.thaw();
      frozen = false;
      let back = false;
      for (let i = 0; i < 80 && !back; i++) {
        back = (await call("mysql_query", on({ query: "SELECT COUNT(*) FROM t" }))).ok;
        if (!back) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.ok(back, "the server did not recover after the database ran again");
      await call("mysql_stream_cancel", { stream_id: stream.body.stream_id });
      await assertSettled(app);
    } finally {
      if (frozen) server.thaw();
      await own.close();
    }
  },
});
