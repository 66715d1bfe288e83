/**
 * A datasource on the throwaway MariaDB's unix socket (`socket = "..."` instead of host and
 * port): the real tools in process, `check`, and a stdio server under the derived flags.
 */
import assert from "assert";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/index.d.ts"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/stdio.d.ts"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { DB_TEST, startTestApp, testConfigToml } from "../support/test_app.ts";
import { testDatabase } from "../support/test_database.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const START = new URL("../../scripts/start.ts", import.meta.url).pathname;
const db = await testDatabase();
/** A server given by MYSQL_TEST_URL has no socket here. */
const NO_SOCKET = db.server.socket === undefined;

/** The test source, on the socket instead of host and port. */
const onSocket = (socket = db.server.socket) => ({
  host: undefined,
  port: undefined,
  socket: JSON.stringify(socket),
});

Deno.test({
  name: "a socket datasource answers the real tools, and the server sees a local session",
  ...DB_TEST,
  ignore: NO_SOCKET,
  async fn() {
    // An account of its own, so every session the server lists for it is this test's.
    const user = `sock_${crypto.randomUUID().slice(0, 6)}`;
    const password = `pw-${crypto.randomUUID()}`;
    await db.server.admin(
      `CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'; GRANT SELECT ON ${db.db}.* TO '${user}'@'%';`,
    );
    const t = await startTestApp({
      source: { ...onSocket(), username: JSON.stringify(user), password: JSON.stringify(password) },
    });
    try {
      const list = await t.call("mysql_list_datasources");
      assert.deepEqual(list.datasources, [
        { key: "test", name: "Test database", status: "available" },
      ]);
      const query = await t.call("mysql_query", {
        datasource_key: "test",
        database: db.db,
        query: "SELECT name FROM customers WHERE id = ?",
        params: [2],
      });
      assert.deepEqual(query.rows, [["Bob"]]);
      const tables = await t.call("mysql_list_tables", { datasource_key: "test", database: db.db });
      assert.ok(tables.tables.some((table: { name: string }) => table.name === "orders"));
      // A unix-socket session has host "localhost"; a TCP one "127.0.0.1:port".
      const hosts: { HOST: string }[] = await db.server.admin(
        "SELECT HOST FROM information_schema.PROCESSLIST WHERE USER = ?",
        [user],
      );
      assert.ok(hosts.length > 0);
      for (const { HOST } of hosts) assert.equal(HOST, "localhost");
    } finally {
      await t.close();
      await db.server.admin(`DROP USER '${user}'@'%'`);
    }
  },
});

Deno.test({
  name: "a missing socket is CONNECTION_FAILED saying so, without the path",
  ...DB_TEST,
  ignore: NO_SOCKET,
  async fn() {
    const missing = `${db.server.socket}.missing`;
    const t = await startTestApp({ source: onSocket(missing) });
    try {
      const error = await t.fail("mysql_query", {
        datasource_key: "test",
        database: db.db,
        query: "SELECT 1",
      });
      assert.equal(error.error_code, "CONNECTION_FAILED");
      assert.match(error.message, /no server socket at the configured path/);
      assert.ok(!JSON.stringify(error).includes("mysqld.sock"), JSON.stringify(error));
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name:
    "mysql-mcp check shows the transport, the server's flavour and version, and the auth plugin",
  ...DB_TEST,
  ignore: NO_SOCKET,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/datasources.toml`;
      const tcp = testConfigToml(db);
      const socket = testConfigToml(db, { source: { key: '"local"', ...onSocket() } })
        .replace(/^\[server\][^[]*/, "");
      await Deno.writeTextFile(path, tcp + socket);
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", MAIN, "check", "--config", path],
        stdin: "null",
      }).output();
      const stdout = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      assert.match(stdout, /^KEY\s+NAME\s+STATUS\s+LATENCY\s+TRANSPORT\s+SERVER\s+AUTH$/m);
      const row = (key: string, transport: string) =>
        new RegExp(
          `^${key}\\s+Test database\\s+available\\s+[\\d.]+ ms\\s+${transport}\\s+` +
            `mariadb \\d+\\.\\d+\\.\\d+\\S*\\s+mysql_native_password$`,
          "m",
        );
      assert.match(stdout, row("test", "tcp"));
      assert.match(stdout, row("local", "socket"));
      assert.ok(!stdout.includes(db.server.socket!), "check shows no socket path");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a stdio server under exactly the derived flags queries through the socket with a password_command",
  ...DB_TEST,
  ignore: NO_SOCKET,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-socket-" });
    try {
      const secretFile = `${dir}/current-password`;
      await Deno.writeTextFile(secretFile, `${db.password}\n`);
      const script = `${dir}/print-password.sh`;
      await Deno.writeTextFile(script, `#!/bin/sh\nexec cat ${JSON.stringify(secretFile)}\n`);
      await Deno.chmod(script, 0o700);
      const path = `${dir}/datasources.toml`;
      await Deno.writeTextFile(
        path,
        testConfigToml(db, {
          source: {
            ...onSocket(),
            password: undefined,
            password_command: JSON.stringify([script]),
          },
        }),
      );
      const transport = new StdioClientTransport({
        command: Deno.execPath(),
        args: ["run", "-A", START, "--config", path],
        env: { PATH: Deno.env.get("PATH") ?? "" },
        stderr: "pipe",
      });
      let stderr = "";
      transport.stderr?.on(
        "data",
        (chunk: Uint8Array) => (stderr += new TextDecoder().decode(chunk)),
      );
      const client = new Client({ name: "socket-test", version: "1.0.0" });
      await client.connect(transport);
      try {
        const query = await client.callTool({
          name: "mysql_query",
          arguments: { datasource_key: "test", database: db.db, query: "SELECT 6 * 7 AS answer" },
        });
        assert.deepEqual((query.structuredContent as any).rows, [[42]], JSON.stringify(query));
        // The command's output is a secret the moment it is read: an answer echoing it is scrubbed.
        const echoed = await client.callTool({
          name: "mysql_query",
          arguments: {
            datasource_key: "test",
            database: db.db,
            query: "SELECT ? AS p",
            params: [db.password],
          },
        });
        assert.ok(!JSON.stringify(echoed).includes(db.password), JSON.stringify(echoed));
        assert.match(JSON.stringify(echoed), /\[REDACTED\]/);
      } finally {
        await client.close();
      }
      assert.ok(!stderr.includes(db.password), "stderr never shows the password");
      assert.ok(
        !/broader Deno permissions/.test(stderr),
        `server ran with extra permissions: ${stderr}`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
