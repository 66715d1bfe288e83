import assert from "assert";

const LOGGER = new URL("../../src/log/logger.ts", import.meta.url).href;
const SCRUBBER = new URL("../../src/log/secret_scrubber.ts", import.meta.url).href;

/** Runs `code` in a fresh Deno and returns what it wrote to stderr. */
async function stderrOf(code: string): Promise<string> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return new TextDecoder().decode(output.stderr);
}

Deno.test("a log line holding a password is written to stderr with [REDACTED] in its place", async () => {
  const password = `pw"é\\${crypto.randomUUID()}`;
  const stderr = await stderrOf(`
    import { Logger } from ${JSON.stringify(LOGGER)};
    import { SecretScrubber } from ${JSON.stringify(SCRUBBER)};
    const scrubber = new SecretScrubber();
    const log = new Logger({ level: "info", sinks: [], scrubber });
    scrubber.add(${JSON.stringify(password)});
    log.info("connecting with " + ${JSON.stringify(password)});
    log.child({ tool: "t" }).warn("retry", { url: "mysql://u:" + encodeURIComponent(${
    JSON.stringify(password)
  }) + "@h" });
  `);
  const lines = stderr.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines[0].msg, "connecting with [REDACTED]");
  assert.equal(lines[1].url, "mysql://u:[REDACTED]@h");
  assert.equal(lines[1].tool, "t");
  assert.ok(!stderr.includes(password) && !stderr.includes(JSON.stringify(password).slice(1, -1)));
});
