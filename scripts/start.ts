/**
 * `deno task start [--config PATH] [...]`: derives the minimal Deno
 * permissions from the config and runs the server with exactly those. The
 * launcher itself may read the config; the server gets nothing more than it needs.
 */
import { parseArgs } from "../src/cli/parse_args.ts";
import { configPathFrom, loadConfig } from "../src/config/load_config.ts";
import { ConfigError } from "../src/config/parse_config.ts";
import { derivePermissions, permissionFlags } from "../src/permissions/derive_permissions.ts";

const args = parseArgs(Deno.args);
const path = absolute(configPathFrom(args.config, (name) => Deno.env.get(name)));
let flags: string[];
try {
  // The launcher derives flags from the config's shape; the server itself reads the passwords.
  const { config } = await loadConfig(path, (name) => Deno.env.get(name), { secrets: "names" });
  flags = permissionFlags(
    derivePermissions(config, { metricsPort: args.metricsPort, http: args.http }),
  );
} catch (error) {
  console.error(error instanceof ConfigError ? `configuration error: ${error.message}` : error);
  Deno.exit(2);
}
const main = new URL("../main.ts", import.meta.url).pathname;
const rest = Deno.args.filter((_, i, all) => all[i] !== "--config" && all[i - 1] !== "--config")
  .filter((a) => !a.startsWith("--config="));
const child = new Deno.Command(Deno.execPath(), {
  args: ["run", "--no-prompt", ...flags, main, ...rest, "--config", path],
  stdin: "inherit",
  stdout: "inherit",
  stderr: "inherit",
}).spawn();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    try {
      child.kill(signal);
    } catch { /* already gone */ }
  });
}
Deno.exit((await child.status).code);

function absolute(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
}
