import type { Config } from "../config/config.ts";
import { derivePermissions } from "./derive_permissions.ts";
import { permissionFlags } from "./permission_flags.ts";

export interface CompileOptions {
  /** Path of the executable to write. */
  output: string;
  /** The server's entry module, e.g. `main.ts`. */
  entry: string;
  /** Files or folders to embed (plugins); defaults to the configured plugins folder. */
  include?: string[];
  /** Target triple, e.g. `x86_64-unknown-linux-gnu`; defaults to this machine. */
  target?: string;
}

/**
 * The argv (after the `deno` executable) of `deno compile` for a single binary
 * that serves `config` with its derived, minimal permissions baked in.
 * Arguments after the entry module are baked in too, so the binary starts as
 * `serve --config <path>` with no flags of its own.
 */
export function compileCommand(config: Config, options: CompileOptions): string[] {
  // The binary runs from anywhere: a relative path would move with its cwd.
  if (!isAbsolute(config.path)) {
    throw new TypeError(
      `Cannot bake config path "${config.path}" into a binary: it must be absolute`,
    );
  }
  const include = options.include ??
    (config.server.pluginsDir ? [config.server.pluginsDir] : []);
  for (const path of include) {
    // Deno may split --include on commas, like the --allow-* lists.
    if (path.includes(",")) {
      throw new TypeError(`Cannot embed "${path}": a comma in an --include path is ambiguous`);
    }
  }
  return [
    "compile",
    "--no-prompt",
    // The binary starts itself for plugin processes, from where it is built.
    ...permissionFlags(derivePermissions(config, { pluginExecutable: absolute(options.output) })),
    ...include.map((path) => `--include=${path}`),
    // Plugin processes load it first; the server never imports it (it acts on import).
    ...(include.length > 0 ? [`--include=${LOCKDOWN_MODULE}`] : []),
    ...(options.target ? [`--target=${options.target}`] : []),
    `--output=${options.output}`,
    options.entry,
    "serve",
    "--config",
    config.path,
  ];
}

const LOCKDOWN_MODULE = decodeURIComponent(
  new URL("../plugins/plugin_lockdown.ts", import.meta.url).pathname,
);

function absolute(path: string): string {
  return isAbsolute(path) ? path : `${Deno.cwd()}/${path}`;
}

function isAbsolute(path: string): boolean {
  return path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\");
}
