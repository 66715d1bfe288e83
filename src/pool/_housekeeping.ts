import type { Slot } from "./_slot.ts";
import { DEAD, IDLE } from "./_slot.ts";
import type { SlotSet, SweepLimits } from "./_slot_set.ts";
import type { CancelTimer, PoolClock } from "./pool_clock.ts";
import type { PoolEvent, PoolOptions } from "./types.ts";

/** What the housekeeping may do to its pool. */
export interface HousekeepingHost {
  readonly name: string;
  readonly slots: SlotSet;
  readonly limits: SweepLimits;
  isClosed(): boolean;
  /** True when the connection answered a ping within connect_timeout. */
  ping(slot: Slot): Promise<boolean>;
  remove(slot: Slot, reason: string, graceful: boolean): void;
  /** Opens what waiters and min_connections need; `retry` also forgives a failed connect. */
  refill(retry: boolean): void;
  /** Connections being opened right now. */
  opening(): number;
  emit(event: PoolEvent): void;
  log: NonNullable<PoolOptions["log"]>;
}

/**
 * The pool's timers: one tick for idle and lifetime retirement, validation
 * marks and leak reports, and the periodic health check of idle connections.
 */
export class Housekeeping {
  readonly #host: HousekeepingHost;
  readonly #clock: PoolClock;
  readonly #stops: CancelTimer[] = [];
  #checking = false;

  constructor(host: HousekeepingHost, clock: PoolClock, healthCheckIntervalMs: number) {
    this.#host = host;
    this.#clock = clock;
    // One timer for all housekeeping, fine enough for the shortest duration it serves. It also
    // stamps idle and lend times, so acquire and release of an idle connection never read the clock.
    const { idleTimeoutMs, maxLifetimeMs, leakThresholdMs, validateAfterMs } = host.limits;
    const finest = Math.min(idleTimeoutMs, maxLifetimeMs, leakThresholdMs, validateAfterMs);
    const period = Math.max(5, Math.min(1000, Math.floor(finest / 2)));
    this.#stops.push(clock.setInterval(() => this.tick(), period));
    if (healthCheckIntervalMs > 0) {
      const every = Math.max(10, healthCheckIntervalMs);
      this.#stops.push(clock.setInterval(() => void this.healthCheck(), every));
    }
  }

  stop(): void {
    for (const stop of this.#stops.splice(0)) stop();
  }

  tick(): void {
    const host = this.#host;
    if (host.isClosed()) return;
    const { idleTimedOut, expired, leaks } = host.slots.sweep(this.#clock.now(), host.limits);
    for (const { slot, heldMs } of leaks) this.#reportLeak(slot, heldMs);
    for (const slot of idleTimedOut) host.remove(slot, "idle timeout", true);
    for (const slot of expired) host.remove(slot, "max lifetime", true);
    if (expired.length > 0 || host.slots.size + host.opening() < host.limits.minConnections) {
      host.refill(false);
    }
  }

  async healthCheck(): Promise<void> {
    const host = this.#host;
    if (this.#checking || host.isClosed()) return;
    this.#checking = true;
    host.emit({ type: "health_check_started", pool: host.name });
    let removed = 0;
    try {
      // Pinged where they lie: an acquirer that takes one meanwhile just queues behind the ping.
      const slots = host.slots.idle();
      const alive = await Promise.all(slots.map((slot) => host.ping(slot)));
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i];
        if (alive[i]) continue;
        if (slot.state === IDLE) host.remove(slot, "health check failed", false);
        if (slot.state === DEAD) removed++;
      }
      // A broken connection is replaced, and a failed connect gets another chance here.
      host.refill(true);
    } finally {
      this.#checking = false;
      host.emit({ type: "health_check_finished", pool: host.name, removed });
    }
  }

  #reportLeak(slot: Slot, heldMs: number) {
    const host = this.#host;
    slot.leakReported = true;
    const { threadId } = slot.session;
    host.log(
      "warn",
      `Pool "${host.name}": connection ${threadId} held for ${Math.round(heldMs)} ms ` +
        `by ${slot.holder}; possible leak`,
      { pool: host.name, threadId, holder: slot.holder, heldMs },
    );
    host.emit({ type: "leak_suspected", pool: host.name, threadId, holder: slot.holder, heldMs });
  }
}
