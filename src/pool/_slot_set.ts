import { BUSY, DEAD, IDLE, LENT, type Slot, UNSTAMPED } from "./_slot.ts";
import type { PoolStats } from "./types.ts";

/** The durations the housekeeping tick measures slots against; Infinity switches one off. */
export interface SweepLimits {
  readonly minConnections: number;
  readonly idleTimeoutMs: number;
  readonly maxLifetimeMs: number;
  readonly validateAfterMs: number;
  readonly leakThresholdMs: number;
}

/** What one sweep found: idle slots taken out (BUSY) for the pool to close, and suspected leaks. */
export interface Sweep {
  readonly idleTimedOut: Slot[];
  readonly expired: Slot[];
  readonly leaks: { slot: Slot; heldMs: number }[];
}

/**
 * Every open connection of a pool and the stack of idle ones: the
 * bookkeeping part of the pool, with no I/O and no timers.
 */
export class SlotSet {
  readonly #all = new Set<Slot>();
  /** A stack: the most recently used on top, the longest idle at index 0. */
  readonly #idle: Slot[] = [];

  /** Open connections, idle and active. */
  get size(): number {
    return this.#all.size;
  }

  get idleCount(): number {
    return this.#idle.length;
  }

  all(): Slot[] {
    return [...this.#all];
  }

  idle(): Slot[] {
    return this.#idle.slice();
  }

  add(slot: Slot): void {
    this.#all.add(slot);
  }

  /** Takes a live slot out of the set (and off the idle stack); false when it was dead already. */
  delete(slot: Slot): boolean {
    if (slot.state === DEAD) return false;
    if (slot.state === IDLE) {
      const at = this.#idle.indexOf(slot);
      if (at >= 0) this.#idle.splice(at, 1);
    }
    return this.#all.delete(slot);
  }

  /** Puts a slot on top of the idle stack. */
  pushIdle(slot: Slot, now: number): void {
    slot.state = IDLE;
    slot.idleSince = now;
    slot.stale = false;
    this.#idle.push(slot);
  }

  /** The most recently used idle slot, marked BUSY, or undefined. */
  popIdle(): Slot | undefined {
    const slot = this.#idle.pop();
    if (slot) slot.state = BUSY;
    return slot;
  }

  /**
   * The housekeeping tick's bookkeeping: stamps idle and lend times the hot path
   * skipped, marks stale and expired slots, takes idle slots past idle_timeout
   * (longest idle first, never below min) or max_lifetime off the stack, and
   * finds loans held past the leak threshold.
   */
  sweep(now: number, limits: SweepLimits): Sweep {
    const leaks: Sweep["leaks"] = [];
    for (const slot of this.#all) {
      if (now - slot.createdAt >= limits.maxLifetimeMs) slot.expired = true;
      if (slot.state === IDLE) {
        if (slot.idleSince === UNSTAMPED) slot.idleSince = now;
        else if (now - slot.idleSince >= limits.validateAfterMs) slot.stale = true;
      } else if (slot.state === LENT) {
        if (slot.lentAt === UNSTAMPED) slot.lentAt = now;
        else if (!slot.leakReported && now - slot.lentAt >= limits.leakThresholdMs) {
          leaks.push({ slot, heldMs: now - slot.lentAt });
        }
      }
    }
    const idle = this.#idle;
    const idleTimedOut: Slot[] = [];
    while (
      idle.length > 0 && this.#all.size - idleTimedOut.length > limits.minConnections &&
      now - idle[0].idleSince >= limits.idleTimeoutMs
    ) {
      const slot = idle.shift()!;
      slot.state = BUSY;
      idleTimedOut.push(slot);
    }
    const expired: Slot[] = [];
    for (let i = idle.length - 1; i >= 0; i--) {
      const slot = idle[i];
      if (!slot.expired) continue;
      idle.splice(i, 1);
      slot.state = BUSY;
      expired.push(slot);
    }
    return { idleTimedOut, expired, leaks };
  }

  /** Per-connection statistics and the count of active ones. */
  snapshot(now: number): { active: number; connections: PoolStats["connections"] } {
    const connections = [];
    let active = 0;
    for (const slot of this.#all) {
      if (slot.state !== IDLE) active++;
      connections.push({
        threadId: slot.session.threadId,
        ageMs: now - slot.createdAt,
        uses: slot.uses,
        state: slot.state === IDLE ? "idle" as const : "active" as const,
      });
    }
    return { active, connections };
  }
}
