/**
 * Streamable HTTP against a real listener: the SDK's HTTP client, bearer tokens and their
 * scopes, the DNS-rebinding guard, an older protocol revision, graceful shutdown.
 */
import assert from "assert";
import { DB_TEST } from "../support/test_app.ts";
import { resultOf, startHttpApp } from "./_http_app.ts";

const FULL = "full-access-token-0123456789";
const JSON_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

function initialize(protocolVersion = "2025-11-25") {
  return JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  });
}

/** The status of a POST of initialize sent over a plain socket with the given Host header. */
async function statusOfRawPost(port: number, host: string): Promise<number> {
  const body = initialize();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const head = [
    "POST /mcp HTTP/1.1",
    `host: ${host}`,
    ...Object.entries(JSON_HEADERS).map(([k, v]) => `${k}: ${v}`),
    `content-length: ${new TextEncoder().encode(body).length}`,
    "connection: close",
  ].join("\r\n");
  await conn.write(new TextEncoder().encode(`${head}\r\n\r\n${body}`));
  const answer = await new Response(conn.readable).text();
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
}

Deno.test({
  name: "an SDK client over Streamable HTTP lists the tools and runs a query",
  ...DB_TEST,
  async fn() {
    const t = await startHttpApp();
    try {
      const client = await t.client();
      const { tools } = await client.listTools();
      assert.ok(tools.some((tool: { name: string }) => tool.name === "mysql_query"));
      const result = resultOf(
        await client.callTool({
          name: "mysql_query",
          arguments: {
            datasource_key: "test",
            database: t.db.db,
            query: "SELECT name FROM customers ORDER BY id",
          },
        }),
      );
      assert.deepEqual(result.rows, [["Ann"], ["Bob"], ["Cy"]]);
      const health = await fetch(t.url.replace("/mcp", "/healthz"));
      assert.equal(health.status, 200);
      assert.equal((await health.json()).status, "ok");
      const metrics = await (await fetch(t.url.replace("/mcp", "/metrics"))).text();
      assert.match(metrics, /mysql_mcp_http_requests_total\{client="anonymous",status="200"\}/);
    } finally {
      assert.equal(await t.stop(), 0);
    }
  },
});

Deno.test({
  name:
    "no token or a wrong token is answered 401 with WWW-Authenticate: Bearer, and no token is logged",
  ...DB_TEST,
  async fn() {
    const logLines: string[] = [];
    const wrong = "wrong-token-abcdefghijklmnop";
    const t = await startHttpApp({ tokens: { full: { value: FULL } }, logLines });
    try {
      const none = await fetch(t.url, {
        method: "POST",
        headers: JSON_HEADERS,
        body: initialize(),
      });
      assert.equal(none.status, 401);
      assert.equal(none.headers.get("www-authenticate"), 'Bearer realm="mysql-mcp"');
      await none.body?.cancel();
      const bad = await fetch(t.url, {
        method: "POST",
        headers: { ...JSON_HEADERS, authorization: `Bearer ${wrong}` },
        body: initialize(),
      });
      assert.equal(bad.status, 401);
      assert.match(bad.headers.get("www-authenticate")!, /^Bearer .*error="invalid_token"/);
      assert.ok(!(await bad.text()).includes(wrong));
      await assert.rejects(t.client(wrong));
      const metricsDenied = await fetch(t.url.replace("/mcp", "/metrics"));
      assert.equal(metricsDenied.status, 401);
      await metricsDenied.body?.cancel();

      const client = await t.client(FULL);
      const failed = resultOf(
        await client.callTool({
          name: "mysql_query",
          arguments: {
            datasource_key: "test",
            database: t.db.db,
            query: `SELECT '${FULL}' FROM x`,
          },
        }),
      );
      assert.equal(failed.isError, true);
      const metrics = await (await fetch(t.url.replace("/mcp", "/metrics"), {
        headers: { authorization: `Bearer ${FULL}` },
      })).text();
      assert.match(
        metrics,
        /mysql_mcp_http_requests_total\{client="unauthenticated",status="401"\}/,
      );
      assert.match(metrics, /client="full"/);
      for (const text of [metrics, ...logLines]) {
        assert.ok(!text.includes(FULL) && !text.includes(wrong), `a token leaked: ${text}`);
      }
    } finally {
      await t.stop();
    }
  },
});

