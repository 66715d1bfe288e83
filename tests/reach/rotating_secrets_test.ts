import assert from "assert";
import { SecretScrubber } from "../../src/log/secret_scrubber.ts";

Deno.test("addRotating() scrubs the newest values of a series, bounded, beside the fixed secrets", () => {
  const scrubber = new SecretScrubber();
  scrubber.add("fixed-password");
  for (let i = 0; i < 20; i++) assert.ok(scrubber.addRotating("datasource:a", `token-${i}-xyz`, 3));
  assert.equal(scrubber.size, 1 + 3);
  assert.equal(
    scrubber.scrub("fixed-password token-19-xyz token-17-xyz token-16-xyz"),
    "[REDACTED] [REDACTED] [REDACTED] token-16-xyz",
  );
  // Another series keeps its own values; a value too short to scrub is refused as add() does.
  scrubber.addRotating("datasource:b", "other-token", 3);
  assert.equal(scrubber.scrub('{"t":"other-token"}'), '{"t":"[REDACTED]"}');
  assert.equal(scrubber.addRotating("datasource:b", "abc"), false);
  // The same value again is not a new entry.
  scrubber.addRotating("datasource:a", "token-19-xyz", 3);
  assert.equal(scrubber.scrub("token-17-xyz"), "[REDACTED]");
});
