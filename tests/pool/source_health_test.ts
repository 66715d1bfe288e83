import assert from "assert";
import { ToolError } from "../../src/errors/tool_error.ts";
import { SourceHealth } from "../../src/pool/source_health.ts";

const refused = () => new ToolError("CONNECTION_FAILED", "Cannot connect: connection refused");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function failingTimes(n: number) {
  let calls = 0;
  const attempt = () => {
    calls++;
    return calls <= n ? Promise.reject(refused()) : Promise.resolve(`connection ${calls}`);
  };
  return { attempt, calls: () => calls };
}

Deno.test("connectWithRetry() retries with the configured delays and returns the first success", async () => {
  const health = new SourceHealth({
    name: "s",
    probe: () => Promise.resolve(),
    retryDelaysMs: [5, 10, 20],
  });
  const { attempt, calls } = failingTimes(2);
  const started = performance.now();
  assert.equal(await health.connectWithRetry(attempt), "connection 3");
  assert.equal(calls(), 3);
  assert.ok(performance.now() - started >= 14);
  assert.equal(health.state, "available");
});

Deno.test("connectWithRetry() marks the source unavailable when every attempt fails", async () => {
  const states: string[] = [];
  const health = new SourceHealth({
    name: "s",
    probe: () => Promise.reject(refused()),
    retryDelaysMs: [1, 1, 1],
    recoveryIntervalMs: 60_000,
  });
  health.subscribe((s) => states.push(s));
  const { attempt, calls } = failingTimes(100);
  await assert.rejects(health.connectWithRetry(attempt), /connection refused/);
  assert.equal(calls(), 4);
  assert.equal(health.state, "unavailable");
  assert.deepEqual(states, ["unavailable"]);
  // While unavailable: exactly one direct attempt, no backoff.
  await assert.rejects(health.connectWithRetry(attempt));
  assert.equal(calls(), 5);
  health.close();
});

Deno.test("a successful direct attempt while unavailable makes the source available at once", async () => {
  const health = new SourceHealth({
    name: "s",
    probe: () => Promise.reject(refused()),
    retryDelaysMs: [],
  });
  await assert.rejects(health.connectWithRetry(() => Promise.reject(refused())));
  assert.equal(health.state, "unavailable");
  assert.equal(await health.connectWithRetry(() => Promise.resolve(1)), 1);
  assert.equal(health.state, "available");
  health.close();
});

Deno.test("the background probe marks an unavailable source available again", async () => {
  let up = false;
  let probes = 0;
  const health = new SourceHealth({
    name: "s",
    probe: () => {
      probes++;
      return up ? Promise.resolve() : Promise.reject(refused());
    },
    retryDelaysMs: [],
    recoveryIntervalMs: 20,
  });
  await assert.rejects(health.connectWithRetry(() => Promise.reject(refused())));
  await sleep(70);
  assert.equal(health.state, "unavailable");
  assert.ok(probes >= 2, `probes ${probes}`);
  up = true;
  await sleep(60);
  assert.equal(health.state, "available");
  const after = probes;
  await sleep(60);
  assert.equal(probes, after, "probing stops once available");
  health.close();
});

Deno.test("errors that retrying cannot fix are thrown at once and leave the source available", async () => {
  const health = new SourceHealth({
    name: "s",
    probe: () => Promise.resolve(),
    retryDelaysMs: [1000],
  });
  let calls = 0;
  const denied = new ToolError("CONNECTION_FAILED", "Cannot connect: access denied", {
    transient: false,
  });
  const started = performance.now();
  await assert.rejects(health.connectWithRetry(() => {
    calls++;
    return Promise.reject(denied);
  }));
  assert.equal(calls, 1);
  assert.ok(performance.now() - started < 500);
  assert.equal(health.state, "available");
});

Deno.test("an aborted signal cuts the backoff short", async () => {
  const health = new SourceHealth({
    name: "s",
    probe: () => Promise.resolve(),
    retryDelaysMs: [10_000],
  });
  const controller = new AbortController();
  const started = performance.now();
  const pending = health.connectWithRetry(() => Promise.reject(refused()), controller.signal);
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(pending);
  assert.ok(performance.now() - started < 2000);
});
