import type { Logger, LogLevel } from "./logger.ts";

/** The log level each console method writes at. */
export const CONSOLE_LEVELS: Readonly<Record<string, LogLevel>> = {
  debug: "debug",
  trace: "debug",
  log: "info",
  info: "info",
  dir: "info",
  table: "info",
  warn: "warn",
  error: "error",
};

/**
 * Sends `console.log`, `console.error` and their kin through `log` (a JSON
 * record on stderr, scrubbed of secrets) while the server runs. stdout
 * belongs to MCP: a plugin's or a library's stray `console.log` would
 * otherwise corrupt the protocol stream and pass the secret scrubber by.
 * Returns a function that puts the original methods back.
 */
export function routeConsole(log: Logger, target: Console = globalThis.console): () => void {
  const originals = new Map<string, unknown>();
  for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
    const record = target as unknown as Record<string, unknown>;
    originals.set(method, record[method]);
    record[method] = (...args: unknown[]) => {
      log.log(level, args.map((a) => typeof a === "string" ? a : Deno.inspect(a)).join(" "), {
        source: "console",
      });
    };
  }
  return () => {
    for (const [method, original] of originals) {
      (target as unknown as Record<string, unknown>)[method] = original;
    }
  };
}
