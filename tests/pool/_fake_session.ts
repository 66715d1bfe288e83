/**
 * A fake clock and a fake connector for the pool's unit tests: the pool's
 * bookkeeping runs in microseconds, with time moved by the test.
 */
import type { Connection as RawConnection } from "mysql2";
import { POOL_DEFAULTS, type PoolConfig } from "../../src/config/config.ts";
import { Secret } from "../../src/config/secret.ts";
import type { PoolClock } from "../../src/pool/pool_clock.ts";
import type { SessionOps } from "../../src/pool/session_ops.ts";
import type { PoolOptions } from "../../src/pool/types.ts";

interface Timer {
  at: number;
  every: number;
  callback: () => void;
}

/** A clock whose time moves only when the test says so. */
export class FakeClock implements PoolClock {
  #now = 0;
  readonly #timers = new Set<Timer>();

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): () => void {
    const timer = { at: this.#now + Math.max(0, ms), every: 0, callback };
    this.#timers.add(timer);
    return () => this.#timers.delete(timer);
  }

  setInterval(callback: () => void, ms: number): () => void {
    const timer = { at: this.#now + ms, every: ms, callback };
    this.#timers.add(timer);
    return () => this.#timers.delete(timer);
  }

  /** Moves time forward `ms`, firing due timers in order and letting promises settle between them. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    await settle();
    while (true) {
      let next: Timer | undefined;
      for (const timer of this.#timers) if (!next || timer.at < next.at) next = timer;
      if (!next || next.at > end) break;
      this.#now = next.at;
      if (next.every > 0) next.at += next.every;
      else this.#timers.delete(next);
      next.callback();
      await settle();
    }
    this.#now = end;
    await settle();
  }
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** How a fake round trip answers: at once, with an error, or never. */
export type Answer = "ok" | "fail" | "hang";

/** One fake connection; every round trip it was asked for is in `calls`. */
export class FakeSession implements SessionOps {
  readonly raw = {} as RawConnection;
  readonly flavor = "mariadb" as const;
  readonly serverVersion = "11.0.0-MariaDB";
  readonly calls: string[] = [];
  answer: Answer = "ok";
  destroyed: "graceful" | "abrupt" | undefined;
  #gone: ((error?: unknown) => void) | undefined;
  readonly #pending: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(readonly threadId: number) {}

  ping(): Promise<void> {
    return this.#roundTrip("ping");
  }

  reset(): Promise<void> {
    return this.#roundTrip("reset");
  }

  setReadOnly(readOnly: boolean): Promise<void> {
    return this.#roundTrip(readOnly ? "read only" : "read write");
  }

  destroy(graceful: boolean): void {
    this.destroyed ??= graceful ? "graceful" : "abrupt";
    // Like a destroyed socket: whatever waits on it fails.
    for (const { reject } of this.#pending.splice(0)) reject(new Error("connection destroyed"));
  }

  /** The server finally answers the round trips left hanging. */
  answerPending(): void {
    for (const { resolve } of this.#pending.splice(0)) resolve();
  }

  onGone(callback: (error?: unknown) => void): void {
    this.#gone = callback;
  }

  /** The server drops the connection by itself. */
  die(): void {
    this.#gone?.({ code: "PROTOCOL_CONNECTION_LOST" });
  }

  #roundTrip(name: string): Promise<void> {
    this.calls.push(name);
    if (this.destroyed) return Promise.reject(new Error("connection destroyed"));
    if (this.answer === "ok") return Promise.resolve();
    if (this.answer === "fail") return Promise.reject({ code: "ECONNRESET" });
    return new Promise((resolve, reject) => this.#pending.push({ resolve, reject }));
  }
}

/** A connector that opens FakeSessions (thread ids 1, 2, ...), or fails while `refuse` is set. */
export class FakeServer {
  readonly sessions: FakeSession[] = [];
  refuse = false;
  /** Connects in flight wait for release() when set. */
  holdConnects = false;
  readonly #held: (() => void)[] = [];

  readonly connect = (): Promise<SessionOps> => {
    if (this.refuse) return Promise.reject({ code: "ECONNREFUSED" });
    const open = () => {
      const session = new FakeSession(this.sessions.length + 1);
      this.sessions.push(session);
      return session;
    };
    if (!this.holdConnects) return Promise.resolve(open());
    return new Promise((resolve) => this.#held.push(() => resolve(open())));
  };

  /** Lets the held connects finish. */
  releaseConnects(): void {
    for (const finish of this.#held.splice(0)) finish();
  }

  /** Connections neither destroyed by the pool nor dropped. */
  get open(): FakeSession[] {
    return this.sessions.filter((s) => !s.destroyed);
  }
}

/** PoolOptions for a pool over `server`, with every timer on but far away unless overridden. */
export function fakePoolOptions(
  server: FakeServer,
  config: Partial<PoolConfig> = {},
  extra: Partial<PoolOptions> = {},
): PoolOptions {
  return {
    name: "fake/db",
    target: {
      host: "fake",
      port: 3306,
      user: "u",
      password: new Secret("p"),
      database: "db",
      connectTimeoutMs: 1000,
    },
    config: {
      ...POOL_DEFAULTS,
      maxConnections: 3,
      minConnections: 0,
      acquireTimeoutMs: 500,
      connectTimeoutMs: 1000,
      idleTimeoutMs: 60_000,
      maxLifetimeMs: 600_000,
      healthCheckIntervalMs: 0,
      ...config,
    },
    leakThresholdMs: 0,
    validateAfterIdleMs: 10_000,
    connect: server.connect,
    ...extra,
  };
}
