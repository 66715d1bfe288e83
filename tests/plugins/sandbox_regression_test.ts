/**
 * The red team's breaks of the plugin sandbox (tests/plugins/sandbox/*), each
 * turned around: what once read a secret, left a call waiting for good, broke
 * tools/list or ran without end is now refused, answered or stopped.
 */
import assert from "assert";
import { Logger } from "../../src/log/logger.ts";
import { loadPlugins } from "../../src/tools/load_plugins.ts";
import { DB_TEST, startTestApp, testConfigToml } from "../support/test_app.ts";
import { testDatabase } from "../support/test_database.ts";

const HERE = new URL("./sandbox/", import.meta.url).pathname;
const limits = { timeLimitMs: 3_000, hookTimeLimitMs: 1_000, memoryLimitMb: 64 };

function recorder() {
  const records: Record<string, unknown>[] = [];
  return { records, log: new Logger({ level: "info", sinks: [(r) => void records.push(r)] }) };
}

/** Resolves to how long `p` took to settle, however it settled. */
async function settleTime(p: Promise<unknown>): Promise<number> {
  const started = performance.now();
  await p.then(() => {}, () => {});
  return performance.now() - started;
}

Deno.test({
  name: "a plugin cannot import the config file (or any file outside its folder) as text",
  ...DB_TEST,
  async fn() {
    const db = await testDatabase();
    const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-sandbox-" });
    try {
      await Deno.writeTextFile(`${dir}/datasources.toml`, testConfigToml(db));
      await Deno.mkdir(`${dir}/plugins`);
      await Deno.copyFile(`${HERE}steal/steal.ts`, `${dir}/plugins/steal.ts`);
      const { records, log } = recorder();
      const plugins = await loadPlugins(`${dir}/plugins`, log, limits);
      assert.equal(plugins.length, 0, "the stealing plugin is not loaded");
      const skipped = records.find((r) => r.msg === "plugin skipped");
      assert.match(String(skipped?.reason), /read access/, JSON.stringify(records));
      assert.ok(!JSON.stringify(records).includes(db.password));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a forged frame answers at most its own call: calls, hooks and streams all settle",
  ...DB_TEST,
  async fn(t) {
    const { log } = recorder();
    const plugins = await loadPlugins(`${HERE}hang`, log, limits);
    const app = await startTestApp({ plugins, log });
    const target = { datasource_key: "test", database: app.db.db };
    try {
      await t.step("tool calls", async () => {
        for (const tool of ["hang_forever", "hang_forever_text"]) {
          const error = await app.fail(tool);
          assert.equal(error.error_code, "INTERNAL_ERROR", JSON.stringify(error));
        }
      });
      await t.step("another agent's statement through the hooks", async () => {
        const took = await settleTime(
          app.raw("mysql_query", { ...target, query: "SELECT 'hang_before' AS x" }),
        );
        assert.ok(took < 3_000, `settled in ${took} ms`);
      });
      await t.step("streams stopped in afterQuery free their slots", async () => {
        for (let i = 0; i < 4; i++) {
          const took = await settleTime(app.raw("mysql_query", {
            ...target,
            query: `SELECT n, 'hang_after' AS x, ${i} AS i FROM numbers`,
            stream: true,
          }));
          assert.ok(took < 5_000, `settled in ${took} ms`);
        }
        const stream = await app.call("mysql_query", {
          ...target,
          query: "SELECT 1 AS one",
          stream: true,
        });
        assert.deepEqual(stream.rows, [[1]]);
      });
    } finally {
      await app.close();
    }
  },
});

Deno.test({
  name: "a tool whose schema or annotations would break tools/list is skipped, the rest listed",
  ...DB_TEST,
  async fn() {
    const { records, log } = recorder();
    const plugins = [
      ...await loadPlugins(`${HERE}schema`, log, limits),
      ...await loadPlugins(`${HERE}bigdesc`, log, limits),
    ];
    const app = await startTestApp({ plugins, log }); // lists tools with the SDK's client
    try {
      const skipped = records.filter((r) => r.msg === "plugin tool skipped");
      assert.equal(skipped[0]?.file, "bad_schema.ts", JSON.stringify(records));
      // An 11 MB description does not even fit the plugin's message limit: not loaded.
      const notLoaded = records.find((r) => r.msg === "plugin skipped");
      assert.equal(notLoaded?.file, "bigdesc.ts", JSON.stringify(records));
      assert.equal((await app.call("mysql_list_datasources")).datasources.length, 1);
    } finally {
      await app.close();
    }
  },
});

Deno.test({
  name: "what a plugin sends is bounded: an 11 MB result, log field or refusal cannot reach stdout",
  ...DB_TEST,
  async fn() {
    const { records, log } = recorder();
    const plugins = [
      ...await loadPlugins(`${HERE}big`, log, limits),
      ...await loadPlugins(`${HERE}bigrefusal`, log, limits),
    ];
    const app = await startTestApp({ plugins, log });
    const target = { datasource_key: "test", database: app.db.db };
    try {
      for (const tool of ["big_result", "big_log"]) {
        const error = await app.fail(tool);
        assert.equal(error.error_code, "INTERNAL_ERROR", JSON.stringify(error).slice(0, 300));
      }
      const refused = await app.fail("mysql_query", { ...target, query: "SELECT 'refuse_me'" });
      assert.ok(JSON.stringify(refused).length < 5_000, "the refusal is clipped");
      assert.ok(JSON.stringify(records).length < 1_000_000, "no record carries megabytes");
      assert.deepEqual(await app.call("big_log").catch(() => ({ ok: false })), { ok: false });
      assert.deepEqual(
        (await app.call("mysql_query", { ...target, query: "SELECT 1 AS one" })).rows,
        [[1]],
      );
    } finally {
      await app.close();
    }
  },
});

Deno.test({
  name: "a plugin's log fields cannot claim another plugin, level or request; stderr is attributed",
  ...DB_TEST,
  async fn() {
    const { records, log } = recorder();
    const plugins = await loadPlugins(`${HERE}forge`, log, limits);
    const app = await startTestApp({ plugins, log });
    try {
      await app.call("forge");
      await new Promise((r) => setTimeout(r, 700)); // the forge's stderr line comes from a timer
      const harmless = records.find((r) => r.msg === "harmless");
      assert.ok(harmless, JSON.stringify(records));
      assert.equal(harmless.tool, "forge", JSON.stringify(harmless));
      assert.notEqual(harmless.plugin, "greeter.ts");
      assert.equal(harmless.request_id === "not-mine", false);
      assert.equal(harmless.level, "info");
      assert.equal(harmless.plugin_plugin, "greeter.ts");
      assert.ok(!records.some((r) => String(r.msg).startsWith("FORGED")), "no forged record");
      const stderr = records.find((r) => r.msg === "plugin stderr");
      assert.equal(stderr?.plugin, "forge.ts");
    } finally {
      await app.close();
    }
  },
});

Deno.test({
  name: "one plugin call runs at most 8 statements at once; other agents keep their share",
  ...DB_TEST,
  async fn() {
    const { log } = recorder();
    const plugins = await loadPlugins(`${HERE}flood`, log, { ...limits, timeLimitMs: 20_000 });
    const app = await startTestApp({ plugins, log });
    const target = { datasource_key: "test", database: app.db.db };
    try {
      const flood = app.call("flood", { ...target, n: 50, sql: "SELECT SLEEP(0.3) AS s" });
      await new Promise((r) => setTimeout(r, 200));
      const victim = await app.call("mysql_query", { ...target, query: "SELECT 1 AS one" });
      assert.deepEqual(victim.rows, [[1]]);
      const outcome = await flood;
      assert.ok((outcome.POOL_EXHAUSTED ?? 0) >= 40, JSON.stringify(outcome));
    } finally {
      await app.close();
    }
  },
});

Deno.test({
  name: "plugins get no persistent storage to share",
  ...DB_TEST,
  async fn() {
    const { log } = recorder();
    const plugins = [
      ...await loadPlugins(`${HERE}storage_a`, log, limits),
      ...await loadPlugins(`${HERE}storage_b`, log, limits),
    ];
    const app = await startTestApp({ plugins, log });
    try {
      const error = await app.fail("victim_remember", { value: "token" });
      assert.equal(error.error_code, "INTERNAL_ERROR");
      assert.equal((await app.fail("snoop")).error_code, "INTERNAL_ERROR");
    } finally {
      await app.close();
    }
  },
});

Deno.test({
  name: "a plugin busy outside any call is stopped; one that keeps dying is restarted less often",
  ...DB_TEST,
  async fn() {
    const { records, log } = recorder();
    const plugins = [
      ...await loadPlugins(`${HERE}spin`, log, limits),
      ...await loadPlugins(`${HERE}churn`, log, limits),
    ];
    try {
      await new Promise((r) => setTimeout(r, 13_000));
      const stopped = records.filter((r) => /stopped answering/.test(String(r.reason)));
      assert.ok(stopped.length >= 1, JSON.stringify(records.slice(-5)));
      const restarts = records.filter((r) =>
        r.msg === "plugin process restarted" && r.plugin === "churn.ts"
      );
      assert.ok(restarts.length <= 8, `${restarts.length} restarts of churn.ts in 13 s`);
      assert.ok(records.some((r) => r.msg === "plugin keeps failing; next start delayed"));
    } finally {
      for (const plugin of plugins) plugin.close?.();
    }
  },
});

Deno.test("a plugins folder that also holds the config file loads no plugin", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-sandbox-" });
  try {
    await Deno.copyFile(`${HERE}steal/steal.ts`, `${dir}/steal.ts`);
    const { records, log } = recorder();
    const plugins = await loadPlugins(dir, log, {
      ...limits,
      secretFiles: [`${dir}/datasources.toml`],
    });
    assert.equal(plugins.length, 0);
    assert.match(String(records[0]?.msg), /plugins not loaded: the plugins folder also holds/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
