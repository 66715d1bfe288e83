/**
 * Data sources behind an SSH bastion: a real OpenSSH server started by this file, the
 * run's MariaDB behind it, and the whole server driven through its MCP tools.
 */
import assert from "assert";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/index.d.ts"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/stdio.d.ts"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/inMemory.d.ts"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { type App, createApp } from "../../src/app.ts";
import { runCheck } from "../../src/cli/run_check.ts";
import { parseConfig } from "../../src/config/parse_config.ts";
import { Logger } from "../../src/log/logger.ts";
import { SecretScrubber } from "../../src/log/secret_scrubber.ts";
import { loadSshKeys } from "../../src/tunnel/load_ssh_keys.ts";
import { main } from "../../main.ts";
import { DB_TEST } from "../support/test_app.ts";
import { testDatabase } from "../support/test_database.ts";
import { startSshd } from "../support/throwaway_sshd.ts";

const db = await testDatabase();
const sshd = await startSshd();
globalThis.addEventListener("unload", () => void sshd.stop());

const PASSPHRASE_ENV = "MCP_TEST_SSH_PASSPHRASE";

interface SshOptions {
  privateKey?: string;
  knownHosts?: string;
  passphraseEnv?: string;
  port?: number;
  /** The database port as the bastion reaches it. */
  databasePort?: number;
  queryTimeout?: string;
}

function configToml(ssh: SshOptions = {}, pool = ""): string {
  return `[server]
query_timeout = "${ssh.queryTimeout ?? "5s"}"

[[datasources]]
key = "behind"
host = "${db.server.host}"
port = ${ssh.databasePort ?? db.server.port}
username = "${db.user}"
password = "${db.password}"
databases = ["${db.db}"]
  [datasources.pool]
  max_connections = 4
  acquire_timeout = "5s"
  connect_timeout = "3s"
  ${pool}
  [datasources.ssh]
  host = "127.0.0.1"
  port = ${ssh.port ?? sshd.port}
  user = "${sshd.user}"
  private_key = "${ssh.privateKey ?? sshd.userKey}"
  known_hosts = "${ssh.knownHosts ?? sshd.knownHosts}"
  keepalive_interval = "1s"
  ${ssh.passphraseEnv ? `passphrase_env = "${ssh.passphraseEnv}"` : ""}
`;
}

async function configFor(ssh: SshOptions = {}, pool = "") {
  const env = (name: string) =>
    name === PASSPHRASE_ENV ? sshd.passphrase : name === "WRONG" ? "not-it" : undefined;
  const parsed = parseConfig(configToml(ssh, pool), { path: "/x/datasources.toml", env });
  assert.deepEqual(parsed.warnings, []);
  return { config: parsed.config, sshKeys: await loadSshKeys(parsed.config, { env }) };
}

interface Harness {
  app: App;
  /** The tool's structured result, or its error as {error_code, message, details}. */
  call(name: string, args: Record<string, unknown>): Promise<any>;
  close(): Promise<void>;
}

async function serve(ssh: SshOptions = {}): Promise<Harness> {
  const { config, sshKeys } = await configFor(ssh);
  const app = createApp(config, new Logger({ level: "error", sinks: [] }), {
    sshKeys,
    retryDelaysMs: [50],
    recoveryIntervalMs: 200,
  });
  const client = new Client({ name: "ssh-test", version: "1" });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await Promise.all([app.server.connect(b), client.connect(a)]);
  return {
    app,
    async call(name, args) {
      const result = await client.callTool({ name, arguments: args });
      const text = (result.content as { text: string }[])[0].text;
      return result.isError ? { isError: true, ...JSON.parse(text) } : result.structuredContent;
    },
    async close() {
      await client.close().catch(() => {});
      await app.close(1000);
    },
  };
}

const query = (h: Harness, sql: string) =>
  h.call("mysql_query", { datasource_key: "behind", database: db.db, query: sql });

