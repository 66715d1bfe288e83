import assert from "assert";
import { Logger } from "../../src/log/logger.ts";
import { routeConsole } from "../../src/log/route_console.ts";

Deno.test("routeConsole() turns console calls into log records and restores the console", () => {
  const records: Record<string, unknown>[] = [];
  const log = new Logger({ level: "debug", sinks: [(r) => void records.push(r)] });
  const printed: unknown[] = [];
  const original = (...args: unknown[]) => void printed.push(args);
  const target = {
    log: original,
    info: original,
    warn: original,
    error: original,
  } as unknown as Console;
  const restore = routeConsole(log, target);
  target.log("hello", { n: 1 });
  target.error("bad");
  assert.deepEqual(printed, []);
  assert.deepEqual(records.map((r) => [r.level, r.msg, r.source]), [
    ["info", "hello { n: 1 }", "console"],
    ["error", "bad", "console"],
  ]);
  restore();
  assert.equal(target.log, original);
});
