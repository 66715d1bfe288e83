import { toToolError } from "../errors/sanitize.ts";
import { ToolError } from "../errors/tool_error.ts";

/**
 * A connection-level failure as a CONNECTION_FAILED ToolError: the errors/ mapping with the
 * pool's context ("Cannot connect"). `details.transient` tells SourceHealth whether retrying
 * can help.
 */
export function connectionError(error: unknown, context: string): ToolError {
  return toToolError(error, [], { connecting: context });
}

/** True when a CONNECTION_FAILED error says retrying cannot help (bad password, unknown database). */
export function isPermanent(error: unknown): boolean {
  return error instanceof ToolError && error.details?.transient === false;
}
