import type { Logger } from "../log/logger.ts";
/** Calls in flight at shutdown get this long to finish by themselves. */
export const SHUTDOWN_GRACE_MS = 5_000;
/** Then they are stopped (KILL QUERY, last resort after 5 s) and answered within this. */
export const STOP_WAIT_MS = 10_000;

/** What a tool call in flight is told when the server stops it (shutdown). */
export class ShutdownError extends Error {
  constructor() {
    super("The server is shutting down");
    this.name = "ShutdownError";
  }
}

interface Call {
  readonly controller: AbortController;
  readonly done: Promise<void>;
  finish: () => void;
}

/**
 * The tool calls being handled right now. Shutdown waits for them, then
 * stops the ones still running (each still gets its answer), and the fault
 * tests check that none is left pending.
 */
export class InFlightCalls {
  readonly #calls = new Set<Call>();

  /** Calls whose handler has not finished. */
  get size(): number {
    return this.#calls.size;
  }

  /**
   * Registers one call; its signal aborts when the client cancels (`clientSignal`)
   * or when the server stops it. `end()` must run when the handler finishes.
   */
  begin(clientSignal: AbortSignal): { signal: AbortSignal; end(): void } {
    const controller = new AbortController();
    let finish = () => {};
    const done = new Promise<void>((resolve) => (finish = resolve));
    const call: Call = { controller, done, finish };
    this.#calls.add(call);
    const onAbort = () => controller.abort(clientSignal.reason);
    if (clientSignal.aborted) onAbort();
    else clientSignal.addEventListener("abort", onAbort, { once: true });
    return {
      signal: controller.signal,
      end: () => {
        clientSignal.removeEventListener("abort", onAbort);
        if (this.#calls.delete(call)) call.finish();
      },
    };
  }

  /**
   * Shutdown's wait: the calls in flight get the grace period to finish by
   * themselves, then the rest are stopped and answered (within the gate's KILL
   * and last-resort delays).
   */
  async finish(log: Pick<Logger, "warn">): Promise<void> {
    if (await this.settled(SHUTDOWN_GRACE_MS)) return;
    log.warn("stopping the calls still running after the grace period", { calls: this.size });
    this.abortAll();
    await this.settled(STOP_WAIT_MS);
  }

  /** Resolves when every call now in flight has finished, or after `ms`; true if all finished. */
  async settled(ms: number): Promise<boolean> {
    if (this.#calls.size === 0) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const all = Promise.all([...this.#calls].map((call) => call.done)).then(() => true);
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      return await Promise.race([all, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops every call in flight: their statements are killed and they answer with an error. */
  abortAll(): void {
    for (const call of this.#calls) call.controller.abort(new ShutdownError());
  }
}
