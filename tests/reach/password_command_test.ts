/**
 * `password_command`: run for every new connection, its trimmed output is the password and a
 * secret from the moment it is read; failures say what to change and show nothing of the
 * program, its path or its output.
 */
import assert from "assert";
import { ToolError } from "../../src/errors/tool_error.ts";
import { SecretScrubber } from "../../src/log/secret_scrubber.ts";
import { passwordCommand } from "../../src/pool/password_command.ts";
import { DB_TEST, startTestApp } from "../support/test_app.ts";
import { testDatabase } from "../support/test_database.ts";

/** A script in a fresh temp dir; returns its path and the dir. */
async function script(body: string) {
  const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-pwcmd-" });
  const path = `${dir}/print-password.sh`;
  await Deno.writeTextFile(path, `#!/bin/sh\n${body}\n`);
  await Deno.chmod(path, 0o700);
  return { dir, path };
}

async function failureOf(argv: string[], timeoutMs?: number): Promise<ToolError> {
  const error = await passwordCommand(argv, { timeoutMs })().then(() => undefined, (e) => e);
  assert.ok(error instanceof ToolError, String(error));
  assert.equal(error.code, "CONNECTION_FAILED");
  return error;
}

Deno.test("passwordCommand() returns the trimmed output and tells it to onPassword first", async () => {
  const { dir, path } = await script(`printf '  token-%s-value \\n\\n' "$1"`);
  try {
    const told: string[] = [];
    const source = passwordCommand([path, "abc"], { onPassword: (v) => told.push(v) });
    const secret = await source();
    assert.equal(secret.reveal(), "token-abc-value");
    assert.equal(String(secret), "[redacted]");
    assert.deepEqual(told, ["token-abc-value"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("passwordCommand() failures say what went wrong, never the output or the path", async () => {
  const { dir, path } = await script(`echo leaked-output-123; echo leaked-err >&2; exit "$1"`);
  try {
    const assertClean = (error: ToolError) => {
      const shown = error.message + JSON.stringify(error.details);
      assert.ok(!/leaked|mysql-mcp-pwcmd|print-password/.test(shown), shown);
    };
    const exit = await failureOf([path, "3"]);
    assert.equal(
      exit.message,
      "Cannot connect: the password command exited with status 3; run it by hand to see why",
    );
    assertClean(exit);

    const empty = await failureOf(["/bin/sh", "-c", "printf '  \\n'"]);
    assert.equal(empty.message, "Cannot connect: the password command printed nothing");

    const started = performance.now();
    const slow = await failureOf(["/bin/sh", "-c", "sleep 5"], 300);
    assert.equal(slow.message, "Cannot connect: the password command did not finish within 0.3 s");
    assert.ok(performance.now() - started < 3_000, "the program is killed at the deadline");

    const missing = await failureOf([`${dir}/no-such-program`]);
    assert.match(missing.message, /its program was not found; check password_command$/);
    assertClean(missing);
    assert.equal(missing.details?.transient, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a program Deno may not run is refused with the flag to grant", async () => {
  // A subprocess whose --allow-run names another program.
  const scoped = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      `--allow-read=${new URL("../..", import.meta.url).pathname}`,
      "--allow-run=/bin/true",
      new URL("./_run_password_command.ts", import.meta.url).pathname,
      "/bin/echo",
    ],
  }).output();
  assert.equal(
    new TextDecoder().decode(scoped.stdout).trim(),
    "Cannot connect: the password command may not run: grant --allow-run for its program (mysql-mcp permissions prints the flags)",
    new TextDecoder().decode(scoped.stderr),
  );
});

Deno.test({
  name:
    "password_command runs for every new connection: after ALTER USER new connections keep working, and the output is scrubbed",
  ...DB_TEST,
  async fn() {
    const db = await testDatabase();
    const user = `pwcmd_${crypto.randomUUID().slice(0, 6)}`;
    const passwords = [`first-${crypto.randomUUID()}`, `second-${crypto.randomUUID()}`];
    const { dir, path } = await script(`exec cat "$(dirname "$0")/current"`);
    await Deno.writeTextFile(`${dir}/current`, `${passwords[0]}\n`);
    await db.server.admin(
      `CREATE USER '${user}'@'%' IDENTIFIED BY '${
        passwords[0]
      }'; GRANT SELECT ON ${db.db}.* TO '${user}'@'%';`,
    );
    const told: string[] = [];
    const scrubber = new SecretScrubber();
    const t = await startTestApp({
      source: {
        username: JSON.stringify(user),
        password: undefined,
        password_command: JSON.stringify([path]),
      },
      pool: { max_connections: "2" },
      onSecret: (key, value) => {
        told.push(`${key}:${value}`);
        scrubber.addRotating(`datasource:${key}`, value);
      },
    });
    const whoAmI = async () =>
      (await t.call("mysql_query", {
        datasource_key: "test",
        database: db.db,
        query: "SELECT COUNT(*) AS n FROM customers",
      })).rows;
    const killAll = async () => {
      const ids: { ID: number }[] = await db.server.admin(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?",
        [user],
      );
      for (const { ID } of ids) await db.server.admin(`KILL CONNECTION ${ID}`);
      return ids.length;
    };
    try {
      assert.deepEqual(await whoAmI(), [[3]]);
      assert.ok(told.includes(`test:${passwords[0]}`));

      // The token rotates: the server's password changes and so does the program's output.
      await db.server.admin(`ALTER USER '${user}'@'%' IDENTIFIED BY '${passwords[1]}'`);
      await Deno.writeTextFile(`${dir}/current`, `${passwords[1]}\n`);
      assert.ok(await killAll() > 0, "the pool had connections to drop");
      // The dead pooled connection is noticed and replaced by one with the new password.
      let rows: unknown;
      for (let attempt = 0; attempt < 3 && rows === undefined; attempt++) {
        rows = await whoAmI().catch(() => undefined);
      }
      assert.deepEqual(rows, [[3]]);
      assert.ok(
        told.includes(`test:${passwords[1]}`),
        "the program ran again for the new connection",
      );
      assert.equal(
        scrubber.scrub(`a ${passwords[0]} b ${passwords[1]}`),
        `a ${SecretScrubber.MARKER} b ${SecretScrubber.MARKER}`,
      );
      // The old password is refused by the server now: only the command's fresh one works.
      await Deno.writeTextFile(`${dir}/current`, `${passwords[0]}\n`);
      await killAll();
      const refused = await t.fail("mysql_query", {
        datasource_key: "test",
        database: db.db,
        query: "SELECT 1",
      }).catch(async () =>
        // The first call may still find a live connection; the next new one is refused.
        await t.fail("mysql_query", { datasource_key: "test", database: db.db, query: "SELECT 1" })
      );
      assert.equal(refused.error_code, "CONNECTION_FAILED");
      const shown = JSON.stringify(refused);
      assert.ok(!passwords.some((p) => shown.includes(p)), shown);
    } finally {
      await t.close();
      await db.server.admin(`DROP USER '${user}'@'%'`);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
