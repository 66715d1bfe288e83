/**
 * A plugin that tries everything it must not do runs in a process of its own
 * with no permissions: each attempt is denied or contained, and the next call to it,
 * to another plugin and to a built-in works.
 */
import assert from "assert";
import { Logger } from "../../src/log/logger.ts";
import { loadPlugins } from "../../src/tools/load_plugins.ts";
import { DB_TEST, startTestApp } from "../support/test_app.ts";

const HOSTILE = new URL("./hostile", import.meta.url).pathname;
const FIXTURES = new URL("./fixtures", import.meta.url).pathname;
const SECRET = `hostile-secret-${crypto.randomUUID()}`;

Deno.test({
  name:
    "a hostile plugin is denied env, files, network, subprocesses and FFI, and contained when it exits, hangs or loops",
  ...DB_TEST,
  async fn(t) {
    const records: Record<string, unknown>[] = [];
    const log = new Logger({ level: "info", sinks: [(r) => void records.push(r)] });
    const limits = { timeLimitMs: 3_000, hookTimeLimitMs: 1_000, memoryLimitMb: 64 };
    const plugins = [
      ...await loadPlugins(HOSTILE, log, limits),
      ...await loadPlugins(FIXTURES, log, limits),
    ];
    const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-hostile-" });
    const configPath = `${dir}/datasources.toml`;
    await Deno.writeTextFile(configPath, `password = "${SECRET}"\n`);
    Deno.env.set("MCP_HOSTILE_SECRET", SECRET);
    const app = await startTestApp({ plugins, log });
    const target = { datasource_key: "test", database: app.db.db };
    const attempt = (attempt: string, extra: Record<string, unknown> = {}) =>
      app.fail("hostile", { attempt, ...extra });
    const stillServing = async () => {
      assert.deepEqual(await app.call("hostile", { attempt: "echo", target: "hi" }), {
        value: "hi",
      });
      const greeting = JSON.parse(
        (await app.raw("greeter", { ...target, who: "Ann" })).content[0].text,
      );
      assert.equal(greeting.greeting, "hello Ann");
      assert.equal((await app.call("mysql_list_datasources")).datasources.length, 1);
    };
    try {
      const denied: [string, Record<string, unknown>][] = [
        ["env_variable", { target: "MCP_HOSTILE_SECRET" }],
        ["env_variable", { target: "HOME" }],
        ["env_all", {}],
        ["read_file", { target: configPath }],
        ["read_file", { target: "/etc/passwd" }],
        ["dynamic_import", { target: "file:///etc/hostname" }],
        ["fetch", { target: "http://127.0.0.2:8080/" }],
        ["connect", { target: app.db.server.host, number: app.db.server.port }],
        ["command", {}],
        ["ffi", {}],
      ];
      for (const [what, extra] of denied) {
        await t.step(`${what} ${JSON.stringify(extra)} is denied`, async () => {
          const error = await attempt(what, extra);
          assert.equal(error.error_code, "PERMISSION_DENIED", JSON.stringify(error));
          assert.match(error.message, /plugins run without permissions/);
          assert.ok(!JSON.stringify(error).includes(SECRET));
          await stillServing();
        });
      }

      await t.step(
        "Deno.exit, process.exit, stdin and a huge allocation are plain tool errors",
        async () => {
          for (const what of ["exit", "node_exit", "stdin", "huge_allocation"]) {
            const error = await attempt(what);
            assert.equal(error.error_code, "INTERNAL_ERROR", `${what}: ${JSON.stringify(error)}`);
            await stillServing();
          }
        },
      );

      await t.step("shared prototypes cannot be changed, here or in the plugin", async () => {
        const error = await attempt("prototypes");
        assert.equal(error.error_code, "INTERNAL_ERROR", JSON.stringify(error));
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
        assert.equal("abc".includes("x"), false);
        await stillServing();
      });

      for (const what of ["never_returns", "endless_loop"]) {
        await t.step(`${what}: stopped at the time limit; others serve meanwhile`, async () => {
          const hung = attempt(what);
          // While the hostile worker is stuck, another plugin and a built-in answer.
          await stillServingElsewhere(app, target);
          const error = await hung;
          assert.equal(error.error_code, "QUERY_TIMEOUT", JSON.stringify(error));
          assert.match(error.message, /did not finish within 3000 ms/);
          await stillServing();
        });
      }

      // Each of these ends the plugin's own process at most: the call gets a clear error,
      // a fresh process serves the next call, and the server never noticed.
      const contained: [string, RegExp][] = [
        ["allocate_forever", /ran out of memory \(its limit is 64 MB\)/],
        ["kill_self", /stopped with signal SIGKILL/],
        ["node_kill_self", /stopped with signal SIGKILL/],
        ["v8_flags", /ran out of memory|exited|stopped with signal|did not finish/],
        ["nested_worker", /ran out of memory|exited|stopped with signal|did not finish/],
        ["stdout_garbage", /stopped with signal SIGKILL|did not finish/],
      ];
      for (const [what, reason] of contained) {
        await t.step(`${what}: only the plugin's own process ends`, async () => {
          const error = await attempt(what);
          assert.match(error.error_code, /INTERNAL_ERROR|QUERY_TIMEOUT/, JSON.stringify(error));
          assert.match(error.message, reason, JSON.stringify(error));
          assert.ok(!/\/(tmp|work|root|home)\//.test(error.message), error.message);
          await stillServing();
        });
      }

      await t.step("a hook that blocks its process refuses that statement only", async () => {
        const error = await app.fail("mysql_query", {
          ...target,
          query: "SELECT 'hang_in_hook' AS x",
        });
        assert.equal(error.error_code, "QUERY_TIMEOUT", JSON.stringify(error));
        const next = await app.call("mysql_query", { ...target, query: "SELECT 1 AS one" });
        assert.deepEqual(next.rows, [[1]]);
        await stillServing();
      });
    } finally {
      Deno.env.delete("MCP_HOSTILE_SECRET");
      await app.close();
      await Deno.remove(dir, { recursive: true });
    }
    assert.ok(!JSON.stringify(records).includes(SECRET));
  },
});

async function stillServingElsewhere(
  app: Awaited<ReturnType<typeof startTestApp>>,
  target: Record<string, unknown>,
) {
  const greeting = JSON.parse(
    (await app.raw("greeter", { ...target, who: "Bo" })).content[0].text,
  );
  assert.equal(greeting.greeting, "hello Bo");
  assert.equal((await app.call("mysql_list_datasources")).datasources.length, 1);
}
