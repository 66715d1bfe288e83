/**
 * Small measuring helpers shared by `deno task bench` and later benchmarks:
 * percentiles, timed loops, and peak RSS of another process.
 */

/** The p-th percentile (0..100) of `samples`, nearest rank; 0 for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** The median of `samples`. */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** Runs `task` sequentially `count` times and returns each duration in ms. */
export async function timeSequential(
  count: number,
  task: (i: number) => Promise<unknown>,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await task(i);
    times.push(performance.now() - started);
  }
  return times;
}

export interface ThroughputResult {
  readonly requests: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

/** Keeps `inFlight` calls of `task` running for `seconds`; counts completions and latencies. */
export async function throughput(
  inFlight: number,
  seconds: number,
  task: (i: number) => Promise<unknown>,
): Promise<ThroughputResult> {
  const latencies: number[] = [];
  let errors = 0;
  let counter = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await task(counter++);
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsed = (performance.now() - started) / 1000;
  return {
    requests: latencies.length,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
  };
}

/** Reads one `kB` field (VmRSS, VmHWM) of /proc/<pid>/status, in bytes; undefined off Linux. */
export function procStatusBytes(pid: number, field: "VmRSS" | "VmHWM"): number | undefined {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const match = status.match(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Peak resident memory of process `pid` while `work` runs: VmRSS sampled
 * every `everyMs`, and VmHWM after resetting it (`clear_refs` 5) when the
 * kernel lets us. Returns the larger of the two, with the work's result.
 */
export async function peakRss<T>(
  pid: number,
  work: () => Promise<T>,
  everyMs = 50,
): Promise<{ peakBytes: number; before: number; result: T }> {
  let hwmReset = false;
  try {
    Deno.writeTextFileSync(`/proc/${pid}/clear_refs`, "5");
    hwmReset = true;
  } catch { /* not permitted: sampling alone */ }
  const before = procStatusBytes(pid, "VmRSS") ?? 0;
  let peak = before;
  const sample = () => {
    const rss = procStatusBytes(pid, "VmRSS");
    if (rss !== undefined && rss > peak) peak = rss;
  };
  const timer = setInterval(sample, everyMs);
  try {
    const result = await work();
    sample();
    if (hwmReset) peak = Math.max(peak, procStatusBytes(pid, "VmHWM") ?? 0);
    return { peakBytes: peak, before, result };
  } finally {
    clearInterval(timer);
  }
}

/** Bytes of `text` as UTF-8. */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}
