import { assertEquals } from "./_assert.ts";
import { loadConfig } from "../../src/config/load_config.ts";
import { derivePermissions, permissionFlags } from "../../src/permissions/derive_permissions.ts";

const PROBE = new URL("./_probe_drop.ts", import.meta.url).pathname;

Deno.test("after startup the server holds no access to the password or token variables or the config file, and keeps the plugins folder and the database", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mysql_mcp_drop_" });
  try {
    await Deno.mkdir(`${dir}/plugins`);
    const path = `${dir}/datasources.toml`;
    await Deno.writeTextFile(
      path,
      [
        "[server]",
        `plugins_dir = "plugins"`,
        "[[datasources]]",
        `key = "probe"`,
        `host = "127.0.0.1"`,
        "port = 1",
        `username = "u"`,
        `password_env = "PROBE_DROP_PASSWORD"`,
        "[server.http]",
        "[[server.http.tokens]]",
        `env = "PROBE_DROP_TOKEN"`,
        "",
      ].join("\n"),
    );
    const env = {
      PROBE_DROP_PASSWORD: "drop-me-secret",
      PROBE_DROP_TOKEN: "drop-me-token-0123456789",
    };
    const { config } = await loadConfig(path, (name) => env[name as keyof typeof env]);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        ...permissionFlags(derivePermissions(config)),
        PROBE,
        path,
        "PROBE_DROP_PASSWORD",
        "PROBE_DROP_TOKEN",
      ],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, stderr);
    const result = JSON.parse(new TextDecoder().decode(out.stdout));
    assertEquals(result, {
      before: {
        password_variable: "granted",
        token_variable: "granted",
        config_file: "granted",
        plugins_folder: "granted",
        database: "granted",
      },
      after: {
        password_variable: "prompt",
        token_variable: "prompt",
        config_file: "prompt",
        plugins_folder: "granted",
        database: "granted",
      },
      read_variable: "NotCapable",
      read_token: "NotCapable",
      read_config: "NotCapable",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
