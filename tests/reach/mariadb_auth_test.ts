/**
 * Authentication plugins against the real throwaway MariaDB: the default
 * mysql_native_password over TCP and the unix socket, and MariaDB's ed25519, which mysql2
 * cannot speak, refused with what to change.
 */
import assert from "assert";
import { Secret } from "../../src/config/secret.ts";
import { ToolError } from "../../src/errors/tool_error.ts";
import { connect } from "../../src/pool/connect.ts";
import type { ConnectionTarget } from "../../src/pool/types.ts";
import { startDatabaseServer } from "../../scripts/throwaway_mariadb.ts";
import { DB_TEST } from "../support/test_app.ts";
import { testDatabase } from "../support/test_database.ts";

const db = await testDatabase();

function target(user: string, password: string, socket?: string): ConnectionTarget {
  return {
    host: db.server.host,
    port: db.server.port,
    ...(socket ? { socket } : {}),
    user,
    password: new Secret(password),
    connectTimeoutMs: 5_000,
  };
}

Deno.test({
  name: "MariaDB's mysql_native_password logs in over TCP and over the unix socket, and says so",
  ...DB_TEST,
  async fn() {
    const sockets = db.server.socket ? [undefined, db.server.socket] : [undefined];
    for (const socket of sockets) {
      const opened = await connect(target(db.user, db.password, socket));
      opened.raw.destroy();
      assert.equal(opened.authPlugin, "mysql_native_password");
      assert.equal(opened.transport, socket ? "socket" : "tcp");
      assert.equal(opened.flavor, "mariadb");
    }
  },
});

/** ed25519 ships with Debian's mariadb-server as a loadable plugin; an external server may lack it. */
async function ed25519Available(): Promise<boolean> {
  try {
    const loaded: unknown[] = await db.server.admin(
      "SELECT 1 FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'ed25519'",
    );
    if (loaded.length === 0) await db.server.admin("INSTALL SONAME 'auth_ed25519'");
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "an account on MariaDB's ed25519 is CONNECTION_FAILED naming the plugin and what to change",
  ...DB_TEST,
  ignore: !(await ed25519Available()),
  async fn() {
    const user = `ed_${crypto.randomUUID().slice(0, 6)}`;
    const password = `ed-${crypto.randomUUID()}`;
    await db.server.admin(`CREATE USER '${user}'@'%' IDENTIFIED VIA ed25519 USING PASSWORD(?)`, [
      password,
    ]);
    try {
      const error = await connect(target(user, password)).then(() => undefined, (e) => e);
      assert.ok(error instanceof ToolError, String(error));
      assert.equal(error.code, "CONNECTION_FAILED");
      assert.equal(
        error.message,
        "Cannot connect: the account authenticates with client_ed25519, which mysql-mcp does not " +
          "support: give the account caching_sha2_password or mysql_native_password " +
          "(ALTER USER ... IDENTIFIED WITH ...)",
      );
      assert.equal(error.details?.transient, false);
      assert.ok(!JSON.stringify(error).includes(password));
    } finally {
      await db.server.admin(`DROP USER '${user}'@'%'`);
    }
  },
});

Deno.test({
  name:
    "MariaDB's PAM asking for mysql_clear_password: refused over TCP before the password is sent, sent over the unix socket",
  ...DB_TEST,
  async fn() {
    // PAM with pam_use_cleartext_plugin makes the server switch the client to
    // mysql_clear_password. The PAM service named here does not exist, so PAM itself refuses
    // every password: over the socket that refusal (access denied) shows the password was sent.
    const server = await startDatabaseServer({
      serverArgs: ["--plugin-load-add=auth_pam", "--pam-use-cleartext-plugin=ON"],
    });
    try {
      const user = "pam_user";
      await server.admin(`CREATE USER '${user}'@'%' IDENTIFIED VIA pam USING 'mysql-mcp-none'`);
      const at = (socket?: string): ConnectionTarget => ({
        host: server.host,
        port: server.port,
        ...(socket ? { socket } : {}),
        user,
        password: new Secret("pam-password-123"),
        connectTimeoutMs: 5_000,
      });
      const overTcp = await connect(at()).then(() => undefined, (e) => e);
      assert.ok(overTcp instanceof ToolError, String(overTcp));
      assert.equal(overTcp.details?.code, "CLEAR_PASSWORD_NEEDS_TLS", overTcp.message);
      assert.match(
        overTcp.message,
        /mysql_clear_password, which would send the password unencrypted/,
      );

      const overSocket = await connect(at(server.socket)).then(() => undefined, (e) => e);
      assert.ok(overSocket instanceof ToolError, String(overSocket));
      assert.equal(overSocket.details?.code, "ER_ACCESS_DENIED_ERROR", overSocket.message);
    } finally {
      await server.stop();
    }
  },
});
