/**
 * TLS datasources in the whole server: in-process, through `check`, and as an agent host
 * starts it (a stdio subprocess under the derived permissions, which drops read of the
 * config file after startup but keeps the TLS files that each new connection reads).
 */
import assert from "assert";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/index.d.ts"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/inMemory.d.ts"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/stdio.d.ts"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { createApp } from "../../src/app.ts";
import { parseConfig } from "../../src/config/parse_config.ts";
import { isLoopback } from "../../src/datasources/datasources.ts";
import { Logger } from "../../src/log/logger.ts";
import { keyOf } from "../../scripts/test_certificates.ts";
import { tlsServers } from "./_tls_servers.ts";

const { certs, secure, plain, PASSWORD } = await tlsServers();
const START = new URL("../../scripts/start.ts", import.meta.url).pathname;

/** Three sources: server-verified TLS, a client certificate, and plain TCP to a server without TLS. */
function configToml(): string {
  return `
[[datasources]]
key = "verified"
host = "127.0.0.1"
port = ${secure.port}
username = "ssl_user"
password_env = "TLS_TEST_PASSWORD"
databases = ["shop"]
  [datasources.tls]
  mode = "verify_identity"
  ca = "${certs.ca}"

[[datasources]]
key = "x509"
host = "127.0.0.1"
port = ${secure.port}
username = "x509_user"
password_env = "TLS_TEST_PASSWORD"
databases = ["shop"]
  [datasources.tls]
  mode = "verify_ca"
  ca = "${certs.ca}"
  cert = "${certs.client}"
  key = "${keyOf(certs.client)}"

[[datasources]]
key = "plain"
host = "127.0.0.1"
port = ${plain.server.port}
username = "${plain.user}"
password = "${plain.password}"
`;
}

const tlsTest = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, fn, sanitizeResources: false, sanitizeOps: false });

tlsTest("a verify_identity source serves tools and its pooled sessions are encrypted", async () => {
  const { config } = parseConfig(configToml(), {
    path: "/x/datasources.toml",
    env: (name) => (name === "TLS_TEST_PASSWORD" ? PASSWORD : undefined),
  });
  const app = createApp(config, new Logger({ level: "error", sinks: [] }));
  const client = new Client({ name: "tls-test", version: "1" });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await Promise.all([app.server.connect(b), client.connect(a)]);
  try {
    for (const key of ["verified", "x509"]) {
      const result = await client.callTool({
        name: "mysql_query",
        arguments: { datasource_key: key, database: "shop", query: "SELECT id FROM t ORDER BY id" },
      });
      assert.ok(!result.isError, JSON.stringify(result.content));
      assert.equal((result.structuredContent as { row_count: number }).row_count, 2);
      // The server's own view of a pooled session.
      const probe = await app.datasources.probe(key);
      assert.ok(probe.ok, String(probe.error));
      assert.equal(probe.transport, "tls");
      assert.match(probe.tls!.version, /^TLSv1\.[23]$/);
      assert.notEqual(probe.tls!.cipher, "");
    }
    const probe = await app.datasources.probe("plain");
    assert.equal(probe.transport, "tcp");
    assert.equal(probe.tls, undefined);
  } finally {
    await client.close();
    await app.close(0);
  }
});

tlsTest(
  "check under the derived permissions shows each source's transport, TLS version and cipher",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-tls-check-" });
    try {
      await Deno.writeTextFile(`${dir}/datasources.toml`, configToml());
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", START, "check", "--config", `${dir}/datasources.toml`],
        env: { TLS_TEST_PASSWORD: PASSWORD },
        stdin: "null",
      }).output();
      const stdout = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, stdout + new TextDecoder().decode(out.stderr));
      assert.match(stdout, /^KEY\s+NAME\s+STATUS\s+LATENCY\s+TRANSPORT\s+SERVER\s+AUTH$/m);
      const tls = String.raw`available\s+[\d.]+ ms\s+tls \(TLSv1\.[23], \S+\)\s+mariadb \S+\s+\w+$`;
      assert.match(stdout, new RegExp(String.raw`^verified\s+verified\s+` + tls, "m"));
      assert.match(stdout, new RegExp(String.raw`^x509\s+x509\s+` + tls, "m"));
      assert.match(stdout, /^plain\s+plain\s+available\s+[\d.]+ ms\s+tcp\s+mariadb /m);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

