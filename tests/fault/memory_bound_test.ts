/**
 * Memory is bounded by bytes, not rows: 300 rows of 1 MB read whole, two
 * full-table reads at once and a stream over them keep the server process
 * under a stated RSS bound, and each read answers (cut, with truncated).
 */
import assert from "assert";
import { LineClient } from "../../scripts/bench/line_client.ts";
import { measureWideRows, seedWideRows } from "../../scripts/bench/wide_rows.ts";
import { DB_TEST, testConfigToml } from "../support/test_app.ts";
import { testDatabase } from "../support/test_database.ts";

const MB = 1024 * 1024;
/**
 * The stated bound for the server process with max_result_bytes at its 16 MB default:
 * ~70 MB at rest plus, per read in flight, a few copies of its result (the rows, the text
 * rendering, the JSON-RPC line and its bytes). Measured ~410 MB for this case (3 reads of
 * 16 MB, two at once, and a stream).
 */
const RSS_BOUND = 600 * MB;

Deno.test({
  name: "300 × 1 MB rows, two concurrent full-table reads and a stream stay under the RSS bound",
  ...DB_TEST,
  async fn() {
    const db = await testDatabase();
    await seedWideRows((sql) => db.server.admin(sql), db.db);
    const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-rss-" });
    const path = `${dir}/datasources.toml`;
    await Deno.writeTextFile(
      path,
      testConfigToml(db, { source: { max_rows: "10000" }, server: { query_timeout: '"60s"' } }),
    );
    // Replies reach 33 MB (16 MB of rows, twice): over the SDK stdio client's 10 MB line cap.
    const client = new LineClient(
      Deno.execPath(),
      ["run", "-A", new URL("../../main.ts", import.meta.url).pathname, "--config", path],
      { MYSQL_MCP_LOG_LEVEL: "error" },
    );
    try {
      await client.initialize();
      const outcome = await measureWideRows(client, client.pid, "test", db.db);
      console.log(
        `peak RSS ${Math.round(outcome.peakBytes / MB)} MB (before ${
          Math.round(outcome.beforeBytes / MB)
        } MB); ${outcome.answers.join("; ")}`,
      );
      for (const answer of outcome.answers.slice(0, 3)) {
        assert.match(answer, /^\d+ rows, truncated$/);
      }
      // A stream chunk stops at the byte bound too: 16 MB holds 15 of these rows.
      assert.match(outcome.answers[3], /^stream: ([1-9]|1[0-6]) rows$/);
      assert.ok(outcome.peakBytes < RSS_BOUND, `peak RSS ${outcome.peakBytes / MB} MB`);
    } finally {
      await client.close();
      await Deno.remove(dir, { recursive: true });
      await db.server.admin(`DROP TABLE IF EXISTS \`${db.db}\`.fat`);
    }
  },
});
