/**
 * The HTTP transport's bounds: requests in flight, open sessions, idle sessions, and what an
 * unauthenticated health probe may learn.
 */
import assert from "assert";
import { DB_TEST } from "../support/test_app.ts";
import { resultOf, startHttpApp } from "./_http_app.ts";
import { initializeBody, JSON_HEADERS } from "./_http_app.ts";

const INITIALIZE = initializeBody("l");

async function post(url: string, headers: Record<string, string> = {}): Promise<Response> {
  const response = await fetch(url, {
    method: "POST",
    headers: { ...JSON_HEADERS, ...headers },
    body: INITIALIZE,
  });
  await response.body?.cancel();
  return response;
}

Deno.test({
  name: "a request beyond max_concurrent_requests is answered 503 with Retry-After",
  ...DB_TEST,
  async fn() {
    const t = await startHttpApp({ http: "max_concurrent_requests = 1" });
    try {
      const client = await t.client();
      const slow = client.callTool({
        name: "mysql_query",
        arguments: { datasource_key: "test", database: t.db.db, query: "SELECT SLEEP(0.5) AS s" },
      });
      await new Promise((resolve) => setTimeout(resolve, 150));
      const refused = await post(t.url);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get("retry-after"), "1");
      assert.deepEqual(resultOf(await slow).rows, [[0]]);
      assert.equal((await post(t.url)).status, 200);
    } finally {
      await t.stop();
    }
  },
});

Deno.test({
  name: "a session beyond max_sessions is refused 503, and an idle session is closed",
  ...DB_TEST,
  async fn() {
    const t = await startHttpApp({ http: 'max_sessions = 1\nsession_idle_timeout = "300ms"' });
    try {
      const first = await post(t.url);
      assert.equal(first.status, 200);
      const session = first.headers.get("mcp-session-id")!;
      assert.equal((await post(t.url)).status, 503);
      await new Promise((resolve) => setTimeout(resolve, 800));
      // Expired: its id is unknown now, and its place is free.
      const expired = await post(t.url, {
        "mcp-session-id": session,
        "mcp-protocol-version": "2025-11-25",
      });
      assert.equal(expired.status, 404);
      assert.equal((await post(t.url)).status, 200);
    } finally {
      await t.stop();
    }
  },
});

Deno.test({
  name: "/healthz tells a probe without a token only the status; /metrics counts calls per client",
  ...DB_TEST,
  async fn() {
    const token = "health-token-0123456789abcdef";
    const t = await startHttpApp({ tokens: { probe: { value: token } } });
    const healthz = t.url.replace("/mcp", "/healthz");
    try {
      const client = await t.client(token);
      await client.callTool({ name: "mysql_list_datasources", arguments: {} });
      const anonymous = await fetch(healthz);
      assert.equal(anonymous.status, 200);
      assert.deepEqual(await anonymous.json(), { status: "ok" });
      const authorized = await fetch(healthz, { headers: { authorization: `Bearer ${token}` } });
      assert.deepEqual((await authorized.json()).datasources, [{
        key: "test",
        status: "available",
      }]);
      const metrics = await (await fetch(t.url.replace("/mcp", "/metrics"), {
        headers: { authorization: `Bearer ${token}` },
      })).text();
      assert.match(metrics, /mysql_mcp_client_tool_calls_total\{client="probe",outcome="ok"\} 1/);
      assert.match(metrics, /mysql_mcp_http_sessions 1/);
    } finally {
      await t.stop();
    }
  },
});
