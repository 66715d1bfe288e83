/**
 * How a plugin's process is started. Under `deno run` it is a second
 * `deno run` of a generated entry module, with no permission flag at all (its
 * modules load as static imports, which need none), the server's own
 * deno.json for `mysql-mcp/plugin` and `zod`, and a V8 heap limit of its own.
 * A compiled server has no `deno`: it starts itself with a hidden command
 * (plugin_host_command.ts) that drops the permissions the binary was built
 * with before the entry loads.
 *
 * Either way the process gets a clean environment: only what Deno needs to
 * find its module cache and the machine's CA certificates, never a password
 * variable.
 */

import { PLUGIN_HOST_COMMAND } from "./plugin_host_command.ts";

const SERVER_ROOT = new URL("../../", import.meta.url);
const SERVER_SOURCE = decodeURIComponent(new URL("../", import.meta.url).pathname).replace(
  /\/$/,
  "",
);
const LOCKDOWN = new URL("./plugin_lockdown.ts", import.meta.url).href;
const RUNTIME = new URL("./plugin_runtime.ts", import.meta.url).href;

/** What Deno itself reads to find its cache and to trust the registry's certificates. */
export const PLUGIN_ENV = [
  "HOME",
  "DENO_DIR",
  "XDG_CACHE_HOME",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
] as const;

export interface PluginLaunch {
  readonly memoryLimitMb: number;
  spawn(): Deno.ChildProcess;
}

/**
 * The entry module: the lockdown first, so it runs before anything of the
 * plugin's; then the runtime, which imports the plugin. That import is
 * dynamic on purpose: Deno checks every module it loads against the read
 * permission (the plugins folder and the server's source only), so a plugin
 * cannot pull the config file or another secret in as a text import.
 */
export function pluginEntry(path: string, file: string): string {
  const source = `import ${JSON.stringify(LOCKDOWN)};\n` +
    `import { loadAndServe } from ${JSON.stringify(RUNTIME)};\n` +
    `await loadAndServe(${JSON.stringify(toFileUrl(path))}, ${JSON.stringify(file)});\n`;
  return `data:application/javascript,${encodeURIComponent(source)}`;
}

/** What a plugin's modules may be read from: its own folder and the server's source. */
export function pluginReadRoots(path: string): string[] {
  const absolute = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  return [absolute.replace(/\/[^/]*$/, "") || "/", SERVER_SOURCE];
}

export function pluginLaunch(path: string, file: string, memoryLimitMb: number): PluginLaunch {
  const entry = pluginEntry(path, file);
  const v8Flags = `--max-old-space-size=${memoryLimitMb}`;
  // PATH only so that a plugin trying a program is refused for permission, not "not found".
  const env: Record<string, string> = {
    NO_COLOR: "1",
    DENO_NO_UPDATE_CHECK: "1",
    PATH: "/usr/local/bin:/usr/bin:/bin",
  };
  for (const name of PLUGIN_ENV) {
    const value = readEnv(name);
    if (value !== undefined) env[name] = value;
  }
  const roots = pluginReadRoots(path);
  const args = Deno.build.standalone ? [PLUGIN_HOST_COMMAND, entry] : [
    "run",
    "--no-prompt",
    "--quiet",
    `--config=${decodeURIComponent(new URL("deno.json", SERVER_ROOT).pathname)}`,
    // Only modules already in the cache and the lock: a plugin neither downloads nor
    // changes the server's deno.lock.
    "--cached-only",
    "--frozen",
    "--no-remote",
    // Read only to load modules; the runtime gives it up before the plugin serves.
    `--allow-read=${roots.join(",")}`,
    `--v8-flags=${v8Flags}`,
    entry,
  ];
  if (Deno.build.standalone) env.DENO_V8_FLAGS = v8Flags;
  return {
    memoryLimitMb,
    spawn: () =>
      new Deno.Command(Deno.execPath(), {
        args,
        clearEnv: true,
        env,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn(),
  };
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // not granted: Deno falls back to its defaults
  }
}

function toFileUrl(path: string): string {
  const absolute = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  return new URL(`file://${absolute.split("/").map(encodeURIComponent).join("/")}`).href;
}
