/**
 * A plugin's `ctx.query` / `ctx.execute` as the server runs it: through the
 * context of the call in progress (the SQL gate, its limits), never outside
 * one, and never more than a few at once, since the pool is everyone's.
 */
import { toToolError } from "../errors/sanitize.ts";
import { ToolError } from "../errors/tool_error.ts";
import type { StatementRequest, ToolContext } from "../tools/tool.ts";
import { toWire } from "./plugin_messages.ts";
import type { WireError } from "./protocol.ts";

/** How many statements one plugin may have running. */
export class StatementAllowance {
  running = 0;
  constructor(readonly max: number) {}
}

/** Runs one statement a plugin asked for; the answer to send back, value or error. */
export async function runPluginSql(
  ctx: ToolContext | undefined,
  kind: unknown,
  request: StatementRequest,
  allowance: StatementAllowance,
): Promise<{ value?: unknown; error?: WireError }> {
  try {
    if (!ctx) {
      throw new ToolError(
        "INVALID_ARGUMENT",
        "A plugin may run SQL only while one of its tool calls is in progress",
      );
    }
    if (kind !== "query" && kind !== "execute") throw new TypeError("unknown statement kind");
    if (allowance.running >= allowance.max) {
      throw new ToolError(
        "POOL_EXHAUSTED",
        `A plugin may run at most ${allowance.max} statements at once`,
      );
    }
    allowance.running++;
    try {
      return { value: await ctx[kind](request) };
    } finally {
      allowance.running--;
    }
  } catch (error) {
    return { error: toWire(toToolError(error)) };
  }
}
