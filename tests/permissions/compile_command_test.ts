import { assertEquals, assertThrows } from "./_assert.ts";
import { compileCommand } from "../../src/permissions/compile_command.ts";
import { configWith } from "./_config.ts";

const CONFIG = configWith(
  [{ host: "127.0.0.1", port: 3306, passwordEnv: "SHOP_PASSWORD" }],
  { pluginsDir: "/etc/mcp/plugins" },
);

const BINARY = `${Deno.cwd()}/dist/mysql-mcp`;
const LOCKDOWN = decodeURIComponent(
  new URL("../../src/plugins/plugin_lockdown.ts", import.meta.url).pathname,
);

Deno.test("compileCommand() bakes the derived flags and the serve arguments into the binary", () => {
  assertEquals(compileCommand(CONFIG, { output: "dist/mysql-mcp", entry: "main.ts" }), [
    "compile",
    "--no-prompt",
    "--allow-net=127.0.0.1:3306",
    `--allow-read=/etc/mcp/datasources.toml,/etc/mcp/plugins,${BINARY}`,
    "--allow-env=DENO_DIR,HOME,MYSQL_MCP_CONFIG,MYSQL_MCP_LOG_LEVEL,SHOP_PASSWORD,SSL_CERT_DIR," +
    "SSL_CERT_FILE,XDG_CACHE_HOME",
    // The binary starts itself (where it is built) for plugin processes.
    `--allow-run=${BINARY}`,
    "--include=/etc/mcp/plugins",
    `--include=${LOCKDOWN}`,
    "--output=dist/mysql-mcp",
    "main.ts",
    "serve",
    "--config",
    "/etc/mcp/datasources.toml",
  ]);
});

Deno.test("compileCommand() embeds the given plugin files and passes a target", () => {
  const argv = compileCommand(CONFIG, {
    output: "out/mcp",
    entry: "main.ts",
    include: ["/etc/mcp/plugins/a.ts", "/etc/mcp/plugins/b.ts"],
    target: "aarch64-unknown-linux-gnu",
  });
  assertEquals(argv.filter((a) => a.startsWith("--include")), [
    "--include=/etc/mcp/plugins/a.ts",
    "--include=/etc/mcp/plugins/b.ts",
    `--include=${LOCKDOWN}`,
  ]);
  assertEquals(argv.includes("--target=aarch64-unknown-linux-gnu"), true);
  assertEquals(argv.slice(-4), ["main.ts", "serve", "--config", "/etc/mcp/datasources.toml"]);
});

Deno.test("compileCommand() embeds nothing when no plugins folder is configured", () => {
  const argv = compileCommand(configWith([{ host: "db", port: 3306 }]), {
    output: "mcp",
    entry: "main.ts",
  });
  assertEquals(argv.some((a) => a.startsWith("--include")), false);
  assertEquals(argv.some((a) => a === "-A" || a === "--allow-all"), false);
});

Deno.test("compileCommand() refuses a relative config path, which would move with the cwd", () => {
  const config = configWith([{ host: "db", port: 3306 }], { path: "datasources.toml" });
  assertThrows(
    () => compileCommand(config, { output: "mcp", entry: "main.ts" }),
    TypeError,
    "must be absolute",
  );
});

Deno.test("compileCommand() refuses an include path with a comma", () => {
  assertThrows(
    () => compileCommand(CONFIG, { output: "mcp", entry: "main.ts", include: ["/a,b.ts"] }),
    TypeError,
    "comma",
  );
});
