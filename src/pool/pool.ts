import { ToolError } from "../errors/tool_error.ts";
import type { PoolConfig } from "../config/config.ts";
import { connectionError } from "./_connection_error.ts";
import { AcquireStats } from "./_acquire_stats.ts";
import { pingWithin } from "./_deadline.ts";
import { Housekeeping } from "./_housekeeping.ts";
import { Lease, type LeaseOwner } from "./_lease.ts";
import { Returns } from "./_returns.ts";
import { DEAD, LENT, Slot, UNSTAMPED } from "./_slot.ts";
import { SlotSet, type SweepLimits } from "./_slot_set.ts";
import { abortReason, WaitQueue } from "./_wait_queue.ts";
import { Opener } from "./_opener.ts";
import { closedError, queueFullError, waitTimeoutError } from "./_pool_errors.ts";
import { openMySqlSession } from "./mysql_session.ts";
import { type CancelTimer, type PoolClock, poolClock, systemClock } from "./pool_clock.ts";
import type { SessionOps } from "./session_ops.ts";
import type { SourceHealth } from "./source_health.ts";
import type * as T from "./types.ts";

const DEFAULT_VALIDATE_AFTER_IDLE_MS = 1000;
const DEFAULT_CLOSE_GRACE_MS = 5000;
const noop = () => {};

/**
 * Our connection pool (SPEC.md "Pool"): min kept warm, max never exceeded,
 * FIFO waiters with a timeout and a bounded queue, idle and lifetime
 * retirement, validation, health checks, session reset on release, leak
 * reports, statistics and events. A zero idle_timeout, max_lifetime or
 * health_check_interval switches that feature off. It talks to connections
 * only through SessionOps, so a fake connector runs it without a server.
 */
export class Pool {
  /** The server flavour of the last connection opened: known once one has been. */
  #flavor: T.ServerFlavor | undefined;
  get flavor(): T.ServerFlavor | undefined {
    return this.#flavor;
  }

  readonly name: string;
  readonly #config: PoolConfig;
  readonly #clock: PoolClock;
  readonly #validateAlways: boolean;
  readonly #limits: SweepLimits;
  readonly #onEvent: ((event: T.PoolEvent) => void) | undefined;
  readonly #log: NonNullable<T.PoolOptions["log"]>;
  readonly #health: SourceHealth | undefined;
  readonly #owner: LeaseOwner;

  readonly #slots = new SlotSet();
  readonly #stats = new AcquireStats();
  readonly #waiters: WaitQueue;
  readonly #opener: Opener;
  readonly #housekeeping: Housekeeping;
  readonly #unsubscribeHealth: () => void;

