import type { AcquireStats } from "./_acquire_stats.ts";
import type { CancelTimer, PoolClock } from "./pool_clock.ts";
import type { PooledConnection } from "./types.ts";

/** One caller waiting for a connection. */
export interface Waiter {
  readonly resolve: (connection: PooledConnection) => void;
  readonly reject: (error: unknown) => void;
  /** Clock time it started waiting. */
  readonly start: number;
  readonly holder: string;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Clock time at which it gives up. */
  readonly deadline: number;
}

/**
 * The FIFO queue of callers waiting for a connection, with their timeouts and
 * abort signals. Every waiter it rejects counts as a failed acquisition.
 */
export class WaitQueue {
  readonly #waiters: Waiter[] = [];
  readonly #clock: PoolClock;
  readonly #stats: AcquireStats;
  /** The error for a waiter past its deadline; `waiting` counts it too. */
  readonly #timeoutError: (waiting: number) => unknown;
  #cancelTimer: CancelTimer | undefined;
  #wakeAt = Infinity;

  constructor(clock: PoolClock, stats: AcquireStats, timeoutError: (waiting: number) => unknown) {
    this.#clock = clock;
    this.#stats = stats;
    this.#timeoutError = timeoutError;
  }

  get length(): number {
    return this.#waiters.length;
  }

  /** Queues a caller that started waiting at `start` and gives up after `timeoutMs`. */
  add(
    start: number,
    timeoutMs: number,
    holder: string,
    signal: AbortSignal | undefined,
  ): Promise<PooledConnection> {
    return new Promise<PooledConnection>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        start,
        holder,
        signal,
        onAbort: undefined,
        deadline: start + timeoutMs,
      };
      if (waiter.deadline < this.#wakeAt) this.#arm(waiter.deadline);
      if (signal) {
        waiter.onAbort = () => this.reject(waiter, abortReason(signal));
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
    });
  }

  /** Takes the oldest waiter out of the queue to be served. */
  shift(): Waiter | undefined {
    const waiter = this.#waiters.shift();
    if (waiter) detach(waiter);
    return waiter;
  }

  /** Takes a waiter out of the queue and rejects it; does nothing if it already left. */
  reject(waiter: Waiter, error: unknown): void {
    const at = this.#waiters.indexOf(waiter);
    if (at < 0) return;
    this.#waiters.splice(at, 1);
    detach(waiter);
    this.#stats.failed++;
    waiter.reject(error);
  }

  /** Rejects the oldest waiter, if any. */
  rejectFirst(error: unknown): void {
    if (this.#waiters.length > 0) this.reject(this.#waiters[0], error);
  }

  /** Rejects every waiter and stops the timer (the pool is closing). */
  close(error: () => unknown): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#wakeAt = -Infinity; // never armed again
    for (const waiter of this.#waiters.slice()) this.reject(waiter, error());
  }

  /**
   * One timer for the whole queue rather than one per waiter: waiters mostly
   * arrive in deadline order, so it is armed for the earliest deadline and,
   * when it fires, times out whoever is due and re-arms for the next.
   */
  #arm(deadline: number) {
    this.#cancelTimer?.();
    this.#wakeAt = deadline;
    this.#cancelTimer = this.#clock.setTimeout(
      () => this.#expire(),
      Math.max(0, deadline - this.#clock.now()),
    );
  }

  #expire() {
    this.#cancelTimer = undefined;
    this.#wakeAt = Infinity;
    const now = this.#clock.now();
    let next = Infinity;
    for (const waiter of this.#waiters.slice()) {
      if (waiter.deadline <= now) this.reject(waiter, this.#timeoutError(this.#waiters.length));
      else if (waiter.deadline < next) next = waiter.deadline;
    }
    if (next !== Infinity) this.#arm(next);
  }
}

function detach(waiter: Waiter) {
  if (waiter.onAbort) waiter.signal!.removeEventListener("abort", waiter.onAbort);
}

/** What an aborted acquire rejects with. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The acquire was aborted", "AbortError");
}
