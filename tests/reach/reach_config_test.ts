/**
 * The config keys that reach more servers: `socket`, `password_command`, and reading a
 * config without its secrets; the permissions each needs.
 */
import assert from "assert";
import { parseConfig } from "../../src/config/parse_config.ts";
import { derivePermissions, permissionFlags } from "../../src/permissions/derive_permissions.ts";

const PATH = "/etc/mcp/datasources.toml";
const parse = (source: string, options: { secrets?: "read" | "names" } = {}) =>
  parseConfig(
    `[[datasources]]\nkey = "a"\nusername = "u"\n${source}\n[[datasources]]\n` +
      `key = "ok"\nhost = "h"\nport = 1\nusername = "u"\npassword = "pw"\n`,
    {
      path: PATH,
      env: () => undefined,
      ...options,
    },
  );
/** The warning that skipped data source "a", or undefined when it was kept. */
const skipped = (source: string) =>
  parse(source).warnings.find((w) => w.startsWith(`datasource #1 "a" skipped`))
    ?.replace(/^datasource #1 "a" skipped: /, "");

Deno.test("socket replaces host and port; both together, or neither, is a clear error", () => {
  const { config } = parse(`socket = "/run/mysqld/mysqld.sock"\npassword = "pw"`);
  const source = config.datasources[0];
  assert.equal(source.socket, "/run/mysqld/mysqld.sock");
  assert.equal(source.host, undefined);
  assert.equal(source.port, undefined);
  assert.equal(
    skipped(`socket = "/s.sock"\nhost = "h"\npassword = "pw"`),
    "socket and host/port are both set: use socket for a local server, or host and port",
  );
  assert.equal(
    skipped(`password = "pw"`),
    "missing required field host; missing required field port",
  );
  assert.equal(
    skipped(`socket = "mysqld.sock"\npassword = "pw"`),
    'socket "mysqld.sock" must be an absolute path',
  );
});

Deno.test("password_command is a program and its arguments, and the only password source", () => {
  const { config } = parse(`host = "h"\nport = 1\npassword_command = ["aws", "rds", "token"]`);
  assert.deepEqual(config.datasources[0].passwordCommand, ["aws", "rds", "token"]);
  assert.equal(config.datasources[0].password.reveal(), "");
  assert.equal(
    skipped(`host = "h"\nport = 1\npassword_command = "aws rds token"`),
    'password_command must be a list like ["program", "arg", ...] of non-empty strings',
  );
  assert.equal(
    skipped(`host = "h"\nport = 1\npassword_command = []`),
    'password_command must be a list like ["program", "arg", ...] of non-empty strings',
  );
  assert.equal(
    skipped(`host = "h"\nport = 1\npassword = "x"\npassword_command = ["p"]`),
    "sets password and password_command: choose one password source",
  );
  assert.equal(
    skipped(`host = "h"\nport = 1`),
    "missing a password source: set password_env (preferred), password_command or password",
  );
});

Deno.test('secrets: "names" reads the shape without the password variables; "read" still requires them', () => {
  const source = `host = "h"\nport = 1\npassword_env = "UNSET_PW"`;
  assert.equal(skipped(source), "password_env names UNSET_PW, which is not set");
  const { config, warnings } = parse(source, { secrets: "names" });
  assert.deepEqual(warnings, []);
  assert.equal(config.datasources[0].passwordEnv, "UNSET_PW");
  assert.equal(config.datasources[0].password.reveal(), "");
});

Deno.test("a socket source needs read, write and net unix: on its path only; a password_command, run of its program", () => {
  const { config } = parse(
    `socket = "/run/mysqld/mysqld.sock"\npassword_command = ["/usr/local/bin/token", "--db", "a"]`,
  );
  const permissions = derivePermissions(config);
  assert.deepEqual(permissions.net, ["unix:/run/mysqld/mysqld.sock", "h:1"]);
  assert.deepEqual(permissions.read, [PATH, "/run/mysqld/mysqld.sock"]);
  assert.deepEqual(permissions.write, ["/run/mysqld/mysqld.sock"]);
  assert.deepEqual(permissions.run, ["/usr/local/bin/token"]);
  assert.deepEqual(permissionFlags(permissions), [
    "--allow-net=unix:/run/mysqld/mysqld.sock,h:1",
    `--allow-read=${PATH},/run/mysqld/mysqld.sock`,
    "--allow-write=/run/mysqld/mysqld.sock",
    "--allow-env=MYSQL_MCP_CONFIG,MYSQL_MCP_LOG_LEVEL",
    "--allow-run=/usr/local/bin/token",
  ]);
  // A TCP-only config with a stored password asks for neither write nor run.
  const tcp = derivePermissions(parse(`host = "db"\nport = 3306\npassword = "pw"`).config);
  assert.equal(tcp.write, undefined);
  assert.equal(tcp.run, undefined);
});
