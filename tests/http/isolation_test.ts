/**
 * Isolation between HTTP clients: a stream or a session belongs to the client that opened it.
 */
import assert from "assert";
import { DB_TEST } from "../support/test_app.ts";
import { resultOf, startHttpApp } from "./_http_app.ts";

const ALICE = "alice-token-0123456789abcdef";
const BOB = "bob-token-0123456789abcdefgh";

function streamCall(name: string, stream_id: string) {
  return { name, arguments: { stream_id } };
}

for (const mode of ["tokens", "anonymous"] as const) {
  Deno.test({
    name: `a stream opened by one client cannot be read or cancelled by another (${mode})`,
    ...DB_TEST,
    async fn() {
      const t = await startHttpApp({
        server: { stream_chunk_size: "1" },
        tokens: mode === "tokens" ? { alice: { value: ALICE }, bob: { value: BOB } } : undefined,
      });
      try {
        const alice = await t.client(mode === "tokens" ? ALICE : undefined);
        const bob = await t.client(mode === "tokens" ? BOB : undefined);
        const first = resultOf(
          await alice.callTool({
            name: "mysql_query",
            arguments: {
              datasource_key: "test",
              database: t.db.db,
              query: "SELECT name FROM customers ORDER BY id",
              stream: true,
            },
          }),
        );
        assert.deepEqual(first.rows, [["Ann"]]);
        assert.equal(first.has_more, true);
        const id = first.stream_id;

        for (const tool of ["mysql_stream_next", "mysql_stream_cancel"]) {
          const refused = resultOf(await bob.callTool(streamCall(tool, id)));
          assert.equal(refused.error_code, "STREAM_NOT_FOUND", tool);
          assert.match(refused.message, /No open stream/);
        }
        // Still Alice's, untouched by Bob's attempts.
        const next = resultOf(await alice.callTool(streamCall("mysql_stream_next", id)));
        assert.deepEqual(next.rows, [["Bob"]]);
        const cancelled = resultOf(await alice.callTool(streamCall("mysql_stream_cancel", id)));
        assert.deepEqual(cancelled, { cancelled: true });
        // Once closed, Bob learns nothing of why: the id is simply unknown to him.
        const after = resultOf(await bob.callTool(streamCall("mysql_stream_next", id)));
        assert.equal(after.error_code, "STREAM_NOT_FOUND");
        const own = resultOf(await alice.callTool(streamCall("mysql_stream_next", id)));
        assert.equal(own.error_code, "STREAM_CANCELLED");
      } finally {
        await t.stop();
      }
    },
  });
}

Deno.test({
  name: "a session id used with another client's token is answered 404, as an unknown one",
  ...DB_TEST,
  async fn() {
    const t = await startHttpApp({ tokens: { alice: { value: ALICE }, bob: { value: BOB } } });
    const headers = (token: string) => ({
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      authorization: `Bearer ${token}`,
    });
    try {
      const init = await fetch(t.url, {
        method: "POST",
        headers: headers(ALICE),
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: {
            protocolVersion: "2025-11-25",
            capabilities: {},
            clientInfo: { name: "alice", version: "1" },
          },
        }),
      });
      assert.equal(init.status, 200);
      await init.body?.cancel();
      const session = init.headers.get("mcp-session-id")!;
      const list = (token: string) =>
        fetch(t.url, {
          method: "POST",
          headers: {
            ...headers(token),
            "mcp-session-id": session,
            "mcp-protocol-version": "2025-11-25",
          },
          body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
        });
      const hijack = await list(BOB);
      assert.equal(hijack.status, 404);
      await hijack.body?.cancel();
      const own = await list(ALICE);
      assert.equal(own.status, 200);
      assert.ok((await own.json()).result.tools.length > 0);
    } finally {
      await t.stop();
    }
  },
});
