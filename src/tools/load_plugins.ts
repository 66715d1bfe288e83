import { sanitizeText } from "../errors/sanitize.ts";
import type { Logger } from "../log/logger.ts";
import type { PluginDefinition, ToolDefinition } from "./tool.ts";

export interface LoadedPlugin {
  plugin: PluginDefinition;
  /** The file name (not its full path), shown as the owner of its tools. */
  owner: string;
}

/**
 * Imports every `*.ts` / `*.js` file of `dir` that default-exports a plugin
 * or a single tool. A file that fails to load or validate is logged with the
 * reason and skipped; the others still load.
 */
export async function loadPlugins(dir: string, log: Logger): Promise<LoadedPlugin[]> {
  let names: string[];
  try {
    names = [];
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && /\.(ts|js|mjs)$/.test(entry.name) && !entry.name.startsWith("_")) {
        if (!/\.(test|spec)\.(ts|js)$/.test(entry.name)) names.push(entry.name);
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      log.warn("plugins folder cannot be read; no plugins loaded", { reason: reasonOf(error) });
    }
    return [];
  }
  const loaded: LoadedPlugin[] = [];
  for (const name of names.sort()) {
    const path = `${dir.replace(/\/$/, "")}/${name}`;
    try {
      const module = await import(toFileUrl(path));
      const plugin = asPlugin(module.default, name);
      loaded.push({ plugin, owner: `plugin ${name}` });
      log.info("plugin loaded", {
        plugin: plugin.name,
        file: name,
        tools: plugin.tools?.length ?? 0,
      });
    } catch (error) {
      log.error("plugin skipped", { file: name, reason: reasonOf(error) });
    }
  }
  return loaded;
}

function asPlugin(value: unknown, file: string): PluginDefinition {
  if (typeof value !== "object" || value === null) {
    throw new TypeError(`${file} has no default export of a plugin or tool definition`);
  }
  const candidate = value as Partial<PluginDefinition & ToolDefinition>;
  if (typeof candidate.handler === "function") {
    return { name: String(candidate.name), tools: [candidate as ToolDefinition] };
  }
  if (typeof candidate.name !== "string" || candidate.name === "") {
    throw new TypeError(`${file}: a plugin needs a name`);
  }
  if (candidate.tools !== undefined && !Array.isArray(candidate.tools)) {
    throw new TypeError(`${file}: plugin "${candidate.name}" has tools that are not a list`);
  }
  if (candidate.hooks !== undefined && (typeof candidate.hooks !== "object" || !candidate.hooks)) {
    throw new TypeError(`${file}: plugin "${candidate.name}" has hooks that are not an object`);
  }
  if (!candidate.tools?.length && !candidate.hooks) {
    throw new TypeError(`${file}: plugin "${candidate.name}" has neither tools nor hooks`);
  }
  return candidate as PluginDefinition;
}

function toFileUrl(path: string): string {
  const absolute = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  return new URL(`file://${absolute.split("/").map(encodeURIComponent).join("/")}`).href;
}

function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // Operators see which file failed; full paths stay out of the logs.
  return sanitizeText(text.split("\n")[0]).slice(0, 500);
}
