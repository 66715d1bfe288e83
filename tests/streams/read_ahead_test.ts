/**
 * Streams read ahead while their callers are away, but all of them together only up to a
 * bound (four times max_result_bytes): many open streams over wide rows hold about that much,
 * not a full buffer each, and every stream still delivers its whole result.
 */
import assert from "assert";
import { DB_TEST, START_MODE, startTestApp } from "../support/test_app.ts";
import { on } from "../tools/_support.ts";

const MAX_RESULT_BYTES = 256 * 1024;
const ROW_BYTES = 10_000;
const STREAMS = 6;

Deno.test({
  name: "open streams share a bounded read-ahead and still deliver every row",
  ignore: START_MODE, // reads the gate's read-ahead figure in process
  ...DB_TEST,
  async fn() {
    const t = await startTestApp({
      server: { max_result_bytes: `"${MAX_RESULT_BYTES}"`, max_concurrent_streams: "10" },
      pool: { max_connections: String(STREAMS + 2) },
    });
    try {
      const query = `SELECT seq, REPEAT('x', ${ROW_BYTES}) AS pad FROM seq_1_to_600`;
      const ids: string[] = [];
      const counts: number[] = [];
      for (let i = 0; i < STREAMS; i++) {
        const first = await t.call("mysql_query", on(t, { query, stream: true }));
        ids.push(first.stream_id);
        counts.push(first.row_count);
      }
      // Let every stream read ahead as far as it may.
      await new Promise((resolve) => setTimeout(resolve, 500));
      // The shared bound, plus what a stream may read past it while its own chunk fills (a row
      // or so each); without the shared bound six streams hold about 3 MB here.
      const bound = 4 * MAX_RESULT_BYTES + STREAMS * (MAX_RESULT_BYTES / 4);
      assert.ok(
        t.app.gate.readAheadBytes <= bound,
        `read ahead ${t.app.gate.readAheadBytes} bytes, bound ${bound}`,
      );
      for (let i = 0; i < STREAMS; i++) {
        for (;;) {
          const chunk = await t.call("mysql_stream_next", { stream_id: ids[i] });
          counts[i] += chunk.row_count;
          if (!chunk.has_more) break;
        }
      }
      assert.deepEqual(counts, Array(STREAMS).fill(600));
      assert.equal(t.app.gate.readAheadBytes, 0);
    } finally {
      await t.close();
    }
  },
});
