import type { Connection as RawConnection } from "mysql2";
import { ToolError } from "../errors/tool_error.ts";
import type { PoolConfig } from "../config/config.ts";
import { connectionError } from "./_connection_error.ts";
import { connect, type OpenedConnection, sessionInitSql } from "./connect.ts";
import type { SourceHealth } from "./source_health.ts";
import type {
  AcquireOptions,
  Clock,
  ConnectionTarget,
  PooledConnection,
  PoolEvent,
  PoolOptions,
  PoolStats,
  ServerFlavor,
} from "./types.ts";

// Slot states as small integers: compared on every acquire and release.
const IDLE = 0;
const LENT = 1;
const BUSY = 2; // being validated, reset or health-checked: counted as active
const DEAD = 3;

const SAMPLE_RING = 1024; // recent acquire times kept for p99; a power of two
const DEFAULT_VALIDATE_AFTER_IDLE_MS = 1000;
const DEFAULT_CLOSE_GRACE_MS = 5000;
const READ_ONLY_SQL = "SET SESSION TRANSACTION READ ONLY";
const READ_WRITE_SQL = "SET SESSION TRANSACTION READ WRITE";
const RESOLVED: Promise<void> = Promise.resolve();
const noop = () => {};

// Keys for what a Lease may ask of its Pool, kept off the public surface.
const RELEASE = Symbol("release");
const DISCARD = Symbol("discard");
const DEADLINE = Symbol("deadline");

type Timer = ReturnType<typeof setTimeout> | undefined;

// Marks a time not read yet: the hot path skips the clock and the housekeeping tick stamps it.
const UNSTAMPED = -1;

const performanceClock: Clock = { now: () => performance.now() };

/** One physical connection and its bookkeeping. */
class Slot {
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
  /** Resolves the promise of the release whose housekeeping is running. */
  settled: (() => void) | undefined = undefined;
  deathError: Error | undefined = undefined;

  constructor(
    readonly raw: RawConnection,
    readonly threadId: number,
    readonly flavor: ServerFlavor,
    readonly serverVersion: string,
    readonly createdAt: number,
  ) {}
}

/** One loan of a Slot. A fresh object per acquire, so a stale handle cannot release someone else's loan. */
class Lease implements PooledConnection {
  #done = false;
  readonly #pool: Pool;
  readonly #slot: Slot;

  constructor(pool: Pool, slot: Slot) {
    this.#pool = pool;
    this.#slot = slot;
  }

  get raw(): RawConnection {
    return this.#slot.raw;
  }

  get threadId(): number {
    return this.#slot.threadId;
  }

  get flavor(): ServerFlavor {
    return this.#slot.flavor;
  }

  get serverVersion(): string {
    return this.#slot.serverVersion;
  }

