import assert from "assert";
import { testConfigToml } from "./support/test_app.ts";
import { testDatabase } from "./support/test_database.ts";
import { DB_TEST } from "./support/test_app.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

async function run(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env,
    stdin: "null",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test({
  name:
    "mysql-mcp check prints key, name, transport, status and latency, and fails when a source is down",
  ...DB_TEST,
  async fn() {
    const db = await testDatabase();
    const dir = await Deno.makeTempDir();
    try {
      const good = `${dir}/good.toml`;
      await Deno.writeTextFile(good, testConfigToml(db));
      const ok = await run(["check", "--config", good]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /^KEY\s+NAME\s+STATUS\s+LATENCY\s+TRANSPORT\s+SERVER\s+AUTH/m);
      assert.match(ok.stdout, /^test\s+Test database\s+available\s+[\d.]+ ms\s+tcp\s/m);

      const mixed = `${dir}/mixed.toml`;
      await Deno.writeTextFile(
        mixed,
        testConfigToml(db) +
          `\n[[datasources]]\nkey = "down"\nhost = "127.0.0.1"\nport = 1\nusername = "u"\npassword = "secret-pw-123"\n`,
      );
      const bad = await run(["check", "--config", mixed]);
      assert.equal(bad.code, 1);
      assert.match(bad.stdout, /^down\s+down\s+unavailable \(.*connection refused.*\)\s+-\s+tcp/m);
      assert.ok(!(bad.stdout + bad.stderr).includes("secret-pw-123"));
      assert.ok(!(bad.stdout + bad.stderr).includes(db.password));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("mysql-mcp permissions prints exactly the derived flags", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/datasources.toml`;
    await Deno.writeTextFile(
      path,
      `[[datasources]]\nkey = "a"\nhost = "db.internal"\nport = 3307\nusername = "u"\npassword_env = "A_PW"\n`,
    );
    const result = await run(["permissions", "--config", path], { A_PW: "x" });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout.trim(),
      `--allow-net=db.internal:3307 --allow-read=${path} --allow-env=A_PW,MYSQL_MCP_CONFIG,MYSQL_MCP_LOG_LEVEL`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mysql-mcp permissions --http adds the listen address and the token variables", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/datasources.toml`;
    await Deno.writeTextFile(
      path,
      `[server.http]\n[[server.http.tokens]]\nenv = "CI_TOKEN"\n[[datasources]]\nkey = "a"\nhost = "db.internal"\nport = 3307\nusername = "u"\npassword_env = "A_PW"\n`,
    );
    // The flags need the config's shape only: neither variable is set here.
    const result = await run(["permissions", "--http", "0.0.0.0:8443", "--config", path], {});
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout.trim(),
      `--allow-net=db.internal:3307,0.0.0.0:8443 --allow-read=${path} --allow-env=A_PW,CI_TOKEN,MYSQL_MCP_CONFIG,MYSQL_MCP_LOG_LEVEL`,
    );
    const bad = await run(["serve", "--http", "localhost:http", "--config", path], {});
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Cannot parse listen address "localhost:http"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mysql-mcp reports a bad config or argument clearly, on stderr, with exit code 2", async () => {
  const missing = await run(["--config", "/nonexistent/datasources.toml"]);
  assert.equal(missing.code, 2);
  assert.equal(missing.stdout, "");
  assert.match(missing.stderr, /configuration error: .*file not found/);
  const unknown = await run(["--bogus"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown argument "--bogus"/);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.toml`, `[[datasources]]\nkey = \n`);
    const bad = await run(["check", "--config", `${dir}/bad.toml`]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad\.toml:2:\d+: invalid TOML/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
