import type { Clock } from "./types.ts";

/** Cancels a timer; calling it again does nothing. */
export type CancelTimer = () => void;

/**
 * Time as the pool sees it: monotonic milliseconds and the timers its
 * housekeeping runs on. Tests pass a fake and move time themselves.
 */
export interface PoolClock extends Clock {
  setTimeout(callback: () => void, ms: number): CancelTimer;
  setInterval(callback: () => void, ms: number): CancelTimer;
}

/** performance.now() and real timers that never keep the process (or a test) alive. */
export const systemClock: PoolClock = {
  now: () => performance.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    Deno.unrefTimer(timer);
    return () => clearTimeout(timer);
  },
  setInterval(callback, ms) {
    const timer = setInterval(callback, ms);
    Deno.unrefTimer(timer);
    return () => clearInterval(timer);
  },
};

/** A clock with timers: `clock` itself when it has them, else its now() with real timers. */
export function poolClock(clock: Clock | PoolClock): PoolClock {
  if ("setTimeout" in clock && "setInterval" in clock) return clock;
  return {
    now: () => clock.now(),
    setTimeout: systemClock.setTimeout,
    setInterval: systemClock.setInterval,
  };
}
