/**
 * What the server reads from a plugin process's own stderr and exit status:
 * why it ended (V8's heap limit, a signal, an exit code), and a per-second
 * allowance for what a plugin writes to its stderr messages, and how long a
 * plugin that keeps dying waits before it is started again.
 */

/**
 * Why a plugin's process ended, for the caller and the log: V8's heap limit,
 * a signal, or an exit code. The process's own stderr is read for the first
 * only; its text (paths, stack traces) is never shown.
 */
export function describeExit(status: Deno.CommandStatus, stderr: string, limitMb: number): string {
  if (/out of memory|heap limit|allocation failed/i.test(stderr)) {
    return `ran out of memory (its limit is ${limitMb} MB); its process was stopped`;
  }
  if (status.signal) return `stopped with signal ${status.signal}`;
  const detail = firstUsefulLine(stderr);
  return `exited with code ${status.code}${detail ? `: ${detail}` : ""}`;
}

/** Deno's one-line reason for a module that does not load, without paths or colour codes. */
function firstUsefulLine(stderr: string): string {
  // deno-lint-ignore no-control-regex
  const plain = stderr.replace(/\x1b\[[0-9;]*m/g, "");
  const line = plain.split("\n").map((l) => l.trim()).find((l) => /^error:/i.test(l)) ?? "";
  return line.replace(/^error:\s*/i, "").replace(/(file|data):\/\/\S+/g, "<module>").slice(0, 300);
}

/** The last few KB a process wrote to stderr: read for the exit reason, never shown whole. */
export class StderrTail {
  text = "";
  done: Promise<void> = Promise.resolve();

  collect(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    this.done = (async () => {
      try {
        for await (const chunk of stream) {
          this.text = (this.text + decoder.decode(chunk, { stream: true })).slice(-8_192);
        }
      } catch {
        // the process is gone
      }
    })();
    return this.done;
  }
}

/** A per-second allowance of bytes, for what a plugin writes to stderr. */
export class ByteBudget {
  #second = 0;
  #left = 0;

  constructor(private readonly perSecond: number) {}

  /** Whether `bytes` more still fit this second. */
  take(bytes: number): boolean {
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#left = this.perSecond;
    }
    if (this.#left <= 0) return false;
    this.#left -= bytes;
    return true;
  }
}

/** Restarts within a minute past `free` make the next start wait 1 s, 2 s, ... at most 60 s. */
export class RestartBackoff {
  #restarts: number[] = [];
  #until = 0;

  constructor(private readonly free: number) {}

  /** Notes a restart now; returns how long the next start must wait (0: at once). */
  record(now = Date.now()): number {
    this.#restarts = [...this.#restarts.filter((at) => now - at < 60_000), now];
    const over = this.#restarts.length - this.free;
    if (over <= 0) return 0;
    const wait = Math.min(60_000, 1_000 * 2 ** (over - 1));
    this.#until = now + wait;
    return wait;
  }

  /** Forgets the restarts: the plugin served since. */
  reset(): void {
    this.#restarts = [];
  }

  waitLeft(now = Date.now()): number {
    return Math.max(0, this.#until - now);
  }
}
