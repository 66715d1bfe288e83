/**
 * A database that disappears mid-query: the call fails promptly with a clear
 * error, the server keeps serving, and it recovers by itself when the
 * database is back. Uses its own MariaDB, since it stops it.
 */
import assert from "assert";
import { startOwnServerApp } from "../support/own_server_app.ts";

Deno.test({
  name: "a database that goes away mid-query fails that call promptly, and the server recovers",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const own = await startOwnServerApp({
      seed: "CREATE TABLE shop.t (id INT PRIMARY KEY); INSERT INTO shop.t VALUES (1);",
      server: 'query_timeout = "20s"',
      pool: 'connect_timeout = "1s"\nhealth_check_interval = "200ms"',
    });
    const { server, client, password } = own;
    const query = (sql: string) =>
      client.callTool({
        name: "mysql_query",
        arguments: { datasource_key: "db", database: "shop", query: sql },
      });
    try {
      assert.equal((await query("SELECT id FROM t")).isError, undefined);
      const started = performance.now();
      const running = query("SELECT SLEEP(15)");
      await new Promise((r) => setTimeout(r, 300));
      await server.halt();
      const failed = await running;
      const elapsed = performance.now() - started;
      assert.equal(failed.isError, true);
      const error = JSON.parse((failed.content as { text: string }[])[0].text);
      assert.ok(
        ["CONNECTION_FAILED", "QUERY_EXECUTION_ERROR"].includes(error.error_code),
        JSON.stringify(error),
      );
      assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
      assert.ok(!JSON.stringify(error).includes(password));

      // While it is down: clear errors, no hang.
      const down = await query("SELECT id FROM t");
      assert.equal(down.isError, true);
      const listed = await client.callTool({ name: "mysql_list_datasources", arguments: {} });
      assert.equal((listed.structuredContent as any).datasources[0].status, "unavailable");

      await server.resume();
      let back = false;
      for (let i = 0; i < 40 && !back; i++) {
        await new Promise((r) => setTimeout(r, 250));
        back = (await query("SELECT id FROM t")).isError === undefined;
      }
      assert.ok(back, "the source did not come back");
      const again = await client.callTool({ name: "mysql_list_datasources", arguments: {} });
      assert.equal((again.structuredContent as any).datasources[0].status, "available");
    } finally {
      await own.close();
    }
  },
});
