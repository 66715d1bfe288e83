/**
 * SIGTERM and the end of input with 50 writes in flight: every request read
 * is answered before the server exits, and the rows in the table are exactly
 * the writes acknowledged as done.
 */
import assert from "assert";
import { LineClient } from "../../scripts/bench/line_client.ts";
import { DB_TEST, testConfigToml } from "../support/test_app.ts";
import { testDatabase } from "../support/test_database.ts";

const WRITES = 50;

async function writesThenStop(how: "SIGTERM" | "stdin end") {
  const db = await testDatabase();
  const table = `acks_${how === "SIGTERM" ? "term" : "eof"}`;
  await db.server.admin(
    `DROP TABLE IF EXISTS ${db.db}.${table}; CREATE TABLE ${db.db}.${table} (n INT PRIMARY KEY) ENGINE=InnoDB`,
  );
  const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-shutdown-" });
  const path = `${dir}/datasources.toml`;
  await Deno.writeTextFile(
    path,
    testConfigToml(db, {
      server: { query_timeout: '"20s"' },
      pool: { max_connections: "10", acquire_timeout: '"30s"' },
    }),
  );
  const client = new LineClient(
    Deno.execPath(),
    ["run", "-A", new URL("../../main.ts", import.meta.url).pathname, "--config", path],
    { MYSQL_MCP_LOG_LEVEL: Deno.env.get("SHUTDOWN_TEST_LOG") ?? "error" },
  );
  try {
    await client.initialize();
    // Some finish within the 5 s grace, some do not and are stopped; some wait for a connection.
    const answers = Array.from({ length: WRITES }, (_, n) =>
      client.request("tools/call", {
        name: "mysql_execute",
        arguments: {
          datasource_key: "test",
          database: db.db,
          statement: `INSERT INTO ${table} (n) SELECT ? FROM DUAL WHERE SLEEP(?) = 0`,
          params: [n, (n % 10) * 0.9],
        },
      }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (how === "SIGTERM") Deno.kill(client.pid, "SIGTERM");
    else await client.endInput();
    const replies = await Promise.all(answers);
    const status = await client.status;
    assert.equal(status.code, 0);
    const unanswered = replies.filter((r) => r.unanswered || !r.result);
    assert.equal(unanswered.length, 0, `unanswered: ${JSON.stringify(unanswered[0])}`);
    const acknowledged = replies.filter((r) => !r.result.isError).length;
    const [{ rows }] = await db.server.admin(`SELECT COUNT(*) AS \`rows\` FROM ${db.db}.${table}`);
    assert.equal(Number(rows), acknowledged, "rows in the table == acknowledged writes");
    const failures = replies.filter((r) => r.result.isError).map((r) =>
      JSON.parse(r.result.content[0].text)
    );
    for (const failure of failures) assert.doesNotMatch(failure.message, /unknown/);
    return `${how}: ${acknowledged} acknowledged, ${failures.length} refused (${
      [...new Set(failures.map((f) => f.error_code))].join(", ")
    })`;
  } finally {
    await client.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "SIGTERM with 50 writes in flight answers every one and rows == acknowledged writes",
  ...DB_TEST,
  async fn() {
    console.log(await writesThenStop("SIGTERM"));
  },
});

Deno.test({
  name:
    "the end of input with 50 writes in flight answers every one and rows == acknowledged writes",
  ...DB_TEST,
  async fn() {
    console.log(await writesThenStop("stdin end"));
  },
});
