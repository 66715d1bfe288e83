/**
 * The hidden command a compiled server runs itself with to host one plugin
 * (see plugin_launch.ts). The binary carries the server's permissions; all
 * but read (which loading the embedded modules needs) go before the entry is
 * imported, and the entry's lockdown drops read before the plugin's code runs.
 */
export const PLUGIN_HOST_COMMAND = "__plugin-host";

const DROPPED = ["write", "net", "env", "run", "ffi", "sys", "import"] as const;
const ENTRY_PREFIX = "data:application/javascript,";

/** Serves the plugin of `entry` until the server closes the channel; never resolves. */
export async function hostPlugin(entry: string | undefined): Promise<never> {
  if (!entry?.startsWith(ENTRY_PREFIX)) {
    console.error("mysql-mcp: the plugin host takes an entry module from the server");
    Deno.exit(2);
  }
  for (const name of DROPPED) await Deno.permissions.revoke({ name });
  await import(entry);
  return await new Promise<never>(() => {});
}
