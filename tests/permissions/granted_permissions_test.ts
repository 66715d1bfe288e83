import { assertEquals } from "./_assert.ts";
import type { Permissions } from "../../src/permissions/derive_permissions.ts";
import { permissionFlags } from "../../src/permissions/derive_permissions.ts";
import {
  broaderThanNeeded,
  type PermissionQuery,
} from "../../src/permissions/granted_permissions.ts";

const NEEDED: Permissions = {
  net: ["127.0.0.1:3306"],
  read: ["/etc/mcp/datasources.toml", "/etc/mcp/plugins"],
  env: ["MYSQL_MCP_CONFIG", "MYSQL_MCP_LOG_LEVEL", "SHOP_PASSWORD"],
  sys: [],
  run: [],
};

/** A fake Deno.permissions.query granting what `grants` lists, e.g. `net`, `sys:hostname`. */
function grantsOnly(...grants: string[]): PermissionQuery {
  return (descriptor) => {
    const d = descriptor as unknown as Record<string, string | undefined>;
    const item = d.host ?? d.path ?? d.variable ?? d.kind ?? d.command;
    const key = item === undefined ? d.name : `${d.name}:${item}`;
    return Promise.resolve({ state: grants.includes(key!) ? "granted" : "prompt" });
  };
}

/** Runs _print_broader.ts under `flags` and returns what it reports. */
async function reportUnder(flags: string[], needed: Permissions = NEEDED): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      ...flags,
      new URL("./_print_broader.ts", import.meta.url).pathname,
      JSON.stringify(needed),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test("broaderThanNeeded() is empty when only the needed items are granted", async () => {
  const query = grantsOnly("net:127.0.0.1:3306", "read:/etc/mcp/plugins", "env:SHOP_PASSWORD");
  assertEquals(await broaderThanNeeded(NEEDED, query), []);
});

Deno.test("broaderThanNeeded() names each unscoped kind once", async () => {
  const query = grantsOnly("net", "write", "run", "net:example.com:443", "write:/");
  assertEquals(await broaderThanNeeded(NEEDED, query), [
    "net: all hosts",
    "write: all files",
    "run: any program",
  ]);
});

Deno.test("broaderThanNeeded() notices scoped grants wider than the config", async () => {
  const query = grantsOnly(
    "read:/",
    "read:/etc/passwd",
    "sys:hostname",
    "sys:osRelease",
    "env:HOME",
  );
  assertEquals(await broaderThanNeeded(NEEDED, query), [
    "read: /",
    "env: HOME",
    "sys: hostname",
    "sys: osRelease",
  ]);
});

Deno.test("broaderThanNeeded() does not report what the config itself needs", async () => {
  const needed: Permissions = { ...NEEDED, env: ["HOME"], sys: ["hostname"], read: ["/"] };
  const query = grantsOnly("env:HOME", "sys:hostname", "read:/", "read:/etc/passwd");
  assertEquals(await broaderThanNeeded(needed, query), []);
});

Deno.test("broaderThanNeeded() reports nothing for a process run with the derived flags", async () => {
  assertEquals(await reportUnder(permissionFlags(NEEDED)), []);
});

Deno.test("broaderThanNeeded() reports everything for a process run with -A", async () => {
  assertEquals(await reportUnder(["-A"]), [
    "net: all hosts",
    "read: all files",
    "write: all files",
    "env: all variables",
    "sys: all",
    "run: any program",
    "ffi: any library",
    "import: all hosts",
  ]);
});

Deno.test("broaderThanNeeded() reports a whole-disk read and a bare --allow-net", async () => {
  assertEquals(await reportUnder(["--allow-read=/", "--allow-net"]), [
    "net: all hosts",
    "read: /",
  ]);
});