/** The error must name no file and carry no key material. */
function assertClean(message: string) {
  assert.ok(!message.includes(sshd.dir), `a path leaked: ${message}`);
  assert.ok(!message.includes("/"), `something path-like leaked: ${message}`);
  assert.ok(!/BEGIN|PRIVATE|AAAA/.test(message), `key material leaked: ${message}`);
  assert.ok(!message.includes(sshd.passphrase), "the passphrase leaked");
}

Deno.test({
  name: "queries go through the SSH bastion with the real tools, on one shared SSH connection",
  ...DB_TEST,
  fn: async () => {
    const loginsBefore = sshd.acceptedLogins();
    const h = await serve();
    try {
      const result = await query(h, "SELECT name FROM customers ORDER BY id");
      assert.ok(!result.isError, JSON.stringify(result));
      assert.deepEqual(result.rows, [["Ann"], ["Bob"], ["Cy"]]);
      const tables = await h.call("mysql_list_tables", {
        datasource_key: "behind",
        database: db.db,
      });
      assert.ok(!tables.isError, JSON.stringify(tables));
      // Several connections at once, all on one SSH connection.
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => query(h, `SELECT ${i} + SLEEP(0.05) AS n`)),
      );
      assert.ok(answers.every((a) => !a.isError), JSON.stringify(answers));
      // Nagle's algorithm on the SSH socket once made every round trip wait ~40 ms for the
      // bastion's delayed ACK; the median must be far below that.
      const times: number[] = [];
      for (let i = 0; i < 31; i++) {
        const started = performance.now();
        await query(h, "SELECT 1");
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      assert.ok(times[15] < 20, `median round trip through the tunnel ${times[15]} ms`);
      assert.equal(
        sshd.acceptedLogins() - loginsBefore,
        1,
        "one SSH login served every pool and connection",
      );
    } finally {
      await h.close();
    }
  },
});

Deno.test({
  name: "an encrypted private key is used with the passphrase from passphrase_env",
  ...DB_TEST,
  fn: async () => {
    const h = await serve({ privateKey: sshd.encryptedUserKey, passphraseEnv: PASSPHRASE_ENV });
    try {
      const result = await query(h, "SELECT 1 AS one");
      assert.ok(!result.isError, JSON.stringify(result));
      assert.deepEqual(result.rows, [[1]]);
    } finally {
      await h.close();
    }
  },
});

Deno.test({
  name: "a wrong passphrase is found at startup and every connect says so, without the secret",
  ...DB_TEST,
  fn: async () => {
    const { sshKeys } = await configFor({
      privateKey: sshd.encryptedUserKey,
      passphraseEnv: "WRONG",
    });
    assert.deepEqual(sshKeys.get("behind"), {
      problem: "ssh private_key cannot be decrypted: wrong passphrase",
    });
    const h = await serve({ privateKey: sshd.encryptedUserKey, passphraseEnv: "WRONG" });
    try {
      const error = await query(h, "SELECT 1");
      assert.equal(error.error_code, "CONNECTION_FAILED");
      assert.match(error.message, /SSH keys unavailable: .*wrong passphrase/);
      assertClean(error.message);
    } finally {
      await h.close();
    }
  },
});

Deno.test({
  name:
    "a bastion host key other than the one known_hosts lists is refused, showing its fingerprint",
  ...DB_TEST,
  fn: async () => {
    const h = await serve({ knownHosts: sshd.wrongKnownHosts });
    try {
      const error = await query(h, "SELECT 1");
      assert.equal(error.error_code, "CONNECTION_FAILED");
      assert.match(error.message, /SSH host key refused/);
      assert.match(error.message, /does not match/);
      assert.ok(error.message.includes(sshd.hostKeyFingerprint), error.message);
      assertClean(error.message.replace(sshd.hostKeyFingerprint, "FP"));
    } finally {
      await h.close();
    }
  },
});

Deno.test({
  name: "a bastion known_hosts does not list is refused as unknown, showing its fingerprint",
  ...DB_TEST,
  fn: async () => {
    const empty = `${sshd.dir}/empty_known_hosts`;
    await Deno.writeTextFile(empty, "# nothing yet\n");
    const h = await serve({ knownHosts: empty });
    try {
      const error = await query(h, "SELECT 1");
      assert.equal(error.error_code, "CONNECTION_FAILED");
      assert.match(error.message, /SSH host key refused: .* is not in known_hosts/);
      assert.ok(error.message.includes(sshd.hostKeyFingerprint), error.message);
    } finally {
      await h.close();
    }
  },
});

