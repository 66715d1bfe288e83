/**
 * The hidden command a compiled server runs itself with to host one plugin
 * (see plugin_launch.ts). The binary carries the server's permissions: all
 * but read go before anything loads; of read, everything the config names
 * (the config file itself, key files, sockets) goes too, so the plugin's
 * modules can be read only from its folder (and the binary's own). The
 * entry's runtime drops the rest of read before the plugin serves.
 */
import { loadConfig } from "../config/load_config.ts";
import { derivePermissions } from "../permissions/derive_permissions.ts";

export const PLUGIN_HOST_COMMAND = "__plugin-host";

const DROPPED = ["write", "net", "env", "run", "ffi", "sys", "import"] as const;
const ENTRY_PREFIX = "data:application/javascript,";

/** Serves the plugin of `entry` until the server closes the channel; never resolves. */
export async function hostPlugin(entry: string | undefined, argv: string[]): Promise<never> {
  if (!entry?.startsWith(ENTRY_PREFIX)) {
    console.error("mysql-mcp: the plugin host takes an entry module from the server");
    Deno.exit(2);
  }
  const at = argv.indexOf("--config");
  const configPath = at >= 0 ? argv[at + 1] : undefined;
  if (configPath) {
    const { config } = await loadConfig(configPath, () => undefined, { secrets: "names" });
    const keep = config.server.pluginsDir;
    for (const path of derivePermissions(config).read) {
      if (path !== keep) await Deno.permissions.revoke({ name: "read", path });
    }
  }
  for (const name of DROPPED) await Deno.permissions.revoke({ name });
  await import(entry);
  return await new Promise<never>(() => {});
}
