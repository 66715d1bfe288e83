import type { SessionOps } from "./session_ops.ts";

// Slot states as small integers: compared on every acquire and release.
export const IDLE = 0;
export const LENT = 1;
/** Being validated, reset or health-checked: counted as active. */
export const BUSY = 2;
export const DEAD = 3;

/** Marks a time not read yet: the hot path skips the clock and the housekeeping tick stamps it. */
export const UNSTAMPED = -1;

/** One physical connection and its bookkeeping. */
export class Slot {
  state = BUSY;
  uses = 0;
  lentAt = UNSTAMPED;
  idleSince = UNSTAMPED;
  /** Idle longer than validateAfterIdleMs: ping before lending. Set by the tick. */
  stale = false;
  /** Older than max_lifetime: retire instead of reusing. Set by the tick. */
  expired = false;
  holder = "";
  leakReported = false;
  dirty = false;
  /** Cached session transaction mode; the session init leaves it READ ONLY. */
  readOnly = true;
  deathCallbacks: ((error: Error) => void)[] | undefined = undefined;
  deathError: Error | undefined = undefined;

  constructor(readonly session: SessionOps, readonly createdAt: number) {}

  /**
   * Marks it dead and hands back the death callbacks to call, once. `code` is the cause's
   * error code, kept so a holder can tell e.g. a dropped SSH tunnel from a closed socket.
   */
  die(reason: string, code?: string): { error: Error; callbacks: ((error: Error) => void)[] } {
    this.state = DEAD;
    const error = this.deathError = Object.assign(new Error(reason), code ? { code } : {});
    const callbacks = this.deathCallbacks ?? [];
    this.deathCallbacks = undefined;
    return { error, callbacks };
  }
}
