import { isPermanent } from "./_connection_error.ts";
import { connect } from "./connect.ts";
import type { ConnectionTarget } from "./types.ts";

export type SourceState = "available" | "unavailable";

export interface SourceHealthOptions {
  /** Data source key, for log lines only. */
  readonly name: string;
  /** Checks whether the server answers again while unavailable; resolves on success. */
  readonly probe: () => Promise<unknown>;
  /** Waits between connect attempts; one attempt more than there are delays. */
  readonly retryDelaysMs?: readonly number[];
  /** How often an unavailable source is probed in the background. */
  readonly recoveryIntervalMs?: number;
  readonly log?: (
    level: "debug" | "info" | "warn" | "error",
    message: string,
    fields?: Record<string, unknown>,
  ) => void;
}

const DEFAULT_DELAYS = [1000, 2000, 4000] as const;
const DEFAULT_RECOVERY_MS = 60_000;

/**
 * Availability of one data source, shared by all of its pools. Connects retry
 * with backoff while the source is believed up; once every retry failed it is
 * "unavailable", connects fail after a single direct attempt, and a background
 * probe brings it back.
 */
export class SourceHealth {
  readonly name: string;
  #state: SourceState = "available";
  #probe: () => Promise<unknown>;
  #delays: readonly number[];
  #recoveryMs: number;
  #log: NonNullable<SourceHealthOptions["log"]>;
  #timer: ReturnType<typeof setInterval> | undefined;
  #probing = false;
  #closed = false;
  #listeners = new Set<(state: SourceState) => void>();

  constructor(options: SourceHealthOptions) {
    this.name = options.name;
    this.#probe = options.probe;
    this.#delays = options.retryDelaysMs ?? DEFAULT_DELAYS;
    this.#recoveryMs = options.recoveryIntervalMs ?? DEFAULT_RECOVERY_MS;
    this.#log = options.log ?? (() => {});
  }

  /** A SourceHealth whose probe opens (and closes) a server-level connection to `target`. */
  static forTarget(
    target: ConnectionTarget,
    options: Omit<SourceHealthOptions, "probe">,
  ): SourceHealth {
    const serverTarget = { ...target, database: undefined };
    return new SourceHealth({
      ...options,
      probe: async () => {
        const { raw } = await connect(serverTarget);
        raw.end();
        raw.destroy();
      },
    });
  }

  get state(): SourceState {
    return this.#state;
  }

  /** Called on every change of state; returns an unsubscribe. */
  subscribe(listener: (state: SourceState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Runs `attempt`, retrying with backoff while the source is available. Errors
   * that retrying cannot fix (bad password, unknown database) are thrown at once
   * and say nothing about availability.
   */
  async connectWithRetry<T>(attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#isUnavailable()) return await this.#directAttempt(attempt);
    for (let i = 0;; i++) {
      try {
        const result = await attempt();
        this.#markAvailable();
        return result;
      } catch (error) {
        if (isPermanent(error) || signal?.aborted) throw error;
        // Another caller gave up meanwhile: do not make this one wait out the backoff too.
        if (this.#isUnavailable()) return await this.#directAttempt(attempt);
        if (i >= this.#delays.length) {
          this.#markUnavailable(error);
          throw error;
        }
        await sleep(this.#delays[i], signal);
      }
    }
  }

  /** Stops the background probe; the object stays usable for direct attempts. */
  close(): void {
    this.#closed = true;
    this.#stopRecovery();
  }

  // A method, not a field read: the state changes across awaits.
  #isUnavailable(): boolean {
    return this.#state === "unavailable";
  }

  async #directAttempt<T>(attempt: () => Promise<T>): Promise<T> {
    const result = await attempt();
    this.#markAvailable();
    return result;
  }

  #markAvailable() {
    if (this.#state === "available") return;
    this.#state = "available";
    this.#stopRecovery();
    this.#log("info", `Data source "${this.name}" is available again`);
    this.#notify();
  }

  #markUnavailable(error: unknown) {
    if (this.#state === "unavailable") return;
    this.#state = "unavailable";
    this.#log("warn", `Data source "${this.name}" is unavailable; retrying in the background`, {
      error: error instanceof Error ? error.message : String(error),
      retryEveryMs: this.#recoveryMs,
    });
    this.#notify();
    if (this.#closed) return;
    this.#timer = setInterval(() => this.#recover(), this.#recoveryMs);
    // A background retry must not keep the process alive.
    Deno.unrefTimer(this.#timer);
  }

  async #recover() {
    if (this.#probing || this.#state === "available") return;
    this.#probing = true;
    try {
      await this.#probe();
      this.#markAvailable();
    } catch {
      // still down; the next tick tries again
    } finally {
      this.#probing = false;
    }
  }

  #stopRecovery() {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #notify() {
    for (const listener of this.#listeners) {
      try {
        listener(this.#state);
      } catch { /* a listener's failure is its own */ }
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