tlsTest(
  "served like an agent host starts it, new TLS connections work after startup permissions are dropped",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-tls-stdio-" });
    await Deno.writeTextFile(`${dir}/datasources.toml`, configToml());
    const transport = new StdioClientTransport({
      command: Deno.execPath(),
      args: ["run", "-A", START, "--config", `${dir}/datasources.toml`],
      env: { TLS_TEST_PASSWORD: PASSWORD, PATH: Deno.env.get("PATH") ?? "" },
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on(
      "data",
      (chunk: Uint8Array) => (stderr += new TextDecoder().decode(chunk)),
    );
    const client = new Client({ name: "tls-stdio-test", version: "1.0.0" });
    try {
      await client.connect(transport);
      // Let the startup probes finish and the permissions drop before the first tool call.
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const key of ["x509", "verified"]) {
        const result = await client.callTool({
          name: "mysql_query",
          arguments: {
            datasource_key: key,
            database: "shop",
            query: "SELECT id FROM t ORDER BY id",
          },
        });
        assert.ok(!result.isError, JSON.stringify(result.content) + stderr);
        assert.equal((result.structuredContent as { row_count: number }).row_count, 2);
      }
      assert.doesNotMatch(stderr, /without TLS/);
    } finally {
      await client.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("isLoopback() knows this machine's names and nothing else", () => {
  for (const host of ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "LOCALHOST"]) {
    assert.ok(isLoopback(host), host);
  }
  for (const host of ["db.internal", "10.0.0.1", "128.0.0.1", "::2", "localhost.example.com"]) {
    assert.ok(!isLoopback(host), host);
  }
});

/** An address of this machine that is not loopback, if it has one (for the warning test). */
const networkAddress = Deno.networkInterfaces()
  .find((i) => i.family === "IPv4" && !i.address.startsWith("127."))?.address;

Deno.test({
  name: "a source reached over the network without TLS is warned about once, and probe says so",
  ignore: networkAddress === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // A forwarder on the network address to the plain MariaDB, which listens on loopback only.
    const listener = Deno.listen({ hostname: networkAddress!, port: 0 });
    const forwarding = (async () => {
      for await (const client of listener) {
        const server = await Deno.connect({ hostname: "127.0.0.1", port: plain.server.port });
        void client.readable.pipeTo(server.writable).catch(() => {});
        void server.readable.pipeTo(client.writable).catch(() => {});
      }
    })().catch(() => {});
    const { config } = parseConfig(
      `[[datasources]]\nkey = "remote"\nhost = "${networkAddress}"\n` +
        `port = ${(listener.addr as Deno.NetAddr).port}\nusername = "${plain.user}"\n` +
        `password = "${plain.password}"\n  [datasources.tls]\n  mode = "preferred"\n`,
      { path: "/x/datasources.toml", env: () => undefined },
    );
    const warnings: string[] = [];
    const log = new Logger({
      level: "warn",
      sinks: [(record) => void (record.level === "warn" && warnings.push(record.msg))],
    });
    const app = createApp(config, log);
    try {
      for (let i = 0; i < 2; i++) {
        const probe = await app.datasources.probe("remote");
        assert.ok(probe.ok, String(probe.error));
        assert.equal(probe.transport, "tcp");
      }
      assert.deepEqual(warnings, [
        'Data source "remote" is reached over the network without TLS: set [datasources.tls] mode = "verify_identity" (or "required") and enable TLS on the server',
      ]);
    } finally {
      await app.close(0);
      listener.close();
      await forwarding;
    }
  },
});
