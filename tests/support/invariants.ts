import assert from "assert";
import type { App } from "../../src/app.ts";

/**
 * After a fault: no tool call is left pending, every pool's books balance
 * (active + idle = total), and within `withinMs` no connection is still lent.
 */
export async function assertSettled(app: App, withinMs = 15_000): Promise<void> {
  assert.equal(app.calls.size, 0, "a tool call is still pending");
  const started = performance.now();
  for (;;) {
    const stats = app.datasources.stats();
    for (const pool of stats) {
      assert.equal(pool.active + pool.idle, pool.total, `${pool.name}: ${JSON.stringify(pool)}`);
      assert.ok(pool.total <= 10, `${pool.name} holds ${pool.total} connections`);
    }
    if (stats.every((pool) => pool.active === 0 && pool.waiting === 0)) return;
    if (performance.now() - started > withinMs) {
      assert.fail(`connections still lent after ${withinMs} ms: ${JSON.stringify(stats)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
