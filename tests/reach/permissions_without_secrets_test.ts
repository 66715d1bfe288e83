/**
 * `mysql-mcp permissions` and `deno task compile` compute flags where the secrets are
 * absent: neither needs the password variables set. Serving still does.
 */
import assert from "assert";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const COMPILE = new URL("../../scripts/compile.ts", import.meta.url).pathname;

/** Runs a script with only PATH (and the CA settings a subprocess must keep) in its environment. */
async function run(args: string[]) {
  const env: Record<string, string> = { PATH: Deno.env.get("PATH") ?? "" };
  for (const name of ["SSL_CERT_FILE", "SSL_CERT_DIR", "DENO_DIR", "HOME"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    env,
    clearEnv: true,
    stdin: "null",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

async function withConfig(body: (path: string, dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-nosecrets-" });
  const path = `${dir}/datasources.toml`;
  await Deno.writeTextFile(
    path,
    `[[datasources]]\nkey = "a"\nhost = "db.internal"\nport = 3307\nusername = "u"\n` +
      `password_env = "UNSET_A_PW"\n\n[[datasources]]\nkey = "b"\n` +
      `socket = "/run/mysqld/mysqld.sock"\nusername = "u"\npassword_command = ["aws", "rds"]\n`,
  );
  try {
    await body(path, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const FLAGS = (path: string) =>
  "--allow-net=db.internal:3307,unix:/run/mysqld/mysqld.sock " +
  `--allow-read=${path},/run/mysqld/mysqld.sock --allow-write=/run/mysqld/mysqld.sock ` +
  "--allow-env=MYSQL_MCP_CONFIG,MYSQL_MCP_LOG_LEVEL,UNSET_A_PW --allow-run=aws";

Deno.test("mysql-mcp permissions prints the flags while the password variable is unset", async () => {
  await withConfig(async (path) => {
    const result = await run([MAIN, "permissions", "--config", path]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), FLAGS(path));
    assert.doesNotMatch(result.stderr, /not set/);
  });
});

Deno.test("deno task compile derives the flags it bakes in while the password variable is unset", async () => {
  await withConfig(async (path, dir) => {
    // The build itself needs Deno's runtime download; the command it runs is printed first.
    const result = await run([COMPILE, "--config", path, "--output", `${dir}/mysql-mcp`]);
    assert.doesNotMatch(result.stderr, /not set|configuration error/);
    const command = result.stderr.split("\n").find((line) => line.startsWith("deno compile "));
    assert.ok(command, result.stderr);
    assert.ok(command.includes(` ${FLAGS(path)} `), command);
  });
});

Deno.test("check (which connects) still refuses a config whose password variable is unset", async () => {
  await withConfig(async (path) => {
    const result = await run([MAIN, "check", "--config", path]);
    assert.match(result.stderr, /password_env names UNSET_A_PW, which is not set/);
  });
});
