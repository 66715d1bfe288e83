import type { PoolStats } from "./types.ts";

const SAMPLE_RING = 1024; // recent acquire times kept for p99; a power of two

/** Acquisition counters and recent wait times, for PoolStats. */
export class AcquireStats {
  total = 0;
  successful = 0;
  failed = 0;
  #waitSum = 0;
  readonly #samples = new Float64Array(SAMPLE_RING);

  /** A successful acquisition after waiting `waitMs`. */
  succeeded(waitMs: number): void {
    this.#samples[this.successful & (SAMPLE_RING - 1)] = waitMs;
    this.successful++;
    this.#waitSum += waitMs;
  }

  snapshot(): Pick<PoolStats, "acquisitions" | "acquireTimeMs"> {
    const count = Math.min(this.successful, SAMPLE_RING);
    const recent = this.#samples.slice(0, count).sort();
    const p99 = count === 0 ? 0 : recent[Math.max(0, Math.ceil(count * 0.99) - 1)];
    return {
      acquisitions: { total: this.total, successful: this.successful, failed: this.failed },
      acquireTimeMs: {
        average: this.successful === 0 ? 0 : this.#waitSum / this.successful,
        p99,
      },
    };
  }
}
