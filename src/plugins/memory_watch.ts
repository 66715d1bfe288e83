/**
 * The guard against a plugin that allocates until it dies. V8 ends the whole
 * process when any isolate, a worker's included, reaches its heap limit, and
 * Deno's workers take no memory limit of their own; so the server watches its
 * resident memory and stops plugin workers well before that point.
 */
export interface Restartable {
  readonly busy: boolean;
  restart(message: string): void;
}

export interface MemoryWatchOptions {
  /** Growth of the process's RSS over its level at start that ends plugin workers. */
  limitBytes: number;
  intervalMs?: number;
  /** The process's resident set size; faked in tests. */
  rss?: () => number;
}

/** Polls RSS (an unref'd timer, ~µs a poll) while plugins are loaded. */
export class MemoryWatch {
  readonly #workers = new Set<Restartable>();
  readonly #rss: () => number;
  #baseline: number;
  #timer?: ReturnType<typeof setInterval>;
  #cooling = 0;

  constructor(private readonly options: MemoryWatchOptions) {
    this.#rss = options.rss ?? (() => Deno.memoryUsage().rss);
    this.#baseline = this.#rss();
  }

  add(worker: Restartable): void {
    this.#workers.add(worker);
    if (this.#timer !== undefined) return;
    const timer = setInterval(() => this.check(), this.options.intervalMs ?? 100);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  delete(worker: Restartable): void {
    this.#workers.delete(worker);
    if (this.#workers.size === 0) this.close();
  }

  /**
   * One look: over the limit, the workers with work in flight are stopped (all
   * of them when none is busy: a plugin can allocate from a timer too). When
   * memory stays high after that, the growth is the server's own: it becomes
   * the new baseline instead of stopping plugins again and again.
   */
  check(): void {
    const rss = this.#rss();
    if (rss - this.#baseline <= this.options.limitBytes) {
      this.#cooling = 0;
      return;
    }
    if (this.#cooling > 0) {
      if (--this.#cooling === 0) this.#baseline = rss;
      return;
    }
    const busy = [...this.#workers].filter((w) => w.busy);
    const mb = Math.round(this.options.limitBytes / 2 ** 20);
    for (const worker of busy.length ? busy : this.#workers) {
      worker.restart(
        `a plugin grew the server's memory by more than ${mb} MB; its worker was stopped`,
      );
    }
    this.#cooling = 10;
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#workers.clear();
  }
}
