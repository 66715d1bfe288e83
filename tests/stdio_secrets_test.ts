/**
 * The secret scrubber as the last line of defence, through the real stdio
 * server (`deno task start`'s launcher, derived minimal permissions): a
 * plugin that leaks a datasource password every way it can, a log line, and
 * the metrics listener.
 */
import assert from "assert";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/index.d.ts"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/stdio.d.ts"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/types.d.ts"
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { DB_TEST, testConfigToml } from "./support/test_app.ts";
import { testDatabase } from "./support/test_database.ts";

const R = "[REDACTED]";
const FIXTURES = new URL("./plugins/fixtures", import.meta.url).pathname;
/** Everything JSON and URLs would make of it: quote, backslash, tab, non-ASCII. */
const VAULT_PASSWORD = `v"ault\\pw\té€-${crypto.randomUUID()}`;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Every way `secret` could show up in output, so a leak in any form is caught. */
function leakedForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return [secret, json, JSON.stringify(json).slice(1, -1), encodeURIComponent(secret)];
}

async function startLeakyServer() {
  const db = await testDatabase();
  const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-secrets-" });
  const path = `${dir}/datasources.toml`;
  const unreachable = (key: string, password: string) =>
    `\n[[datasources]]\nkey = "${key}"\nhost = "127.0.0.1"\nport = 1\nusername = "u"\n${password}\n`;
  const toml = testConfigToml(db, { server: { plugins_dir: JSON.stringify(FIXTURES) } })
    .replace(/^password = .*$/m, 'password_env = "MCP_TEST_PASSWORD"') +
    unreachable("vault", 'password_env = "MCP_VAULT_PASSWORD"') +
    unreachable("short", 'password = "zQ!"') +
    // A misconfigured key that holds a password shows in metrics labels and /healthz.
    unreachable(`k-${db.password}`, 'password_env = "MCP_VAULT_PASSWORD"');
  await Deno.writeTextFile(path, toml);
  const metricsPort = freePort();
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: [
      "run",
      "-A",
      new URL("../scripts/start.ts", import.meta.url).pathname,
      "--config",
      path,
      "--metrics-port",
      String(metricsPort),
    ],
    env: {
      MCP_TEST_PASSWORD: db.password,
      MCP_VAULT_PASSWORD: VAULT_PASSWORD,
      MYSQL_MCP_LOG_LEVEL: "info",
      PATH: Deno.env.get("PATH") ?? "",
    },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Uint8Array) => (stderr += new TextDecoder().decode(chunk)));
  const client = new Client({ name: "secrets-test", version: "1.0.0" });
  const clientErrors: unknown[] = [];
  client.onerror = (error: unknown) => void clientErrors.push(error);
  const notifications: unknown[] = [];
  client.setNotificationHandler(
    LoggingMessageNotificationSchema,
    (n: { params: unknown }) => void notifications.push(n.params),
  );
  await client.connect(transport);
  await client.setLoggingLevel("info");
  return {
    db,
    client,
    metricsPort,
    clientErrors,
    notifications,
    stderr: () => stderr,
    async close() {
      await client.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

type Server = Awaited<ReturnType<typeof startLeakyServer>>;

/** The plugin cannot read `variable` (no permissions in its worker): it leaks `found`. */
async function leak(t: Server, variable: string, found: string, how: string) {
  return await t.client.callTool({ name: "leaks_secret", arguments: { variable, found, how } });
}

const text = (result: any) => (result.content as { text: string }[])[0].text;

Deno.test({
  name:
    "a plugin's result, ToolError, plain error, log line and console output never show a password, only [REDACTED]",
  ...DB_TEST,
  async fn() {
    const t = await startLeakyServer();
    const passwords = [t.db.password, VAULT_PASSWORD];
    const everything: unknown[] = [];
    try {
      for (
        const [variable, password] of [
          ["MCP_TEST_PASSWORD", t.db.password],
          ["MCP_VAULT_PASSWORD", VAULT_PASSWORD],
        ]
      ) {
        const returned = await leak(t, variable, password, "return");
        everything.push(returned);
        assert.equal(returned.isError, undefined, text(returned));
        assert.deepEqual(JSON.parse(text(returned)), {
          value: R,
          url: `mysql://app:${R}@db:3306/shop`,
        });

        const thrown = await leak(t, variable, password, "throw");
        everything.push(thrown);
        assert.equal(thrown.isError, true);
        assert.deepEqual(JSON.parse(text(thrown)), {
          error_code: "QUERY_EXECUTION_ERROR",
          message: `cannot use ${R}`,
        });

        const plain = await leak(t, variable, password, "throw_plain");
        everything.push(plain);
        assert.equal(JSON.parse(text(plain)).error_code, "INTERNAL_ERROR");

        const logged = await leak(t, variable, password, "log");
        everything.push(logged);
        assert.equal(logged.isError, undefined);

        const printed = await leak(t, variable, password, "console");
        everything.push(printed);
        assert.equal(printed.isError, undefined);

        const written = await leak(t, variable, password, "stderr");
        everything.push(written);
        assert.equal(written.isError, undefined);
        assert.ok(password.length > 0);
      }
      // console.log did not reach stdout: the client saw nothing it could not parse.
      assert.deepEqual(t.clientErrors, []);
      // The MCP log notification of the plugin's log line is scrubbed too.
      await new Promise((r) => setTimeout(r, 200));
      const leaking = t.notifications.filter((n: any) => n.data?.msg === "leaking");
      assert.equal(leaking.length, 2, JSON.stringify(t.notifications).slice(0, 500));
      for (const n of leaking as any[]) assert.equal(n.data.value, R);
      everything.push(t.notifications);
    } finally {
      await t.close();
    }

    const stderr = t.stderr();
    const records = stderr.split("\n").filter((l) => l.trim().startsWith("{"))
      .map((l) => JSON.parse(l));
    const logLines = records.filter((r) => r.msg === "leaking");
    assert.equal(logLines.length, 2, stderr.slice(0, 2000));
    for (const r of logLines) assert.equal(r.value, R);
    const consoleLines = records.filter((r) => r.source === "console");
    assert.deepEqual(consoleLines.map((r) => r.msg), [
      `leak ${R}`,
      `leak ${R}`,
      `leak ${R}`,
      `leak ${R}`,
    ]);
    // The plain error of the vault password is JSON inside JSON on stderr: caught there too.
    // The plugin's own stderr lines reach stderr as records of that plugin, scrubbed.
    const rawLines = records.filter((r) => r.msg === "plugin stderr");
    assert.deepEqual(rawLines.map((r) => r.text), [`raw leak ${R}\n`, `raw leak ${R}\n`]);
    assert.ok(rawLines.every((r) => r.plugin === "leaker.ts"), JSON.stringify(rawLines));
    const failed = records.filter((r) => r.msg === "tool failed");
    assert.equal(failed.length, 2);
    assert.ok(failed.some((r) => String(r.error).includes(R)), JSON.stringify(failed));

    const output = JSON.stringify(everything) + stderr;
    for (const password of passwords) {
      for (const form of leakedForms(password)) {
        assert.ok(!output.includes(form), `leaked: ${JSON.stringify(form)}`);
      }
    }
  },
});

Deno.test({
  name:
    "a password too short to scrub is named by datasource key in one startup warning; /metrics and /healthz are scrubbed",
  ...DB_TEST,
  async fn() {
    const t = await startLeakyServer();
    let metrics = "";
    let health = "";
    try {
      const list = await t.client.callTool({ name: "mysql_list_datasources", arguments: {} });
      const keys = (list.structuredContent as any).datasources.map((d: any) => d.key);
      assert.deepEqual(keys, ["test", "vault", "short", `k-${R}`]);
      for (let attempt = 0; attempt < 50 && !metrics; attempt++) {
        try {
          metrics = await (await fetch(`http://127.0.0.1:${t.metricsPort}/metrics`)).text();
          health = await (await fetch(`http://127.0.0.1:${t.metricsPort}/healthz`)).text();
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } finally {
      await t.close();
    }
    assert.match(metrics, /mysql_mcp_datasource_up\{datasource="k-\[REDACTED\]"\} [01]\n/);
    assert.match(metrics, /\{pool="k-\[REDACTED\]",state="idle"\}/);
    assert.ok(JSON.parse(health).datasources.some((d: any) => d.key === `k-${R}`), health);
    assert.ok(!metrics.includes(t.db.password) && !health.includes(t.db.password));

    // Deno itself reports the broken fixture's syntax error on stderr as plain text.
    const records = t.stderr().split("\n").filter((l) => l.trim().startsWith("{"))
      .map((l) => JSON.parse(l));
    const warnings = records.filter((r) => /not scrubbed/.test(r.msg));
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.equal(warnings[0].datasource, "short");
    assert.match(warnings[0].msg, /datasource "short".*shorter than 4 characters/);
    assert.ok(!t.stderr().includes("zQ!"));
  },
});
