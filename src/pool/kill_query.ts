import { ToolError } from "../errors/tool_error.ts";
import { connectionError } from "./_connection_error.ts";
import { connect } from "./connect.ts";
import type { ConnectionTarget, ServerFlavor } from "./types.ts";

/**
 * Stops the statement running on server thread `threadId` (timeouts and
 * cancellation). Uses a short-lived separate connection without a default
 * database, because the busy one cannot take another command.
 */
export async function killQuery(
  target: ConnectionTarget,
  threadId: number,
  _flavor: ServerFlavor,
): Promise<void> {
  // The id is spliced into SQL: it must be a plain positive integer.
  if (!Number.isSafeInteger(threadId) || threadId <= 0) {
    throw new ToolError("INVALID_ARGUMENT", `Invalid thread id for KILL QUERY: ${threadId}`);
  }
  const { raw } = await connect({ ...target, database: undefined });
  try {
    // The same statement on both flavors today; the flavor is taken so that can change here alone.
    const sql = `KILL QUERY ${threadId}`;
    await new Promise<void>((resolve, reject) => {
      // KILL itself gets a deadline: a server that takes connections but never answers
      // must not leave the caller (and this connection) waiting.
      const timer = setTimeout(
        () => reject({ code: "ROUND_TRIP_TIMEOUT" }),
        target.connectTimeoutMs,
      );
      raw.query(sql, (error: unknown) => {
        clearTimeout(timer);
        // Unknown thread (1094): the statement already finished, which is what we wanted.
        if (error && (error as { errno?: number }).errno !== 1094) reject(error);
        else resolve();
      });
    });
  } catch (error) {
    throw connectionError(error, "Cannot cancel the query");
  } finally {
    raw.end();
    raw.destroy();
  }
}
