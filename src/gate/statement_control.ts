import type { ServerConfig } from "../config/config.ts";
import type { Datasources } from "../datasources/datasources.ts";
import { toToolError } from "../errors/sanitize.ts";
import { ToolError } from "../errors/tool_error.ts";
import type { Logger } from "../log/logger.ts";
import { killQuery } from "../pool/kill_query.ts";
import type { PooledConnection } from "../pool/types.ts";
import { Deadlines } from "./deadlines.ts";
import { ConnectionLostError, RowTooLargeError } from "./runner.ts";

/** Grace after the server-side timeout before the client kills the statement itself. */
export const KILL_GRACE_MS = 1_000;

/** A running statement's client-side wall: why it was stopped, if it was. */
export interface StatementGuard {
  stop(): void;
  reason(): "timeout" | "cancelled" | undefined;
}

/**
 * What every round trip to a database needs, whoever runs it: deadlines, KILL
 * QUERY, giving a connection back in the right state, and one sanitising of errors.
 */
export class StatementControl {
  readonly #deadlines = new Deadlines();

  constructor(
    private readonly datasources: Datasources,
    private readonly server: ServerConfig,
    private readonly log: Logger,
  ) {}

  /**
   * Arms the client-side wall behind the server-side timeout and the MCP
   * cancellation: either one kills the statement on the server.
   */
  guard(datasource: string, conn: PooledConnection, signal?: AbortSignal): StatementGuard {
    let reason: "timeout" | "cancelled" | undefined;
    let lastResort: ReturnType<typeof setTimeout> | undefined;
    const kill = (why: "timeout" | "cancelled") => {
      if (reason) return;
      reason = why;
      this.killStatement(datasource, conn);
      // If even KILL QUERY gets no answer (server hung, network gone), drop the
      // connection: its pending command then fails instead of hanging forever.
      lastResort = setTimeout(() => conn.discard("statement did not stop"), 5 * KILL_GRACE_MS);
    };
    const cancelDeadline = this.#deadlines.add(
      this.server.queryTimeoutMs + KILL_GRACE_MS,
      () => kill("timeout"),
    );
    const onAbort = () => kill("cancelled");
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) onAbort();
    return {
      stop() {
        cancelDeadline();
        clearTimeout(lastResort);
        signal?.removeEventListener("abort", onAbort);
      },
      reason: () => reason,
    };
  }

  /**
   * A deadline for a round trip that has no server-side timeout of its own
   * (metadata, prepare): past query_timeout + grace the statement is killed and
   * its connection closed, which fails the waiting command; the pool replaces it.
   */
  roundTripDeadline(datasource: string, conn: PooledConnection, what: string) {
    let expired: ToolError | undefined;
    const ms = this.server.queryTimeoutMs + KILL_GRACE_MS;
    const cancel = this.#deadlines.add(ms, () => {
      expired = new ToolError(
        "QUERY_TIMEOUT",
        `The ${what} got no answer from the database within ${ms} ms; its connection was closed`,
      );
      this.killStatement(datasource, conn);
      conn.discard(`${what} timed out`);
    });
    return { stop: cancel, error: () => expired };
  }

  /** Stops whatever `conn` is running, from a separate connection (KILL QUERY). */
  killStatement(datasource: string, conn: PooledConnection): void {
    killQuery(this.datasources.target(datasource), conn.threadId, conn.flavor).catch((error) =>
      this.log.warn("KILL QUERY failed", {
        datasource,
        error: toToolError(error, this.datasources.secrets()).message,
      })
    );
  }

  /** Returns a connection after a failed statement: discarded when it cannot be reused. */
  giveBack(conn: PooledConnection, error: unknown): void {
    const e = error as { fatal?: boolean; errno?: number; code?: string };
    // A killed or lost connection must not go back to the idle list, even for a moment.
    // A refused oversized row leaves the connection mid-result: it cannot be reused either.
    const lost = error instanceof ConnectionLostError || error instanceof RowTooLargeError ||
      e?.fatal || e?.errno === 1927 ||
      e?.errno === 2013 || e?.errno === 2006 ||
      e?.code === "PROTOCOL_CONNECTION_LOST" || e?.code === "ECONNRESET";
    if (lost) conn.discard("connection lost");
    else {
      conn.markDirty();
      conn.release();
    }
  }

  /** The one mapping from a driver or runtime error to what the agent sees. */
  sanitize(error: unknown): ToolError {
    if (error instanceof ConnectionLostError) {
      return new ToolError("CONNECTION_FAILED", error.message);
    }
    const toolError = toToolError(error, this.datasources.secrets());
    if (toolError.code === "QUERY_TIMEOUT") {
      return new ToolError(
        "QUERY_TIMEOUT",
        `The statement ran longer than query_timeout (${this.server.queryTimeoutMs} ms) and was stopped on the server`,
        toolError.details,
      );
    }
    if (toolError.code === "INTERNAL_ERROR") {
      this.log.error("unexpected error in the SQL gate", { error: String(error) });
    }
    return toolError;
  }

  /**
   * The answer for a statement stopped by its timeout, the client or shutdown.
   * For a write it says whether anything was applied, from what the server
   * itself answered: an error for the statement means InnoDB rolled it back;
   * no answer at all (connection closed under it) means nobody can say.
   */
  stopped(
    why: "timeout" | "cancelled",
    signal: AbortSignal | undefined,
    readOnly: boolean,
    error: unknown,
    /** Whether every table the write touches is transactional (InnoDB); undefined: unknown. */
    transactional?: boolean,
  ): ToolError {
    const shutdown = (signal?.reason as { name?: string } | undefined)?.name === "ShutdownError";
    const what = why === "timeout"
      ? `The statement ran longer than query_timeout (${this.server.queryTimeoutMs} ms)`
      : shutdown
      ? "The statement was stopped because the server is shutting down"
      : "The statement was cancelled by the client";
    const code = why === "timeout" ? "QUERY_TIMEOUT" : "QUERY_EXECUTION_ERROR";
    const errno = (error as { errno?: unknown })?.errno;
    const answered = !(error instanceof ConnectionLostError) && typeof errno === "number";
    if (readOnly) {
      return new ToolError(
        code,
        answered ? `${what} and was stopped on the server` : `${what}; its connection was closed`,
      );
    }
    if (answered && transactional === false) {
      return new ToolError(
        code,
        `${what} and was stopped on the server (error ${errno}), but a table it writes is not ` +
          `transactional: rows changed before the stop stay changed. Check before retrying`,
        { applied: "partial", errno },
      );
    }
    return answered
      ? new ToolError(
        code,
        `${what} and was stopped on the server, which answered it with error ${errno} and rolled ` +
          `it back: nothing was applied` +
          (transactional
            ? " (its tables are InnoDB)"
            : " (on a transactional engine such as InnoDB)"),
        { applied: false, errno },
      )
      : new ToolError(
        code,
        `${what}; the database did not answer, so its connection was closed. Whether the change ` +
          `was applied is unknown: check before retrying`,
        { applied: "unknown" },
      );
  }
}
