import assert from "assert";
import fc from "fast-check";
import { startDatabaseServer } from "../../scripts/throwaway_mariadb.ts";
import { createApp } from "../../src/app.ts";
import { parseConfig } from "../../src/config/parse_config.ts";
import { Logger } from "../../src/log/logger.ts";
import { SecretScrubber } from "../../src/log/secret_scrubber.ts";
import { serveMetrics } from "../../src/observability/metrics_server.ts";
import { DB_TEST, startTestApp } from "../support/test_app.ts";

function capture(level: "debug" | "info" = "debug") {
  const lines: string[] = [];
  const log = new Logger({ level, sinks: [(record) => void lines.push(JSON.stringify(record))] });
  return { log, lines };
}

Deno.test({
  name: "every tool call is logged as JSON with a request id, tool, datasource, duration and rows",
  ...DB_TEST,
  async fn() {
    const { log, lines } = capture();
    const t = await startTestApp({ log });
    try {
      await t.call("mysql_query", {
        datasource_key: "test",
        database: t.db.db,
        query: "SELECT * FROM customers WHERE name = ? OR id = 1",
        params: ["Ann-secret-param-value"],
      });
      await t.fail("mysql_query", {
        datasource_key: "test",
        database: t.db.db,
        query: "DROP TABLE x",
      });
      const calls = lines.map((l) => JSON.parse(l)).filter((r) => r.tool === "mysql_query");
      const ok = calls.find((r) => r.msg === "tool call");
      assert.ok(ok, lines.join("\n"));
      assert.match(ok.request_id, /^[0-9a-f]{8}-\d+$/);
      assert.equal(ok.datasource, "test");
      assert.equal(ok.database, t.db.db);
      assert.equal(typeof ok.duration_ms, "number");
      assert.equal(ok.rows, 1);
      assert.ok(ok.level && ok.time);
      const failed = calls.find((r) => r.msg === "tool call failed");
      assert.equal(failed.error_code, "STATEMENT_NOT_ALLOWED");
      assert.notEqual(failed.request_id, ok.request_id);
      // Parameter values never reach the logs.
      assert.ok(!lines.join("\n").includes("Ann-secret-param-value"));
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "the MCP logging capability mirrors log records to the client at its chosen level",
  ...DB_TEST,
  async fn() {
    const { log } = capture("debug");
    const t = await startTestApp({ log });
    const received: unknown[] = [];
    try {
      const { LoggingMessageNotificationSchema } = await import(
        "@modelcontextprotocol/sdk/types.js"
      );
      t.client.setNotificationHandler(
        LoggingMessageNotificationSchema,
        (n: { params: unknown }) => void received.push(n.params),
      );
      await t.client.setLoggingLevel("warning");
      await t.fail("mysql_query", { datasource_key: "nope", database: "x", query: "SELECT 1" });
      await new Promise((r) => setTimeout(r, 50));
      assert.ok(
        received.some((p) => JSON.stringify(p).includes("AUTHENTICATION_ERROR")),
        JSON.stringify(received),
      );
    } finally {
      await t.close();
    }
  },
});

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test({
  name: "/metrics is Prometheus text whose counters move with calls; /healthz follows availability",
  ...DB_TEST,
  async fn() {
    // Own server: this test stops and restarts it.
    const server = await startDatabaseServer({ ignoreUrl: true });
    const password = "pw-" + crypto.randomUUID();
    await server.admin(
      `CREATE DATABASE m1; CREATE USER 'mon'@'%' IDENTIFIED BY '${password}'; GRANT ALL ON m1.* TO 'mon'@'%';`,
    );
    const { config } = parseConfig(
      `[[datasources]]\nkey = "m"\nhost = "127.0.0.1"\nport = ${server.port}\nusername = "mon"\n` +
        `password = "${password}"\n[datasources.pool]\nhealth_check_interval = "200ms"\nconnect_timeout = "1s"\n`,
      { path: "/x/datasources.toml", env: () => undefined },
    );
    const log = new Logger({ level: "error", sinks: [] });
    const app = createApp(config, log, { retryDelaysMs: [20], recoveryIntervalMs: 200 });
    const port = freePort();
    const metricsServer = serveMetrics(
      port,
      app.metrics,
      app.datasources,
      log,
      new SecretScrubber(),
    );
    const scrape = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: response.status, text: await response.text() };
    };
    try {
      const before = await scrape("/metrics");
      assert.equal(before.status, 200);
      await app.gate.query({
        datasource: "m",
        database: "m1",
        sql: "SELECT 1",
        tool: "mysql_query",
      });
      // Drive a call through the MCP layer's hook to move the tool counters.
      app.metrics.observeCall({ tool: "mysql_query", datasource: "m", durationMs: 2, rows: 1 });
      const after = await scrape("/metrics");
      for (const line of after.text.trim().split("\n")) {
        assert.match(
          line,
          /^(# (HELP|TYPE) \w+ .+|\w+(\{(\w+="[^"]*",?)*\})? -?[\d.e+-]+(Inf)?)$/,
          `not Prometheus text: ${line}`,
        );
      }
      assert.match(
        after.text,
        /mysql_mcp_tool_calls_total\{tool="mysql_query",datasource="m",outcome="ok"\} 1/,
      );
      assert.match(after.text, /mysql_mcp_pool_acquire_seconds_count\{pool="m\/m1"\} [1-9]/);
      assert.match(after.text, /mysql_mcp_datasource_up\{datasource="m"\} 1/);

      assert.equal((await scrape("/healthz")).status, 200);
      await server.halt();
      // Fail a query so the source learns it is down (retries are tiny here).
      await app.datasources.probe("m");
      await app.datasources.probe("m");
      const down = await scrape("/healthz");
      assert.equal(down.status, 503, down.text);
      assert.match(down.text, /unavailable/);
      await server.resume();
      let up = 0;
      for (let i = 0; i < 50 && up !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        up = (await scrape("/healthz")).status;
      }
      assert.equal(up, 200);
      assert.ok(!(await scrape("/metrics")).text.includes(password));
    } finally {
      await metricsServer.close();
      await app.close(0);
      await server.stop();
    }
  },
});

Deno.test({
  name: "no secret appears in any log line or response, whatever fails (fast-check sweep)",
  ...DB_TEST,
  async fn() {
    const { testDatabase } = await import("../support/test_database.ts");
    const db = await testDatabase();
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 8, maxLength: 24 }).filter((s) =>
          /^[\x21-\x7e]+$/.test(s) && !s.includes('"') && !s.includes("\\")
        ),
        fc.constantFrom("wrong-port", "wrong-password", "bad-sql", "unknown-db"),
        async (password, failure) => {
          const lines: string[] = [];
          const log = new Logger({
            level: "debug",
            sinks: [(r) => void lines.push(JSON.stringify(r))],
          });
          const port = failure === "wrong-port" ? 1 : db.server.port;
          const configured = failure === "wrong-password" ? password : db.password;
          const { config } = parseConfig(
            `[[datasources]]\nkey = "s"\nhost = "127.0.0.1"\nport = ${port}\nusername = "${db.user}"\n` +
              `password = "${configured}"\n` +
              `[datasources.pool]\nconnect_timeout = "1s"\n`,
            { path: "/x/datasources.toml", env: () => undefined },
          );
          const app = createApp(config, log, { retryDelaysMs: [], recoveryIntervalMs: 60_000 });
          const responses: string[] = [];
          try {
            // The last one makes the server echo the password in its error message.
            const echo = `SELECT * FROM \`${configured.replaceAll("`", "")}\``;
            for (const sql of ["SELECT 1", "SELEC nope", echo]) {
              try {
                responses.push(JSON.stringify(
                  await app.gate.query({
                    datasource: "s",
                    database: failure === "unknown-db" ? "nope_db" : db.db,
                    sql,
                  }),
                ));
              } catch (error) {
                responses.push(JSON.stringify(error), String(error));
              }
            }
          } finally {
            await app.close(0);
          }
          const everything = lines.join("\n") +
            responses.filter((r) => !r.includes("rows")).join("\n");
          assert.ok(
            !everything.includes(configured),
            `password leaked in: ${everything.slice(0, 500)}`,
          );
        },
      ),
      { numRuns: 100 },
    );
  },
});
