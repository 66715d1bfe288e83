/**
 * TLS end to end inside an SSH tunnel: a real OpenSSH bastion (started here) in front of the
 * TLS MariaDB of the TLS tests, and of the run's plain MariaDB for `preferred`.
 */
import assert from "assert";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/index.d.ts"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/inMemory.d.ts"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { createApp } from "../../src/app.ts";
import { parseConfig } from "../../src/config/parse_config.ts";
import { Logger } from "../../src/log/logger.ts";
import { loadSshKeys } from "../../src/tunnel/load_ssh_keys.ts";
import { startSshd } from "../support/throwaway_sshd.ts";
import { tlsServers } from "./_tls_servers.ts";

const { certs, secure, plain, PASSWORD } = await tlsServers();
const sshd = await startSshd();
globalThis.addEventListener("unload", () => void sshd.stop());

const source = (key: string, port: number, account: string, tls: string) => `
[[datasources]]
key = "${key}"
host = "127.0.0.1"
port = ${port}
${account}
  [datasources.tls]
  ${tls}
  [datasources.ssh]
  host = "127.0.0.1"
  port = ${sshd.port}
  user = "${sshd.user}"
  private_key = "${sshd.userKey}"
  known_hosts = "${sshd.knownHosts}"
`;

Deno.test({
  name:
    "through an SSH bastion, TLS runs end to end inside the tunnel (ssh+tls), and preferred falls back to plain (ssh)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const toml = source(
      "tunnelled-tls",
      secure.port,
      `username = "ssl_user"\npassword = "${PASSWORD}"`,
      `mode = "verify_identity"\n  ca = "${certs.ca}"`,
    ) +
      source(
        "tunnelled-plain",
        plain.server.port,
        `username = "${plain.user}"\npassword = "${plain.password}"`,
        `mode = "preferred"`,
      );
    const { config, warnings } = parseConfig(toml, {
      path: "/x/datasources.toml",
      env: () => undefined,
    });
    assert.deepEqual(warnings, []);
    const app = createApp(config, new Logger({ level: "error", sinks: [] }), {
      sshKeys: await loadSshKeys(config, { env: () => undefined }),
    });
    const client = new Client({ name: "tls-ssh-test", version: "1" });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await Promise.all([app.server.connect(b), client.connect(a)]);
    try {
      const result = await client.callTool({
        name: "mysql_query",
        arguments: {
          datasource_key: "tunnelled-tls",
          database: "shop",
          query: "SELECT id FROM t ORDER BY id",
        },
      });
      assert.ok(!result.isError, JSON.stringify(result.content));
      assert.equal((result.structuredContent as { row_count: number }).row_count, 2);
      const encrypted = await app.datasources.probe("tunnelled-tls");
      assert.ok(encrypted.ok, String(encrypted.error));
      assert.equal(encrypted.transport, "ssh+tls");
      assert.match(encrypted.tls!.version, /^TLSv1\.[23]$/);
      const fallback = await app.datasources.probe("tunnelled-plain");
      assert.ok(fallback.ok, String(fallback.error));
      assert.equal(fallback.transport, "ssh");
      assert.equal(fallback.tls, undefined);
    } finally {
      await client.close();
      await app.close(0);
    }
  },
});
