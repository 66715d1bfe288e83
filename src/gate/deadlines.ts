interface Deadline {
  at: number;
  fire: () => void;
}

/**
 * Many deadlines, one timer. Every statement has a client-side timeout
 * behind the server's own, and a timer per statement cost more than the
 * statement's bookkeeping; this checks them all a few times a second.
 */
export class Deadlines {
  readonly #entries = new Set<Deadline>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly resolutionMs = 100) {}

  /** Calls `fire` once, about `ms` from now, unless the returned cancel runs first. */
  add(ms: number, fire: () => void): () => void {
    const entry: Deadline = { at: performance.now() + ms, fire };
    this.#entries.add(entry);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#tick(), this.resolutionMs);
      Deno.unrefTimer(this.#timer);
    }
    return () => {
      this.#entries.delete(entry);
    };
  }

  #tick() {
    const now = performance.now();
    for (const entry of this.#entries) {
      if (entry.at <= now) {
        this.#entries.delete(entry);
        entry.fire();
      }
    }
    if (this.#entries.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
