import type { PoolClock } from "./pool_clock.ts";
import type { SessionOps } from "./session_ops.ts";

/**
 * Puts a deadline on one round trip: past `ms` the promise rejects with
 * ROUND_TRIP_TIMEOUT and `onTimeout` runs (the pool closes the connection,
 * which also fails the command still pending on it).
 */
export function withDeadline<T>(
  clock: PoolClock,
  ms: number,
  op: Promise<T>,
  onTimeout: () => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const cancel = clock.setTimeout(() => {
      reject({ code: "ROUND_TRIP_TIMEOUT" });
      onTimeout();
    }, ms);
    op.then((value) => {
      cancel();
      resolve(value);
    }, (error) => {
      cancel();
      reject(error);
    });
  });
}

/** One ping: true when the server answered within `ms`. */
export function pingWithin(clock: PoolClock, ms: number, session: SessionOps): Promise<boolean> {
  return new Promise((resolve) => {
    const cancel = clock.setTimeout(() => resolve(false), ms);
    session.ping().then(() => resolve(true), () => resolve(false)).finally(cancel);
  });
}
