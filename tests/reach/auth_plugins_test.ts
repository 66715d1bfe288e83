/**
 * MySQL 8 authentication through our real connect() (mysql2 over DenoSocket), against the
 * protocol-level fake in tests/support/fake_mysql8_server.ts: no MySQL 8 runs here.
 */
import assert from "assert";
import { Buffer } from "node:buffer";
import { Secret } from "../../src/config/secret.ts";
import { ToolError } from "../../src/errors/tool_error.ts";
import { connect } from "../../src/pool/connect.ts";
import { authPlugins } from "../../src/pool/_auth_plugins.ts";
import mysql from "mysql2";
import type { ConnectionTarget } from "../../src/pool/types.ts";
import { type FakeMysql8Options, startFakeMysql8 } from "../support/fake_mysql8_server.ts";

const PASSWORD = "s3cret-Passw0rd-for-sha2";
const USER = "app";

function targetOf(listen: { port?: number; socket?: string }): ConnectionTarget {
  return {
    host: "127.0.0.1",
    port: listen.port ?? 0,
    ...(listen.socket ? { socket: listen.socket } : {}),
    user: USER,
    password: new Secret(PASSWORD),
    connectTimeoutMs: 5_000,
  };
}

/** Starts a fake with `options`, runs `body` against it, always closes it. */
async function withFake(
  options: Omit<FakeMysql8Options, "user" | "password" | "listen"> & { unix?: boolean },
  body: (
    target: ConnectionTarget,
    events: string[],
  ) => Promise<void>,
) {
  const dir = options.unix ? await Deno.makeTempDir({ prefix: "fake-mysql8-" }) : undefined;
  const socket = dir ? `${dir}/mysqld.sock` : undefined;
  const fake = await startFakeMysql8({
    ...options,
    user: USER,
    password: PASSWORD,
    listen: socket ? { path: socket } : { port: 0 },
  });
  try {
    await body(targetOf({ port: fake.port, socket }), fake.events);
  } finally {
    await fake.close();
    if (dir) await Deno.remove(dir, { recursive: true });
  }
}

async function login(target: ConnectionTarget) {
  const opened = await connect(target);
  opened.raw.destroy();
  return opened;
}

Deno.test("caching_sha2_password: full authentication with the server's RSA key over plain TCP, then the fast path", async () => {
  await withFake({ plugin: "caching_sha2_password" }, async (target, events) => {
    const first = await login(target);
    assert.equal(first.authPlugin, "caching_sha2_password");
    assert.equal(first.transport, "tcp");
    assert.equal(first.flavor, "mysql");
    assert.equal(first.serverVersion, "8.0.36-fake");
    assert.deepEqual(events, [
      "switch:caching_sha2_password",
      "rsa-key-sent",
      "full-auth:rsa",
      "ok",
    ]);
    events.length = 0;
    // The server now has the hash cached: the scramble alone logs in.
    const second = await login(target);
    assert.equal(second.authPlugin, "caching_sha2_password");
    assert.deepEqual(events, ["switch:caching_sha2_password", "fast-auth", "ok"]);
  });
});

Deno.test("caching_sha2_password: full authentication over a unix socket sends the password without RSA", async () => {
  await withFake({ plugin: "caching_sha2_password", unix: true }, async (target, events) => {
    const opened = await login(target);
    assert.equal(opened.transport, "socket");
    assert.equal(opened.authPlugin, "caching_sha2_password");
    assert.deepEqual(events, ["switch:caching_sha2_password", "full-auth:cleartext", "ok"]);
  });
});

Deno.test("caching_sha2_password: a wrong password is CONNECTION_FAILED naming the refused credentials, not the password", async () => {
  await withFake({ plugin: "caching_sha2_password", cached: true }, async (target) => {
    const error = await connect({ ...target, password: new Secret("wrong-password-xyz") })
      .then(() => undefined, (e) => e);
    assert.ok(error instanceof ToolError);
    assert.equal(error.code, "CONNECTION_FAILED");
    assert.equal(error.message, "Cannot connect: access denied (ER_ACCESS_DENIED_ERROR)");
    assert.doesNotMatch(JSON.stringify(error) + error.message, /wrong-password-xyz|s3cret/);
  });
});

Deno.test("mysql_clear_password over plain TCP is refused before the password is sent", async () => {
  await withFake({ plugin: "mysql_clear_password" }, async (target, events) => {
    const error = await connect(target).then(() => undefined, (e) => e);
    assert.ok(error instanceof ToolError);
    assert.equal(error.code, "CONNECTION_FAILED");
    assert.match(error.message, /mysql_clear_password.*unencrypted.*TLS/);
    assert.equal(error.details?.transient, false);
    assert.deepEqual(events, ["switch:mysql_clear_password"]);
  });
});

Deno.test("mysql_clear_password over a unix socket logs in", async () => {
  await withFake({ plugin: "mysql_clear_password", unix: true }, async (target, events) => {
    const opened = await login(target);
    assert.equal(opened.authPlugin, "mysql_clear_password");
    assert.deepEqual(events, ["switch:mysql_clear_password", "clear-password", "ok"]);
  });
});

Deno.test("a plugin mysql-mcp cannot speak is CONNECTION_FAILED saying which and what to change", async () => {
  await withFake({ plugin: "client_ed25519" }, async (target) => {
    const error = await connect(target).then(() => undefined, (e) => e);
    assert.ok(error instanceof ToolError);
    assert.equal(error.code, "CONNECTION_FAILED");
    assert.match(error.message, /client_ed25519, which mysql-mcp does not support/);
    assert.match(error.message, /caching_sha2_password or mysql_native_password/);
  });
});

Deno.test("authPlugins() send the password as is only when the connection's stream says it is encrypted (TLS)", () => {
  const used: string[] = [];
  const plugins = authPlugins(mysql, {
    isSecure: (connection) => connection.stream?.encrypted === true,
    used: (name) => used.push(name),
  });
  const scramble = Buffer.alloc(20, 7);
  const connection = (encrypted: boolean) =>
    ({ stream: { encrypted }, config: { password: "pw-1234" } }) as any;
  for (const encrypted of [true, false]) {
    const sha2 = plugins.caching_sha2_password({ connection: connection(encrypted), command: "" });
    assert.equal((sha2(scramble) as Buffer).length, 32); // the scramble token first
    const fullAuth = sha2(Buffer.from([4])) as Buffer;
    // Over TLS the password itself; over plain TCP a request for the server's RSA key.
    assert.deepEqual([...fullAuth], encrypted ? [...Buffer.from("pw-1234\0")] : [2]);
  }
  const clear = plugins.mysql_clear_password({ connection: connection(true), command: "" });
  assert.equal(String(clear(Buffer.alloc(0))), "pw-1234\0");
  assert.throws(
    () => plugins.mysql_clear_password({ connection: connection(false), command: "" }),
    { code: "CLEAR_PASSWORD_NEEDS_TLS" },
  );
  assert.deepEqual(used, [
    "caching_sha2_password",
    "caching_sha2_password",
    "mysql_clear_password",
    "mysql_clear_password",
  ]);
});