  markDirty(): void {
    if (!this.#done) this.#slot.dirty = true;
  }

  holdLong(): void {
    // A stream holds its connection as long as the agent reads: not a leak.
    if (!this.#done) this.#slot.leakReported = true;
  }

  setReadOnly(readOnly: boolean): Promise<void> {
    const slot = this.#slot;
    if (this.#done) {
      return Promise.reject(new ToolError("INTERNAL_ERROR", "The connection was already released"));
    }
    if (slot.readOnly === readOnly) return RESOLVED;
    return new Promise((resolve, reject) => {
      // A silent server must not hold the caller: past the deadline the connection is closed,
      // which fails this command (and anything else waiting on the connection).
      const stop = this.#pool[DEADLINE](slot, "setting the transaction mode timed out");
      slot.raw.query(readOnly ? READ_ONLY_SQL : READ_WRITE_SQL, (error: unknown) => {
        stop();
        if (error) return reject(connectionError(error, "Cannot set the transaction mode"));
        slot.readOnly = readOnly;
        resolve();
      });
    });
  }

  release(): Promise<void> {
    if (this.#done) return Promise.resolve();
    this.#done = true;
    return this.#pool[RELEASE](this.#slot);
  }

  discard(reason: string): void {
    if (this.#done) return;
    this.#done = true;
    this.#pool[DISCARD](this.#slot, reason);
  }

  onDeath(callback: (error: Error) => void): () => void {
    const slot = this.#slot;
    if (this.#done) return noop;
    if (slot.state === DEAD) {
      const error = slot.deathError ?? new Error("connection closed");
      queueMicrotask(() => callback(error));
      return noop;
    }
    (slot.deathCallbacks ??= []).push(callback);
    return () => {
      const list = slot.deathCallbacks;
      const at = list ? list.indexOf(callback) : -1;
      if (at >= 0) list!.splice(at, 1);
    };
  }
}

interface Waiter {
  resolve: (connection: PooledConnection) => void;
  reject: (error: unknown) => void;
  start: number;
  holder: string;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Clock time at which it gives up. */
  deadline: number;
}

/**
 * Our connection pool over single mysql2 connections (SPEC.md "Pool"): min kept
 * warm, max never exceeded, FIFO waiters with a timeout and a bounded queue,
 * idle and lifetime retirement, validation, health checks, session reset on
 * release, leak reports, statistics and events. A zero idle_timeout,
 * max_lifetime or health_check_interval switches that feature off.
 */
export class Pool {
  /** The server flavour of the last connection opened: known once one has been. */
  #flavor: ServerFlavor | undefined;
  get flavor(): ServerFlavor | undefined {
    return this.#flavor;
  }

  readonly name: string;
  readonly #target: ConnectionTarget;
  readonly #config: PoolConfig;
  readonly #clock: Clock;
  readonly #validateAfterMs: number;
  readonly #validateAlways: boolean;
  readonly #leakThresholdMs: number;
  readonly #idleTimeoutMs: number;
  readonly #maxLifetimeMs: number;
  readonly #onEvent: ((event: PoolEvent) => void) | undefined;
  readonly #log: NonNullable<PoolOptions["log"]>;
  readonly #health: SourceHealth | undefined;

  readonly #all = new Set<Slot>();
  /** A stack: the most recently used on top, the longest idle at index 0. */
  readonly #idle: Slot[] = [];
  readonly #waiters: Waiter[] = [];
  readonly #opens = new Set<Promise<unknown>>();
  #opening = 0;
  #lastOpenFailed = false;

  #acquisitions = 0;
  #successful = 0;
  #failed = 0;
  #waitSum = 0;
  readonly #samples = new Float64Array(SAMPLE_RING);

  #closed = false;
  #closing: Promise<void> | undefined;
  #drained: (() => void) | undefined;
  readonly #closer = new AbortController();
  #checking = false;
  #waiterTimer: Timer;
  #wakeAt = Infinity;
  readonly #maintenanceTimer: Timer;
  readonly #healthTimer: Timer;
  readonly #unsubscribeHealth: () => void;

  constructor(options: PoolOptions, clock: Clock = performanceClock) {
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
    this.#target = options.target;
    this.#config = config;
    this.#clock = clock;
    this.#validateAfterMs = options.validateAfterIdleMs ?? DEFAULT_VALIDATE_AFTER_IDLE_MS;
    this.#validateAlways = this.#validateAfterMs <= 0;
    // Zero (or less) switches a duration off, as in most pools' configuration.
    this.#leakThresholdMs = orNever(options.leakThresholdMs);
    this.#idleTimeoutMs = orNever(config.idleTimeoutMs);
    this.#maxLifetimeMs = orNever(config.maxLifetimeMs);
    this.#onEvent = options.onEvent;
    this.#log = options.log ?? noop;
    this.#health = options.health;

    // One timer for all housekeeping, fine enough for the shortest duration it serves. It also
    // stamps idle and lend times, so acquire and release of an idle connection never read the clock.
    const finest = Math.min(
      this.#idleTimeoutMs,
      this.#maxLifetimeMs,
      this.#leakThresholdMs,
      this.#validateAlways ? Infinity : this.#validateAfterMs,
    );
    const period = Math.max(5, Math.min(1000, Math.floor(finest / 2)));
    this.#maintenanceTimer = setInterval(() => this.#maintain(), period);
    // Housekeeping must never keep the process (or a test) alive.
    Deno.unrefTimer(this.#maintenanceTimer!);
    if (config.healthCheckIntervalMs > 0) {
      this.#healthTimer = setInterval(
        () => void this.#healthCheck(),
        Math.max(10, config.healthCheckIntervalMs),
      );
      Deno.unrefTimer(this.#healthTimer!);
    }
    this.#unsubscribeHealth = this.#health?.subscribe((state) => {
      if (state === "available") {
        this.#lastOpenFailed = false;
        this.#dispatch();
      }
    }) ?? noop;
  }

  /** Open connections (idle and active); connections being opened are in stats().opening. */
  get size(): number {
    return this.#all.size;
  }

  /**
   * Lends a connection: an idle one at once, else a new one while under
   * max_connections, else after waiting in FIFO order up to acquire_timeout.
   */
  acquire(options?: AcquireOptions): Promise<PooledConnection> {
    this.#acquisitions++;
    if (this.#closed) {
      this.#failed++;
      return Promise.reject(this.#closedError());
    }
    const signal = options?.signal;
    if (signal?.aborted) {
      this.#failed++;
      return Promise.reject(abortReason(signal));
    }
    return this.#acquireFrom(UNSTAMPED, options?.holder ?? "unknown", signal);
  }

  /** Opens connections until min_connections are up; rejects with the first connect failure. */
  async warm(): Promise<void> {
    if (this.#closed) throw this.#closedError();
    const opens: Promise<ToolError | undefined>[] = [];
    while (this.#all.size + this.#opening < this.#config.minConnections) opens.push(this.#open());
    for (const failure of await Promise.all(opens)) if (failure) throw failure;
  }

  stats(): PoolStats {
    const now = this.#clock.now();
    const count = Math.min(this.#successful, SAMPLE_RING);
    const recent = this.#samples.slice(0, count).sort();
    const p99 = count === 0 ? 0 : recent[Math.max(0, Math.ceil(count * 0.99) - 1)];
    const connections = [];
    let active = 0;
    for (const slot of this.#all) {
      if (slot.state !== IDLE) active++;
      connections.push({
        threadId: slot.threadId,
        ageMs: now - slot.createdAt,
        uses: slot.uses,
        state: slot.state === IDLE ? "idle" as const : "active" as const,
      });
    }
    const total = this.#all.size;
    const idle = this.#idle.length;
    return {
      name: this.name,
      total,
      // Counted, not derived: `active + idle === total` is an invariant the fault tests check.
      active,
      idle,
      waiting: this.#waiters.length,
      opening: this.#opening,
      acquisitions: {
        total: this.#acquisitions,
        successful: this.#successful,
        failed: this.#failed,
      },
      acquireTimeMs: {
        average: this.#successful === 0 ? 0 : this.#waitSum / this.#successful,
        p99,
      },
      healthy: !this.#closed && !this.#lastOpenFailed && this.#health?.state !== "unavailable",
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
  #acquireFrom(start: number, holder: string, signal?: AbortSignal): Promise<PooledConnection> {
    // Waiters first: a newcomer never overtakes the queue.
    if (this.#waiters.length === 0) {
      const idle = this.#idle;
      while (idle.length > 0) {
        const slot = idle.pop()!;
        if (slot.expired) {
          slot.state = BUSY;
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
    return this.#enqueue(start === UNSTAMPED ? this.#clock.now() : start, holder, signal);
  }

  /** `start` and `now` may be UNSTAMPED (an idle connection lent at once: no wait to measure). */
  #lend(slot: Slot, holder: string, start: number, now: number): PooledConnection {
    slot.state = LENT;
    slot.uses++;
    slot.holder = holder;
    slot.leakReported = false;
    let waitMs = 0;
    if (now === UNSTAMPED && (start !== UNSTAMPED || this.#onEvent)) now = this.#clock.now();
    if (start !== UNSTAMPED) waitMs = now - start;
    slot.lentAt = now;
    this.#samples[this.#successful & (SAMPLE_RING - 1)] = waitMs;
    this.#successful++;
    this.#waitSum += waitMs;
    if (this.#onEvent) {
      this.#emit({ type: "acquired", pool: this.name, threadId: slot.threadId, waitMs });
    }
    return new Lease(this, slot);
  }

  async #validateThenLend(
    slot: Slot,
    start: number,
    holder: string,
    signal: AbortSignal | undefined,
  ): Promise<PooledConnection> {
    slot.state = BUSY;
    const alive = await this.#ping(slot);
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
      this.#failed++;
      throw this.#closedError();
    }
    if (signal?.aborted) {
      this.#failed++;
      throw abortReason(signal);
    }
    return this.#acquireFrom(start, holder, signal);
  }

  #enqueue(start: number, holder: string, signal?: AbortSignal): Promise<PooledConnection> {
    const { maxQueue, maxConnections } = this.#config;
    if (this.#waiters.length >= maxQueue) {
      this.#failed++;
      return Promise.reject(
        new ToolError(
          "POOL_EXHAUSTED",
          `Pool "${this.name}" has no free connection and its wait queue is full ` +
            `(max_connections ${maxConnections}, max_queue ${maxQueue})`,
          { pool: this.name, maxConnections, maxQueue, waiting: this.#waiters.length },
        ),
      );
    }
    return new Promise<PooledConnection>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        start,
        holder,
        signal,
        onAbort: undefined,
        deadline: start + this.#config.acquireTimeoutMs,
      };
      if (waiter.deadline < this.#wakeAt) this.#armWaiterTimer(waiter.deadline);
      if (signal) {
        waiter.onAbort = () => this.#abandon(waiter, abortReason(signal));
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
      this.#dispatch();
    });
  }

  /**
   * One timer for the whole queue rather than one per waiter: waiters mostly
   * arrive in deadline order, so it is armed for the earliest deadline and,
   * when it fires, times out whoever is due and re-arms for the next.
   */
  #armWaiterTimer(deadline: number) {
    if (this.#waiterTimer !== undefined) clearTimeout(this.#waiterTimer);
    this.#wakeAt = deadline;
    this.#waiterTimer = setTimeout(
      () => this.#expireWaiters(),
      Math.max(0, deadline - this.#clock.now()),
    );
    // Waiters wait on sockets that keep the process alive; the timer need not.
    Deno.unrefTimer(this.#waiterTimer!);
  }

  #expireWaiters() {
    this.#waiterTimer = undefined;
    this.#wakeAt = Infinity;
    const now = this.#clock.now();
    let next = Infinity;
    for (const waiter of this.#waiters.slice()) {
      if (waiter.deadline <= now) this.#timeOut(waiter);
      else if (waiter.deadline < next) next = waiter.deadline;
    }
    if (next !== Infinity && !this.#closed) this.#armWaiterTimer(next);
  }

  #timeOut(waiter: Waiter) {
    const { acquireTimeoutMs, maxConnections } = this.#config;
    const waiting = this.#waiters.length;
    const canGrow = this.#all.size < maxConnections;
    if (canGrow && (this.#opening > 0 || this.#lastOpenFailed)) {
      // Not a busy pool but an unreachable server still being retried: say so.
      this.#abandon(
        waiter,
        new ToolError(
          "CONNECTION_FAILED",
          `Pool "${this.name}" could not open a connection within ${acquireTimeoutMs} ms ` +
            `(the server is unreachable or refusing connections; retrying in the background)`,
          { pool: this.name, acquireTimeoutMs },
        ),
      );
      return;
    }
    this.#abandon(
      waiter,
      new ToolError(
        "POOL_EXHAUSTED",
        `Pool "${this.name}" has no free connection after ${acquireTimeoutMs} ms ` +
          `(max_connections ${maxConnections}, ${waiting} waiting)`,
        { pool: this.name, maxConnections, acquireTimeoutMs, waiting },
      ),
    );
  }

  /** Takes a waiter out of the queue and rejects it. */
  #abandon(waiter: Waiter, error: unknown) {
    const at = this.#waiters.indexOf(waiter);
    if (at < 0) return;
    this.#waiters.splice(at, 1);
    this.#settleWaiter(waiter);
    this.#failed++;
    waiter.reject(error);
  }

  #settleWaiter(waiter: Waiter) {
    if (waiter.onAbort) waiter.signal!.removeEventListener("abort", waiter.onAbort);
  }

  /** Gives a ready connection to the oldest waiter, or puts it on the idle stack. */
  #makeAvailable(slot: Slot, now: number) {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      this.#settleWaiter(waiter);
      waiter.resolve(this.#lend(slot, waiter.holder, waiter.start, now));
      return;
    }
    slot.state = IDLE;
    slot.idleSince = now;
    slot.stale = false;
    this.#idle.push(slot);
  }

  // ---- giving back --------------------------------------------------------

  [RELEASE](slot: Slot): Promise<void> {
    const settled = new Promise<void>((resolve) => (slot.settled = resolve));
    if (!this.#release(slot)) this.#settle(slot);
    return settled;
  }

  #settle(slot: Slot) {
    const settled = slot.settled;
    slot.settled = undefined;
    settled?.();
  }

  /** Returns true when housekeeping (a reset) runs on before the slot is clean again. */
  #release(slot: Slot): boolean {
    if (this.#onEvent) {
      const holdMs = slot.lentAt === UNSTAMPED ? 0 : this.#clock.now() - slot.lentAt;
      this.#emit({ type: "released", pool: this.name, threadId: slot.threadId, holdMs });
    }
    slot.lentAt = UNSTAMPED;
    slot.deathCallbacks = undefined;
    if (slot.state === DEAD) {
      this.#checkDrained();
      return false;
    }
    slot.state = BUSY;
    if (this.#closed) {
      this.#remove(slot, "pool closed", true);
    } else if (slot.expired) {
      this.#remove(slot, "max lifetime", true);
      this.#dispatch();
    } else if (slot.dirty) {
      // COM_RESET_CONNECTION drops user variables, temporary tables, GET_LOCK locks,
      // open transactions and session settings; then our defaults go back on.
      const stop = this[DEADLINE](slot, "session reset timed out");
      slot.raw.reset((error: unknown) => {
        if (error) {
          stop();
          return this.#afterHousekeeping(slot, error, "reset failed");
        }
        slot.raw.query(sessionInitSql(slot.flavor), (initError: unknown) => {
          stop();
          slot.dirty = false;
          slot.readOnly = true;
          this.#afterHousekeeping(slot, initError, "session init failed");
        });
      });
      return true;
    } else if (!slot.readOnly) {
      // The next holder starts in READ ONLY mode, like a fresh session.
      const stop = this[DEADLINE](slot, "restoring read only timed out");
      slot.raw.query(READ_ONLY_SQL, (error: unknown) => {
        stop();
        if (!error) slot.readOnly = true;
        this.#afterHousekeeping(slot, error, "restoring read only failed");
      });
      return true;
    } else {
      this.#makeAvailable(slot, UNSTAMPED);
    }
    return false;
  }

  [DISCARD](slot: Slot, reason: string): void {
    slot.lentAt = UNSTAMPED;
    // The death callbacks stay: #remove calls them. A statement still waiting on this
    // connection (the last resort after a KILL that got no answer) must hear of it, since
    // mysql2 never fails a command that has no callback.
    if (slot.state !== DEAD) {
      this.#remove(slot, reason, false);
      this.#dispatch();
    }
    this.#checkDrained();
  }

  /**
   * Arms the deadline of one housekeeping round trip (connect_timeout): if the
   * server has not answered by then the connection is closed, which fails the
   * pending command, tells whoever waits on the connection, and lets the pool
   * open a replacement. Returns the disarm function.
   */
  [DEADLINE](slot: Slot, reason: string): () => void {
    const timer = setTimeout(() => {
      if (slot.state === DEAD) return;
      this.#log("warn", `Pool "${this.name}": ${reason}; connection ${slot.threadId} closed`, {
        pool: this.name,
        threadId: slot.threadId,
      });
      this.#remove(slot, reason, false);
      this.#dispatch();
    }, this.#config.connectTimeoutMs);
    return () => clearTimeout(timer);
  }

  #afterHousekeeping(slot: Slot, error: unknown, reason: string) {
    this.#settle(slot);
    if (slot.state === DEAD) return this.#checkDrained();
    if (error) {
      this.#remove(slot, reason, false);
      this.#dispatch();
    } else if (this.#closed) {
      this.#remove(slot, "pool closed", true);
    } else {
      this.#makeAvailable(slot, this.#clock.now());
    }
  }

  // ---- opening and closing connections -----------------------------------

  /** Opens connections for waiters not already covered by one being opened, and keeps min warm. */
  #dispatch() {
    if (this.#closed) return;
    const max = this.#config.maxConnections;
    let demand = this.#waiters.length - this.#opening;
    while (demand > 0 && this.#all.size + this.#opening < max) {
      void this.#open();
      demand--;
    }
    // After a failed connect, refilling waits for the health check or the source's recovery.
    if (!this.#lastOpenFailed) {
      while (this.#all.size + this.#opening < this.#config.minConnections) void this.#open();
    }
  }

  #open(): Promise<ToolError | undefined> {
    this.#opening++;
    const signal = this.#closer.signal;
    const attempt = () => connect(this.#target, signal);
    const opening = this.#health ? this.#health.connectWithRetry(attempt, signal) : attempt();
    const settled = opening.then(
      (opened) => this.#opened(opened),
      (error) => this.#openFailed(error),
    );
    this.#opens.add(settled);
    void settled.finally(() => this.#opens.delete(settled));
    return settled;
  }

  #opened(opened: OpenedConnection): undefined {
    this.#opening--;
    if (this.#closed) {
      opened.raw.end();
      opened.raw.destroy();
      return;
    }
    this.#lastOpenFailed = false;
    const now = this.#clock.now();
    const slot = new Slot(opened.raw, opened.threadId, opened.flavor, opened.serverVersion, now);
    this.#flavor = opened.flavor;
    const onGone = (error?: unknown) => this.#died(slot, error);
    opened.raw.on("error", onGone);
    opened.raw.on("end", onGone);
    // A reset socket can kill the connection without either event reaching us.
    socketOf(opened.raw).on("close", onGone);
    this.#all.add(slot);
    this.#emit({ type: "created", pool: this.name, threadId: slot.threadId });
    this.#makeAvailable(slot, now);
    return undefined;
  }

  #openFailed(error: unknown): ToolError {
    this.#opening--;
    const cause = connectionError(error, "Cannot connect");
    const failure = new ToolError("CONNECTION_FAILED", `Pool "${this.name}": ${cause.message}`, {
      pool: this.name,
      ...cause.details,
    });
    if (this.#closed) return failure;
    if (!this.#lastOpenFailed) {
      this.#log("warn", `Pool "${this.name}" cannot open a connection`, { error: failure.message });
    }
    this.#lastOpenFailed = true;
    // The oldest waiter not covered by another connect in flight learns now rather than at its timeout.
    if (this.#waiters.length > this.#opening) {
      const waiter = this.#waiters.shift()!;
      this.#settleWaiter(waiter);
      this.#failed++;
      waiter.reject(failure);
    }
    this.#dispatch();
    return failure;
  }

  /** The connection died by itself (error, end or socket close). */
  #died(slot: Slot, error: unknown) {
    if (slot.state === DEAD) return;
    const reason = error ? connectionError(error, "Connection lost").message : "Connection lost";
    this.#remove(slot, reason, false);
    this.#dispatch();
  }

  /** Takes a slot out of the pool for good and closes its connection. */
  #remove(slot: Slot, reason: string, graceful: boolean) {
    if (slot.state === DEAD) return;
    if (slot.state === IDLE) {
      const at = this.#idle.indexOf(slot);
      if (at >= 0) this.#idle.splice(at, 1);
    }
    slot.state = DEAD;
    slot.deathError = new Error(reason);
    this.#all.delete(slot);
    try {
      if (graceful) {
        slot.raw.end(); // COM_QUIT, so the server frees the thread at once
        slot.raw.destroy();
      } else {
        // Not raw.destroy(): that marks the close as intended and a pending query would never
        // hear of it. Destroying the socket makes mysql2 fail pending commands with an error.
        socketOf(slot.raw).destroy();
      }
    } catch { /* already closed */ }
    this.#emit({ type: "closed", pool: this.name, threadId: slot.threadId, reason });
    const callbacks = slot.deathCallbacks;
    if (callbacks) {
      slot.deathCallbacks = undefined;
      for (const callback of callbacks) {
        try {
          callback(slot.deathError);
        } catch { /* the holder's problem */ }
      }
    }
    this.#checkDrained();
  }

  #ping(slot: Slot): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), this.#config.connectTimeoutMs);
      slot.raw.ping((error: unknown) => {
        clearTimeout(timer);
        resolve(!error);
      });
    });
  }

  // ---- housekeeping -------------------------------------------------------

  #maintain() {
    if (this.#closed) return;
    const now = this.#clock.now();
    const minConnections = this.#config.minConnections;
    const idleTimeoutMs = this.#idleTimeoutMs;
    const maxLifetimeMs = this.#maxLifetimeMs;
    for (const slot of this.#all) {
      if (now - slot.createdAt >= maxLifetimeMs) slot.expired = true;
      if (slot.state === IDLE) {
        if (slot.idleSince === UNSTAMPED) slot.idleSince = now;
        else if (now - slot.idleSince >= this.#validateAfterMs) slot.stale = true;
      } else if (slot.state === LENT) {
        if (slot.lentAt === UNSTAMPED) slot.lentAt = now;
        else if (!slot.leakReported && now - slot.lentAt >= this.#leakThresholdMs) {
          this.#reportLeak(slot, now - slot.lentAt);
        }
      }
    }
    const idle = this.#idle;
    // Longest idle first; never below min.
    while (
      idle.length > 0 && this.#all.size > minConnections &&
      now - idle[0].idleSince >= idleTimeoutMs
    ) {
      const slot = idle.shift()!;
      slot.state = BUSY;
      this.#remove(slot, "idle timeout", true);
    }
    let retired = false;
    for (let i = idle.length - 1; i >= 0; i--) {
      const slot = idle[i];
      if (!slot.expired) continue;
      idle.splice(i, 1);
      slot.state = BUSY;
      this.#remove(slot, "max lifetime", true);
      retired = true;
    }
    if (retired || this.#all.size + this.#opening < minConnections) this.#dispatch();
  }

  #reportLeak(slot: Slot, heldMs: number) {
    slot.leakReported = true;
    this.#log(
      "warn",
      `Pool "${this.name}": connection ${slot.threadId} held for ${Math.round(heldMs)} ms ` +
        `by ${slot.holder}; possible leak`,
      { pool: this.name, threadId: slot.threadId, holder: slot.holder, heldMs },
    );
    this.#emit({
      type: "leak_suspected",
      pool: this.name,
      threadId: slot.threadId,
      holder: slot.holder,
      heldMs,
    });
  }

  async #healthCheck() {
    if (this.#checking || this.#closed) return;
    this.#checking = true;
    this.#emit({ type: "health_check_started", pool: this.name });
    let removed = 0;
    try {
      // Pinged where they lie: an acquirer that takes one meanwhile just queues behind the ping.
      const slots = this.#idle.slice();
      const alive = await Promise.all(slots.map((slot) => this.#ping(slot)));
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i];
        if (alive[i]) continue;
        if (slot.state === IDLE) this.#remove(slot, "health check failed", false);
        if (slot.state === DEAD) removed++;
      }
      // A broken connection is replaced, and a failed connect gets another chance here.
      if (!this.#closed && this.#health?.state !== "unavailable") {
        this.#lastOpenFailed = false;
        this.#dispatch();
      }
    } finally {
      this.#checking = false;
      this.#emit({ type: "health_check_finished", pool: this.name, removed });
    }
  }

  async #shutdown(graceMs: number) {
    this.#closed = true;
    clearInterval(this.#maintenanceTimer);
    clearInterval(this.#healthTimer);
    clearTimeout(this.#waiterTimer);
    this.#unsubscribeHealth();
    this.#closer.abort();
    for (const waiter of this.#waiters.splice(0)) {
      this.#settleWaiter(waiter);
      this.#failed++;
      waiter.reject(this.#closedError());
    }
    for (const slot of this.#idle.slice()) this.#remove(slot, "pool closed", true);
    if (this.#all.size > 0) {
      let timer: Timer;
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
        timer = setTimeout(resolve, graceMs);
      });
      clearTimeout(timer!);
      this.#drained = undefined;
    }
    // Whatever is still lent after the grace period is closed under its holder.
    for (const slot of [...this.#all]) this.#remove(slot, "pool closed", false);
    await Promise.allSettled([...this.#opens]);
    this.#log("debug", `Pool "${this.name}" closed`);
  }

  #checkDrained() {
    if (this.#drained && this.#all.size === 0) this.#drained();
  }

  #closedError(): ToolError {
    return new ToolError("CONNECTION_FAILED", `Cannot use pool "${this.name}": pool is closed`, {
      pool: this.name,
    });
  }

  #emit(event: PoolEvent) {
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

interface Socket {
  on(event: string, listener: () => void): void;
  destroy(): void;
}

/** The net.Socket under a mysql2 connection (public at runtime, untyped). */
function socketOf(raw: RawConnection): Socket {
  return (raw as unknown as { stream: Socket }).stream;
}

function orNever(ms: number): number {
  return ms > 0 ? ms : Infinity;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The acquire was aborted", "AbortError");
}
