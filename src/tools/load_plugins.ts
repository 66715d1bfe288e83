import { z } from "zod";
import { sanitizeText } from "../errors/sanitize.ts";
import type { Logger } from "../log/logger.ts";
import { checkedTool, refusalText, toWire } from "../plugins/plugin_messages.ts";
import type { HookName } from "../plugins/protocol.ts";
import type { QueryHooks } from "../gate/hooks.ts";
import { type PluginDescription, PluginProcess } from "../plugins/plugin_process.ts";
import type { ToolDescription } from "../plugins/protocol.ts";
import type { PluginDefinition, ToolDefinition } from "./tool.ts";

export interface LoadedPlugin {
  /** Tools and hooks that are messages to the plugin's process. */
  plugin: PluginDefinition;
  /** The file name (not its full path), shown as the owner of its tools. */
  owner: string;
  /** Ends the plugin's process. */
  close?(): void;
}

export interface LoadPluginsOptions {
  /** A tool call (or a load) that takes longer ends the plugin's process. */
  timeLimitMs: number;
  /** The same for one hook call. */
  hookTimeLimitMs: number;
  /** The V8 heap limit of each plugin's process (default 256 MB). */
  memoryLimitMb?: number;
  /**
   * Files that hold secrets (the config, key files). A plugin may read its own folder while it
   * loads, so a folder holding one of them loads no plugin at all.
   */
  secretFiles?: readonly string[];
}

/** Arguments pass through here unchecked: the plugin's process validates them with its own schema. */
const CHECKED_IN_WORKER = z.looseObject({});

/**
 * Starts one process without permissions per `*.ts` / `*.js` file of `dir`
 * that default-exports a plugin or a single tool. A file that fails to load
 * or validate is logged with the reason and skipped; the others still load.
 */
export async function loadPlugins(
  dir: string,
  log: Logger,
  options: LoadPluginsOptions,
): Promise<LoadedPlugin[]> {
  const folder = `${dir.replace(/\/+$/, "")}/`;
  if ((options.secretFiles ?? []).some((file) => file.startsWith(folder))) {
    log.error(
      "plugins not loaded: the plugins folder also holds the config or a key file, which plugins could read; give plugins a folder of their own",
    );
    return [];
  }
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
  if (names.length === 0) return [];
  const started = await Promise.all(
    names.sort().map(async (name) => {
      const path = `${dir.replace(/\/$/, "")}/${name}`;
      try {
        const { child, description } = await PluginProcess.start(path, name, { ...options, log });
        log.info("plugin loaded", {
          plugin: description.name,
          file: name,
          tools: description.tools.length,
        });
        return {
          plugin: remotePlugin(child, description, log, name),
          owner: `plugin ${name}`,
          close: () => child.close(),
        };
      } catch (error) {
        log.error("plugin skipped", { file: name, reason: reasonOf(error) });
        return undefined;
      }
    }),
  );
  return started.filter((loaded) => loaded !== undefined);
}

/** The plugin as the server registers it: definitions whose code is in the plugin's process. */
function remotePlugin(
  child: PluginProcess,
  description: PluginDescription,
  log: Logger,
  file: string,
): PluginDefinition {
  const fit: ToolDescription[] = [];
  for (const described of description.tools) {
    const tool = checkedTool(described);
    if (typeof tool === "string") log.error("plugin tool skipped", { file, reason: tool });
    else fit.push(tool);
  }
  const tools = fit.map((tool): ToolDefinition => ({
    name: tool.name,
    description: tool.description,
    input: CHECKED_IN_WORKER,
    ...(tool.annotations ? { annotations: tool.annotations } : {}),
    listed: { input: tool.input, ...(tool.output ? { output: tool.output } : {}) },
    handler: (args, ctx) => child.call(tool.name, args, ctx),
  }));
  const hooks = pluginHooks(child, description.hooks);
  return { name: description.name, tools, ...(hooks ? { hooks } : {}) };
}

/** A plugin's hooks as the gate calls them: each one a request to its process. */
function pluginHooks(
  plugin: PluginProcess,
  names: readonly HookName[],
): QueryHooks | undefined {
  if (names.length === 0) return undefined;
  const hooks: QueryHooks = {};
  if (names.includes("beforeQuery")) {
    hooks.beforeQuery = async (info) => refusalText(await plugin.hook("beforeQuery", info));
  }
  if (names.includes("afterQuery")) {
    hooks.afterQuery = async (info, result) =>
      (await plugin.hook("afterQuery", info, result) ?? undefined) as typeof result | undefined;
  }
  if (names.includes("onError")) {
    hooks.onError = async (info, error) => {
      await plugin.hook("onError", info, toWire(error));
    };
  }
  return hooks;
}

function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // Operators see which file failed; full paths stay out of the logs.
  return sanitizeText(text.split("\n")[0]).slice(0, 500);
}
