import type { PoolConfig } from "../config/config.ts";
import { withDeadline } from "./_deadline.ts";
import type { LeaseOwner } from "./_lease.ts";
import { BUSY, DEAD, type Slot, UNSTAMPED } from "./_slot.ts";
import type { PoolClock } from "./pool_clock.ts";
import type * as T from "./types.ts";

const RESOLVED: Promise<void> = Promise.resolve();

/** What giving a connection back may do to its pool. */
export interface ReturnsHost {
  readonly name: string;
  readonly config: PoolConfig;
  readonly clock: PoolClock;
  readonly log: NonNullable<T.PoolOptions["log"]>;
  /** Events are wanted (reading the clock for hold times is worth it). */
  readonly emitting: boolean;
  emit(event: T.PoolEvent): void;
  isClosed(): boolean;
  /** Hands a clean connection to the oldest waiter or the idle stack. */
  makeAvailable(slot: Slot, now: number): void;
  remove(slot: Slot, reason: string, graceful: boolean): void;
  /** Opens what waiters and min_connections need. */
  dispatch(): void;
  /** Wakes a shutdown waiting for the last connection to go. */
  checkDrained(): void;
}

/**
 * The end of a loan, as a Lease asks for it: release (resetting a dirty session or
 * restoring READ ONLY first), discard, and the deadline on each round trip the pool makes.
 */
export class Returns implements LeaseOwner {
  readonly #host: ReturnsHost;

  constructor(host: ReturnsHost) {
    this.#host = host;
  }

  /** Resolves once the slot is clean again (reset, read-only restored) or gone. */
  release(slot: Slot): Promise<void> {
    const host = this.#host;
    if (host.emitting) {
      const holdMs = slot.lentAt === UNSTAMPED ? 0 : host.clock.now() - slot.lentAt;
      host.emit({ type: "released", pool: host.name, threadId: slot.session.threadId, holdMs });
    }
    slot.lentAt = UNSTAMPED;
    slot.deathCallbacks = undefined;
    if (slot.state === DEAD) {
      host.checkDrained();
      return RESOLVED;
    }
    slot.state = BUSY; // until clean or gone
    if (host.isClosed()) {
      host.remove(slot, "pool closed", true);
    } else if (slot.expired) {
      host.remove(slot, "max lifetime", true);
      host.dispatch();
    } else if (slot.dirty || !slot.readOnly) {
      return this.#cleanUp(slot);
    } else {
      host.makeAvailable(slot, UNSTAMPED);
    }
    return RESOLVED;
  }

  discard(slot: Slot, reason: string): void {
    slot.lentAt = UNSTAMPED;
    // The death callbacks stay: remove() calls them. A statement still waiting on this
    // connection (the last resort after a KILL that got no answer) must hear of it, since
    // mysql2 never fails a command that has no callback.
    if (slot.state !== DEAD) {
      this.#host.remove(slot, reason, false);
      this.#host.dispatch();
    }
    this.#host.checkDrained();
  }

  /**
   * Puts the deadline of one round trip (connect_timeout) on `op`: if the
   * server has not answered by then the connection is closed, which fails the
   * pending command, tells whoever waits on the connection, and lets the pool
   * open a replacement.
   */
  roundTrip<R>(slot: Slot, op: Promise<R>, what: string): Promise<R> {
    const host = this.#host;
    return withDeadline(host.clock, host.config.connectTimeoutMs, op, () => {
      if (slot.state === DEAD) return;
      const threadId = slot.session.threadId;
      host.log("warn", `Pool "${host.name}": ${what} timed out; connection ${threadId} closed`, {
        pool: host.name,
        threadId,
      });
      host.remove(slot, `${what} timed out`, false);
      host.dispatch();
    });
  }

  /** Resets a dirty session, or puts back the READ ONLY default, before the next holder. */
  async #cleanUp(slot: Slot): Promise<void> {
    const host = this.#host;
    const session = slot.session;
    const what = slot.dirty ? "session reset" : "restoring read only";
    try {
      await this.roundTrip(slot, slot.dirty ? session.reset() : session.setReadOnly(true), what);
      slot.dirty = false;
      slot.readOnly = true;
    } catch {
      if (slot.state === DEAD) return host.checkDrained();
      host.remove(slot, `${what} failed`, false);
      return host.dispatch();
    }
    if (slot.state === DEAD) host.checkDrained();
    else if (host.isClosed()) host.remove(slot, "pool closed", true);
    else host.makeAvailable(slot, host.clock.now());
  }
}
