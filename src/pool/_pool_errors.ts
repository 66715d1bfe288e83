import { ToolError } from "../errors/tool_error.ts";
import type { PoolConfig } from "../config/config.ts";

type Sizes = Pick<PoolConfig, "maxConnections" | "maxQueue" | "acquireTimeoutMs">;

/** An acquire on a closed pool. */
export function closedError(pool: string): ToolError {
  return new ToolError("CONNECTION_FAILED", `Cannot use pool "${pool}": pool is closed`, { pool });
}

/** An acquire refused at once: every connection lent and the wait queue full. */
export function queueFullError(pool: string, sizes: Sizes, waiting: number): ToolError {
  const { maxConnections, maxQueue } = sizes;
  return new ToolError(
    "POOL_EXHAUSTED",
    `Pool "${pool}" has no free connection and its wait queue is full ` +
      `(max_connections ${maxConnections}, max_queue ${maxQueue})`,
    { pool, maxConnections, maxQueue, waiting },
  );
}

/**
 * A waiter past acquire_timeout: POOL_EXHAUSTED for a busy pool, or
 * CONNECTION_FAILED when the pool could grow but cannot reach its server.
 */
export function waitTimeoutError(
  pool: string,
  sizes: Sizes,
  waiting: number,
  connecting: boolean,
): ToolError {
  const { acquireTimeoutMs, maxConnections } = sizes;
  if (connecting) {
    return new ToolError(
      "CONNECTION_FAILED",
      `Pool "${pool}" could not open a connection within ${acquireTimeoutMs} ms ` +
        `(the server is unreachable or refusing connections; retrying in the background)`,
      { pool, acquireTimeoutMs },
    );
  }
  return new ToolError(
    "POOL_EXHAUSTED",
    `Pool "${pool}" has no free connection after ${acquireTimeoutMs} ms ` +
      `(max_connections ${maxConnections}, ${waiting} waiting)`,
    { pool, maxConnections, acquireTimeoutMs, waiting },
  );
}