Deno.test({
  name:
    "a token's scope is enforced: another datasource, a write under read_only or an unlisted tool is refused and runs nothing",
  ...DB_TEST,
  async fn() {
    const logLines: string[] = [];
    const t = await startHttpApp({
      tokens: {
        full: { value: FULL },
        reader: { value: "reader-token-0123456789", scope: "read_only = true" },
        elsewhere: { value: "elsewhere-token-0123456789", scope: 'datasources = ["other"]' },
        lister: {
          value: "lister-token-0123456789",
          scope: 'tools = ["mysql_list_datasources", "mysql_lsit_tables"]',
        },
      },
      logLines,
    });
    assert.ok(
      logLines.some((line) =>
        line.includes('token \\"lister\\": tools names \\"mysql_lsit_tables\\", which is no tool')
      ),
      logLines.join("\n"),
    );
    const table = `${t.db.db}.http_scope_writes`;
    await t.db.server.admin(`CREATE TABLE ${table} (id INT PRIMARY KEY)`);
    const insert = (id: number) => ({
      name: "mysql_execute",
      arguments: {
        datasource_key: "test",
        database: t.db.db,
        statement: `INSERT INTO http_scope_writes VALUES (${id})`,
      },
    });
    try {
      const reader = await t.client("reader-token-0123456789");
      const readOnly = resultOf(await reader.callTool(insert(1)));
      assert.equal(readOnly.error_code, "PERMISSION_DENIED");
      assert.match(readOnly.message, /read-only/);
      const read = resultOf(
        await reader.callTool({
          name: "mysql_query",
          arguments: { datasource_key: "test", database: t.db.db, query: "SELECT 1 AS one" },
        }),
      );
      assert.deepEqual(read.rows, [[1]]);

      const elsewhere = await t.client("elsewhere-token-0123456789");
      for (
        const call of [insert(2), {
          name: "mysql_list_tables",
          arguments: { datasource_key: "test", database: t.db.db },
        }]
      ) {
        const refused = resultOf(await elsewhere.callTool(call));
        assert.equal(refused.error_code, "PERMISSION_DENIED");
        assert.match(refused.message, /Datasource "test" is outside this caller's scope/);
      }
      const listed = resultOf(
        await elsewhere.callTool({ name: "mysql_list_datasources", arguments: {} }),
      );
      assert.deepEqual(listed.datasources, []);

      const lister = await t.client("lister-token-0123456789");
      const { tools } = await lister.listTools();
      assert.deepEqual(tools.map((tool: { name: string }) => tool.name), [
        "mysql_list_datasources",
      ]);
      const unlisted = resultOf(await lister.callTool(insert(3)));
      assert.equal(unlisted.error_code, "PERMISSION_DENIED");
      assert.match(unlisted.message, /Tool "mysql_execute" is outside this caller's scope/);

      // Nothing of the refused writes reached the database; the full token's write did.
      const full = await t.client(FULL);
      assert.equal(resultOf(await full.callTool(insert(4))).affected_rows, 1);
      const rows = await t.db.server.admin(`SELECT id FROM ${table} ORDER BY id`);
      assert.deepEqual(rows.map((r: { id: number }) => r.id), [4]);
    } finally {
      await t.db.server.admin(`DROP TABLE ${table}`);
      await t.stop();
    }
  },
});

Deno.test({
  name: "a foreign Origin or Host is refused 403 (DNS rebinding)",
  ...DB_TEST,
  async fn() {
    const t = await startHttpApp();
    try {
      const foreign = await fetch(t.url, {
        method: "POST",
        headers: { ...JSON_HEADERS, origin: "https://evil.example" },
        body: initialize(),
      });
      assert.equal(foreign.status, 403);
      await foreign.body?.cancel();
      const port = new URL(t.url).port;
      // fetch() sends its own Host: a rebinding browser's request is written by hand.
      assert.equal(await statusOfRawPost(Number(port), `evil.example:${port}`), 403);
      assert.equal(await statusOfRawPost(Number(port), `127.0.0.1:${port}`), 200);
      const own = await fetch(t.url, {
        method: "POST",
        headers: { ...JSON_HEADERS, origin: `http://localhost:${port}` },
        body: initialize(),
      });
      assert.equal(own.status, 200);
      await own.body?.cancel();
    } finally {
      await t.stop();
    }
  },
});

Deno.test({
  name: "a request body over max_body_size is answered 413",
  ...DB_TEST,
  async fn() {
    const t = await startHttpApp({ http: 'max_body_size = "1KB"' });
    try {
      const big = await fetch(t.url, {
        method: "POST",
        headers: JSON_HEADERS,
        body: initialize().replace('"raw"', JSON.stringify("x".repeat(2000))),
      });
      assert.equal(big.status, 413);
      await big.body?.cancel();
    } finally {
      await t.stop();
    }
  },
});

Deno.test({
  name: "a client speaking protocol 2025-06-18 initializes and calls tools",
  ...DB_TEST,
  async fn() {
    const t = await startHttpApp();
    try {
      const init = await fetch(t.url, {
        method: "POST",
        headers: JSON_HEADERS,
        body: initialize("2025-06-18"),
      });
      assert.equal(init.status, 200);
      assert.equal((await init.json()).result.protocolVersion, "2025-06-18");
      const session = init.headers.get("mcp-session-id")!;
      const headers = {
        ...JSON_HEADERS,
        "mcp-session-id": session,
        "mcp-protocol-version": "2025-06-18",
      };
      const initialized = await fetch(t.url, {
        method: "POST",
        headers,
        body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
      });
      assert.equal(initialized.status, 202);
      await initialized.body?.cancel();
      const call = await fetch(t.url, {
        method: "POST",
        headers,
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 2,
          method: "tools/call",
          params: { name: "mysql_list_datasources", arguments: {} },
        }),
      });
      const answer = await call.json();
      assert.equal(answer.result.structuredContent.datasources[0].key, "test");
    } finally {
      await t.stop();
    }
  },
});

Deno.test({
  name: "shutdown answers every request in flight, then refuses new ones",
  ...DB_TEST,
  async fn() {
    const t = await startHttpApp();
    const client = await t.client();
    const calls = Array.from({ length: 4 }, (_, i) =>
      client.callTool({
        name: "mysql_query",
        arguments: {
          datasource_key: "test",
          database: t.db.db,
          query: `SELECT SLEEP(0.5) AS slept, ${i} AS i`,
        },
      }));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const stopped = t.stop();
    const results = (await Promise.all(calls)).map(resultOf);
    assert.deepEqual(results.map((r: any) => r.rows), [[[0, 0]], [[0, 1]], [[0, 2]], [[0, 3]]]);
    assert.equal(await stopped, 0);
    await assert.rejects(
      fetch(t.url, { method: "POST", headers: JSON_HEADERS, body: initialize() }),
    );
  },
});
