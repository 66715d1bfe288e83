/**
 * Results are bounded by bytes as they are read (max_result_bytes): a wide
 * result is cut with a hint, a single row over the bound is refused with a
 * clear error, and a stream chunk stops early at the bound.
 */
import assert from "assert";
import { DB_TEST, startTestApp, type TestApp } from "../support/test_app.ts";
import { on } from "./_support.ts";

const MB = 1024 * 1024;

async function withWideRows(source: Record<string, string>, fn: (t: TestApp) => Promise<void>) {
  const t = await startTestApp({ source });
  try {
    await t.db.server.admin(
      `CREATE TABLE IF NOT EXISTS ${t.db.db}.wide (id INT PRIMARY KEY, body LONGTEXT);
       INSERT IGNORE INTO ${t.db.db}.wide SELECT seq, REPEAT(CHAR(65 + seq % 26), ${MB})
         FROM ${t.db.db}.seq_1_to_24`,
    );
    await fn(t);
  } finally {
    await t.close();
  }
}

Deno.test({
  name: "a result wider than max_result_bytes is cut while it is read, with truncated and a hint",
  ...DB_TEST,
  async fn() {
    await withWideRows({ max_result_bytes: '"4MB"' }, async (t) => {
      const result = await t.call(
        "mysql_query",
        on(t, { query: "SELECT id, body FROM wide ORDER BY id" }),
      );
      assert.equal(result.truncated, true);
      assert.ok(result.row_count >= 1 && result.row_count <= 4, `${result.row_count} rows`);
      assert.deepEqual(
        result.rows.map((r: unknown[]) => r[0]),
        [1, 2, 3].slice(0, result.row_count),
      );
      assert.match(result.warnings.join(" "), /max_result_bytes \(4194304 bytes\)/);
      assert.ok(JSON.stringify(result).length < 5 * MB);
      // The pool is whole again: a narrow query on the same source works.
      const small = await t.call("mysql_query", on(t, { query: "SELECT COUNT(*) AS n FROM wide" }));
      assert.deepEqual(small.rows, [[24]]);
    });
  },
});

Deno.test({
  name: "a single row larger than max_result_bytes is refused with a clear error",
  ...DB_TEST,
  async fn() {
    await withWideRows({ max_result_bytes: '"512KB"' }, async (t) => {
      const error = await t.fail("mysql_query", on(t, { query: "SELECT body FROM wide" }));
      assert.equal(error.error_code, "QUERY_EXECUTION_ERROR");
      assert.match(error.message, /single row .* over max_result_bytes \(524288\)/);
      const stream = await t.fail(
        "mysql_query",
        on(t, { query: "SELECT body FROM wide", stream: true }),
      );
      assert.match(stream.message, /single row/);
      const stats = await t.call("mysql_get_connection_stats", { datasource_key: "test" });
      assert.ok(JSON.stringify(stats).length > 0);
    });
  },
});

Deno.test({
  name: "a stream chunk stops early at max_result_bytes and the whole result still arrives",
  ...DB_TEST,
  async fn() {
    await withWideRows({ max_result_bytes: '"3MB"' }, async (t) => {
      let chunk = await t.call(
        "mysql_query",
        on(t, { query: "SELECT id, body FROM wide ORDER BY id", stream: true }),
      );
      const ids: number[] = [];
      for (;;) {
        assert.ok(chunk.row_count >= 1 && chunk.row_count <= 3, `${chunk.row_count} rows`);
        ids.push(...chunk.rows.map((r: unknown[]) => r[0] as number));
        if (!chunk.has_more) break;
        chunk = await t.call("mysql_stream_next", { stream_id: chunk.stream_id });
      }
      assert.deepEqual(ids, Array.from({ length: 24 }, (_, i) => i + 1));
    });
  },
});
