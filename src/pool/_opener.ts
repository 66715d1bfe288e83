import { ToolError } from "../errors/tool_error.ts";
import { connectionError } from "./_connection_error.ts";
import type { Connector, SessionOps } from "./session_ops.ts";
import type { SourceHealth } from "./source_health.ts";
import type { ConnectionTarget, PoolOptions } from "./types.ts";

/**
 * Opens a pool's connections through its Connector (with the data source's
 * retry and backoff when there is a SourceHealth) and counts those in flight.
 */
export class Opener {
  /** Connections being opened right now; they count against max_connections. */
  opening = 0;
  /** The last connect failed: refilling waits for a health check or the source's recovery. */
  failed = false;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #closer = new AbortController();

  constructor(
    readonly name: string,
    readonly target: ConnectionTarget,
    readonly connect: Connector,
    readonly health: SourceHealth | undefined,
    readonly log: NonNullable<PoolOptions["log"]>,
  ) {}

  /** Opens one connection: the session, or the CONNECTION_FAILED error naming the pool. */
  open(): Promise<SessionOps | ToolError> {
    this.opening++;
    const signal = this.#closer.signal;
    const attempt = () => this.connect(this.target, signal);
    const opening = this.health ? this.health.connectWithRetry(attempt, signal) : attempt();
    const settled = opening.then((session) => {
      this.opening--;
      this.failed = false;
      return session;
    }, (error) => this.#failed(error));
    this.#inFlight.add(settled);
    void settled.finally(() => this.#inFlight.delete(settled));
    return settled;
  }

  /** Aborts the connects in flight and waits for them to settle. */
  async close(): Promise<void> {
    this.#closer.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  #failed(error: unknown): ToolError {
    this.opening--;
    const cause = connectionError(error, "Cannot connect");
    const failure = new ToolError("CONNECTION_FAILED", `Pool "${this.name}": ${cause.message}`, {
      pool: this.name,
      ...cause.details,
    });
    if (this.#closer.signal.aborted) return failure;
    if (!this.failed) {
      this.log("warn", `Pool "${this.name}" cannot open a connection`, { error: failure.message });
    }
    this.failed = true;
    return failure;
  }
}