Deno.test({
  name: "a user key the bastion does not accept is refused as bastion authentication",
  ...DB_TEST,
  fn: async () => {
    const h = await serve({ privateKey: sshd.strangerKey });
    try {
      const error = await query(h, "SELECT 1");
      assert.equal(error.error_code, "CONNECTION_FAILED");
      assert.match(error.message, /SSH bastion authentication refused/);
      assertClean(error.message);
    } finally {
      await h.close();
    }
  },
});

Deno.test({
  name: "a bastion that does not answer and a database the bastion cannot reach are told apart",
  ...DB_TEST,
  fn: async () => {
    const nobody = freePort();
    const noBastion = await serve({ port: nobody });
    const noDatabase = await serve({ databasePort: nobody });
    try {
      const a = await query(noBastion, "SELECT 1");
      assert.equal(a.error_code, "CONNECTION_FAILED");
      assert.match(a.message, /SSH bastion unreachable: connection refused/);
      const b = await query(noDatabase, "SELECT 1");
      assert.equal(b.error_code, "CONNECTION_FAILED");
      assert.match(b.message, /database unreachable from the SSH bastion/);
    } finally {
      await noBastion.close();
      await noDatabase.close();
    }
  },
});

Deno.test({
  name:
    "sshd stopped and started again mid-load: calls in the outage name the bastion, then work again",
  ...DB_TEST,
  fn: async () => {
    const h = await serve();
    let running = true;
    let phase: "before" | "outage" | "after" = "before";
    const ok = { before: 0, outage: 0, after: 0 };
    const outageErrors: { error_code: string; message: string }[] = [];
    const worker = async (i: number) => {
      while (running) {
        const result = await query(h, `SELECT ${i} AS worker`);
        const current = phase;
        if (!result.isError) ok[current]++;
        else {
          assert.equal(result.error_code, "CONNECTION_FAILED", JSON.stringify(result));
          if (current === "outage") outageErrors.push(result);
          await sleep(20);
        }
      }
    };
    const workers = Array.from({ length: 6 }, (_, i) => worker(i));
    try {
      assert.ok(await eventually(() => ok.before >= 50), `only ${ok.before} before the outage`);
      // Calls in flight when the bastion goes count as outage calls too.
      phase = "outage";
      await sshd.halt();
      assert.ok(await eventually(() => outageErrors.length >= 5), "calls fail in the outage");
      await sshd.resume();
      phase = "after";
      assert.ok(await eventually(() => ok.after >= 50, 15_000), `only ${ok.after} after`);
    } finally {
      running = false;
      await Promise.all(workers);
      await h.close();
    }
    for (const error of outageErrors) {
      assert.match(error.message, /SSH bastion unreachable|SSH tunnel to the bastion was lost/);
    }
    assert.ok(
      outageErrors.some((e) => /SSH bastion unreachable: connection refused/.test(e.message)),
      "new connections in the outage say the bastion is unreachable",
    );
  },
});

Deno.test({
  name: "a statement over query_timeout is stopped on the server through the tunnel too",
  ...DB_TEST,
  fn: async () => {
    const h = await serve({ queryTimeout: "500ms" });
    try {
      const started = performance.now();
      const error = await query(h, "SELECT SLEEP(5)");
      assert.equal(error.error_code, "QUERY_TIMEOUT", JSON.stringify(error));
      assert.ok(performance.now() - started < 4000, "stopped well before the statement ended");
      const after = await query(h, "SELECT 1 AS still_fine");
      assert.deepEqual(after.rows, [[1]]);
    } finally {
      await h.close();
    }
  },
});