  #closed = false;
  #closing: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  constructor(options: T.PoolOptions, clock: T.Clock | PoolClock = systemClock) {
    const config = options.config;
    if (!(config.maxConnections >= 1)) {
      throw new RangeError(`Pool "${options.name}": max_connections must be at least 1`);
    }
    if (!(config.minConnections >= 0 && config.minConnections <= config.maxConnections)) {
      throw new RangeError(
        `Pool "${options.name}": min_connections must be between 0 and max_connections`,
      );
    }
    this.name = options.name;
    this.#config = config;
    this.#clock = poolClock(clock);
    const validateAfterMs = options.validateAfterIdleMs ?? DEFAULT_VALIDATE_AFTER_IDLE_MS;
    this.#validateAlways = validateAfterMs <= 0;
    // Zero (or less) switches a duration off, as in most pools' configuration.
    this.#limits = {
      minConnections: config.minConnections,
      idleTimeoutMs: orNever(config.idleTimeoutMs),
      maxLifetimeMs: orNever(config.maxLifetimeMs),
      leakThresholdMs: orNever(options.leakThresholdMs),
      validateAfterMs: this.#validateAlways ? Infinity : validateAfterMs,
    };
    this.#onEvent = options.onEvent;
    this.#log = options.log ?? noop;
    this.#health = options.health;
    this.#waiters = new WaitQueue(
      this.#clock,
      this.#stats,
      (waiting) => {
        // Not a busy pool but an unreachable server still being retried: say so.
        const connecting = this.#slots.size < config.maxConnections &&
          (this.#opener.opening > 0 || this.#opener.failed);
        return waitTimeoutError(this.name, config, waiting, connecting);
      },
    );
    this.#owner = new Returns({
      name: this.name,
      config,
      clock: this.#clock,
      log: this.#log,
      emitting: this.#onEvent !== undefined,
      emit: (event) => this.#emit(event),
      isClosed: () => this.#closed,
      makeAvailable: (slot, now) => this.#makeAvailable(slot, now),
      remove: (slot, reason, graceful) => this.#remove(slot, reason, graceful),
      dispatch: () => this.#dispatch(),
      checkDrained: () => this.#checkDrained(),
    });

    this.#opener = new Opener(
      this.name,
      options.target,
      options.connect ?? openMySqlSession,
      this.#health,
      this.#log,
    );
    this.#housekeeping = new Housekeeping(
      {
        name: this.name,
        slots: this.#slots,
        limits: this.#limits,
        log: this.#log,
        isClosed: () => this.#closed,
        ping: (slot) => pingWithin(this.#clock, config.connectTimeoutMs, slot.session),
        remove: (slot, reason, graceful) => this.#remove(slot, reason, graceful),
        refill: (retry) => this.#refill(retry),
        opening: () => this.#opener.opening,
        emit: (event) => this.#emit(event),
      },
      this.#clock,
      config.healthCheckIntervalMs,
    );
    this.#unsubscribeHealth = this.#health?.subscribe((state) => {
      if (state === "available") {
        this.#opener.failed = false;
        this.#dispatch();
      }
    }) ?? noop;
  }

  /** Open connections (idle and active); connections being opened are in stats().opening. */
  get size(): number {
    return this.#slots.size;
  }

  /**
   * Lends a connection: an idle one at once, else a new one while under
   * max_connections, else after waiting in FIFO order up to acquire_timeout.
   */
  acquire(options?: T.AcquireOptions): Promise<T.PooledConnection> {
    this.#stats.total++;
    if (this.#closed) {
      this.#stats.failed++;
      return Promise.reject(closedError(this.name));
    }
    const signal = options?.signal;
    if (signal?.aborted) {
      this.#stats.failed++;
      return Promise.reject(abortReason(signal));
    }
    return this.#acquireFrom(UNSTAMPED, options?.holder ?? "unknown", signal);
  }

  /** Opens connections until min_connections are up; rejects with the first connect failure. */
  async warm(): Promise<void> {
    if (this.#closed) throw closedError(this.name);
    const opens: Promise<ToolError | undefined>[] = [];
    while (this.#slots.size + this.#opener.opening < this.#config.minConnections) {
      opens.push(this.#open());
    }
    for (const failure of await Promise.all(opens)) if (failure) throw failure;
  }

  stats(): T.PoolStats {
    const { active, connections } = this.#slots.snapshot(this.#clock.now());
    return {
      name: this.name,
      total: this.#slots.size,
      // Counted, not derived: `active + idle === total` is an invariant the fault tests check.
      active,
      idle: this.#slots.idleCount,
      waiting: this.#waiters.length,
      opening: this.#opener.opening,
      ...this.#stats.snapshot(),
      healthy: !this.#closed && !this.#opener.failed && this.#health?.state !== "unavailable",
      connections,
    };
  }

  /**
   * Stops lending: waiters and later acquires get CONNECTION_FAILED, idle
   * connections close now, lent ones when given back or after graceMs.
   */
  close(options?: { graceMs?: number }): Promise<void> {
    this.#closing ??= this.#shutdown(options?.graceMs ?? DEFAULT_CLOSE_GRACE_MS);
    return this.#closing;
  }

  // ---- lending ------------------------------------------------------------

  /** `start` is UNSTAMPED on the first try: an idle connection is lent without reading the clock. */
  #acquireFrom(start: number, holder: string, signal?: AbortSignal): Promise<T.PooledConnection> {
    // Waiters first: a newcomer never overtakes the queue.
    if (this.#waiters.length === 0) {
      let slot;
      while ((slot = this.#slots.popIdle()) !== undefined) {
        if (slot.expired) {
          this.#remove(slot, "max lifetime", true);
          this.#dispatch();
          continue;
        }
        if (slot.stale || this.#validateAlways) {
          const now = this.#clock.now();
          return this.#validateThenLend(slot, start === UNSTAMPED ? now : start, holder, signal);
        }
        return Promise.resolve(this.#lend(slot, holder, start, UNSTAMPED));
      }
    }
    if (this.#waiters.length >= this.#config.maxQueue) {
      this.#stats.failed++;
      return Promise.reject(queueFullError(this.name, this.#config, this.#waiters.length));
    }
    if (start === UNSTAMPED) start = this.#clock.now();
    const waiting = this.#waiters.add(start, this.#config.acquireTimeoutMs, holder, signal);
    this.#dispatch();
    return waiting;
  }

  /** `start` and `now` may be UNSTAMPED (an idle connection lent at once: no wait to measure). */
  #lend(slot: Slot, holder: string, start: number, now: number): T.PooledConnection {
    slot.state = LENT;
    slot.uses++;
    slot.holder = holder;
    slot.leakReported = false;
    let waitMs = 0;
    if (now === UNSTAMPED && (start !== UNSTAMPED || this.#onEvent)) now = this.#clock.now();
    if (start !== UNSTAMPED) waitMs = now - start;
    slot.lentAt = now;
    this.#stats.succeeded(waitMs);
    if (this.#onEvent) {
      this.#emit({ type: "acquired", pool: this.name, threadId: slot.session.threadId, waitMs });
    }
    return new Lease(this.#owner, slot);
  }

  async #validateThenLend(
    slot: Slot,
    start: number,
    holder: string,
    signal: AbortSignal | undefined,
  ): Promise<T.PooledConnection> {
    const alive = await pingWithin(this.#clock, this.#config.connectTimeoutMs, slot.session);
    const now = this.#clock.now();
    if (!alive || slot.state === DEAD) {
      // The caller never sees the broken one: it just gets the next connection.
      this.#remove(slot, "validation failed", false);
      this.#dispatch();
    } else if (this.#closed) {
      this.#remove(slot, "pool closed", true);
    } else if (signal?.aborted) {
      this.#makeAvailable(slot, now);
    } else {
      return this.#lend(slot, holder, start, now);
    }
    if (this.#closed) {
      this.#stats.failed++;
      throw closedError(this.name);
    }
    if (signal?.aborted) {
      this.#stats.failed++;
      throw abortReason(signal);
    }
    return this.#acquireFrom(start, holder, signal);
  }

  /** Gives a ready connection to the oldest waiter, or puts it on the idle stack. */
  #makeAvailable(slot: Slot, now: number) {
    const waiter = this.#waiters.shift();
    if (waiter === undefined) return this.#slots.pushIdle(slot, now);
    waiter.resolve(this.#lend(slot, waiter.holder, waiter.start, now));
  }

  // ---- opening and closing connections -----------------------------------

  /** The health check also gives a failed connect another chance, unless the source is down. */
  #refill(retry: boolean) {
    if (retry) {
      if (this.#closed || this.#health?.state === "unavailable") return;
      this.#opener.failed = false;
    }
    this.#dispatch();
  }

  /** Opens connections for waiters not already covered by one being opened, and keeps min warm. */
  #dispatch() {
    if (this.#closed) return;
    const max = this.#config.maxConnections;
    let demand = this.#waiters.length - this.#opener.opening;
    while (demand > 0 && this.#slots.size + this.#opener.opening < max) {
      void this.#open();
      demand--;
    }
    // After a failed connect, refilling waits for the health check or the source's recovery.
    if (!this.#opener.failed) {
      while (this.#slots.size + this.#opener.opening < this.#config.minConnections) {
        void this.#open();
      }
    }
  }

  #open(): Promise<ToolError | undefined> {
    return this.#opener.open().then((opened) => {
      if (!(opened instanceof ToolError)) return this.#opened(opened);
      // The oldest waiter not covered by another connect in flight learns now, not at its timeout.
      if (!this.#closed && this.#waiters.length > this.#opener.opening) {
        this.#waiters.rejectFirst(opened);
      }
      this.#dispatch();
      return opened;
    });
  }

  #opened(session: SessionOps): undefined {
    if (this.#closed) {
      session.destroy(true);
      return;
    }
    const now = this.#clock.now();
    const slot = new Slot(session, now);
    this.#flavor = session.flavor;
    session.onGone((error) => this.#died(slot, error));
    this.#slots.add(slot);
    this.#emit({ type: "created", pool: this.name, threadId: session.threadId });
    this.#makeAvailable(slot, now);
  }

  /** The connection died by itself (error, end or socket close). */
  #died(slot: Slot, error: unknown) {
    if (slot.state === DEAD) return;
    const reason = error ? connectionError(error, "Connection lost").message : "Connection lost";
    const code = (error as { code?: unknown } | undefined)?.code;
    this.#remove(slot, reason, false, typeof code === "string" ? code : undefined);
    this.#dispatch();
  }

  /** Takes a slot out of the pool for good and closes its connection. */
  #remove(slot: Slot, reason: string, graceful: boolean, code?: string) {
    if (!this.#slots.delete(slot)) return;
    const { error, callbacks } = slot.die(reason, code);
    slot.session.destroy(graceful);
    this.#emit({ type: "closed", pool: this.name, threadId: slot.session.threadId, reason });
    for (const callback of callbacks) {
      try {
        callback(error);
      } catch { /* the holder's problem */ }
    }
    this.#checkDrained();
  }

  async #shutdown(graceMs: number) {
    this.#closed = true;
    this.#housekeeping.stop();
    this.#unsubscribeHealth();
    const opens = this.#opener.close();
    this.#waiters.close(() => closedError(this.name));
    for (const slot of this.#slots.idle()) this.#remove(slot, "pool closed", true);
    if (this.#slots.size > 0) {
      let cancel: CancelTimer = noop;
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
        cancel = this.#clock.setTimeout(resolve, graceMs);
      });
      cancel();
      this.#drained = undefined;
    }
    // Whatever is still lent after the grace period is closed under its holder.
    for (const slot of this.#slots.all()) this.#remove(slot, "pool closed", false);
    await opens;
    this.#log("debug", `Pool "${this.name}" closed`);
  }

  #checkDrained() {
    if (this.#drained && this.#slots.size === 0) this.#drained();
  }

  #emit(event: T.PoolEvent) {
    if (!this.#onEvent) return;
    try {
      this.#onEvent(event);
    } catch (error) {
      this.#log("error", `Pool "${this.name}": an event listener threw`, {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

function orNever(ms: number): number {
  return ms > 0 ? ms : Infinity;
}