Deno.test({
  name:
    "a bastion that stops answering is noticed by keepalive; calls then name the bastion until it answers again",
  ...DB_TEST,
  fn: async () => {
    const h = await serve();
    try {
      assert.deepEqual((await query(h, "SELECT 1")).rows, [[1]]);
      sshd.freeze();
      // keepalive_interval 1s x count 3, then a new SSH handshake that times out (connect_timeout 3s).
      const error = await query(h, "SELECT 2");
      assert.equal(error.error_code, "CONNECTION_FAILED", JSON.stringify(error));
      assert.match(error.message, /SSH bastion unreachable|SSH tunnel to the bastion was lost/);
      sshd.thaw();
      let ok = false;
      const deadline = Date.now() + 15_000;
      while (!ok && Date.now() < deadline) {
        const result = await query(h, "SELECT 3");
        ok = !result.isError;
        if (!ok) await sleep(100);
      }
      assert.ok(ok, "calls work again once the bastion answers");
    } finally {
      sshd.thaw();
      await h.close();
    }
  },
});

Deno.test({
  name: "the launched server, under only its derived permissions, queries through the bastion",
  ...DB_TEST,
  fn: async () => {
    const path = `${sshd.dir}/launched.toml`;
    await Deno.writeTextFile(
      path,
      configToml({ privateKey: sshd.encryptedUserKey, passphraseEnv: PASSPHRASE_ENV }),
    );
    const transport = new StdioClientTransport({
      command: Deno.execPath(),
      args: [
        "run",
        "-A",
        new URL("../../scripts/start.ts", import.meta.url).pathname,
        "--config",
        path,
      ],
      env: {
        PATH: Deno.env.get("PATH") ?? "",
        // Deno needs these to reach the npm registry should its cache miss a package.
        ...Object.fromEntries(
          ["SSL_CERT_FILE", "SSL_CERT_DIR"].flatMap((name) => {
            const value = Deno.env.get(name);
            return value === undefined ? [] : [[name, value]];
          }),
        ),
        [PASSPHRASE_ENV]: sshd.passphrase,
        MYSQL_MCP_LOG_LEVEL: "error",
      },
      stderr: "inherit",
    });
    const client = new Client({ name: "ssh-launched", version: "1" });
    await client.connect(transport);
    try {
      const result = await client.callTool({
        name: "mysql_query",
        arguments: {
          datasource_key: "behind",
          database: db.db,
          query: "SELECT COUNT(*) FROM customers",
        },
      });
      assert.ok(!result.isError, JSON.stringify(result));
      assert.deepEqual((result.structuredContent as { rows: unknown[] }).rows, [[3]]);
    } finally {
      await client.close();
    }
  },
});

Deno.test({
  name: "check shows transport ssh for a data source behind a bastion",
  ...DB_TEST,
  fn: async () => {
    const { config, sshKeys } = await configFor();
    const printed: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => printed.push(args.join(" "));
    let code: number;
    try {
      code = await runCheck(
        config,
        new Logger({ level: "error", sinks: [] }),
        new SecretScrubber(),
        sshKeys,
      );
    } finally {
      console.log = original;
    }
    const [header, row] = printed.join("\n").split("\n");
    assert.match(header, /TRANSPORT/);
    assert.match(row, /^behind\s+behind\s+available\s+[\d.]+ ms\s+ssh\s/);
    assert.equal(code, 0);
  },
});

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(25);
  }
  return check();
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test({
  name: "mysql-mcp registers the SSH key passphrase with the scrubber at startup",
  ...DB_TEST,
  fn: async () => {
    const path = `${sshd.dir}/scrubbed.toml`;
    await Deno.writeTextFile(
      path,
      configToml({ privateKey: sshd.encryptedUserKey, passphraseEnv: PASSPHRASE_ENV }),
    );
    const scrubber = new SecretScrubber();
    Deno.env.set(PASSPHRASE_ENV, sshd.passphrase);
    const original = console.log;
    console.log = () => {};
    try {
      assert.equal(await main(["check", "--config", path, "--log-level", "error"], scrubber), 0);
    } finally {
      console.log = original;
      Deno.env.delete(PASSPHRASE_ENV);
    }
    assert.equal(scrubber.scrub(`key said ${sshd.passphrase}`), "key said [REDACTED]");
  },
});
