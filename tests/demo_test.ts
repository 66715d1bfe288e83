/**
 * The README's first command: the demo walks every tool through the real server, started as
 * an agent host would start it, and every call does what the walk says (no surprise).
 */
import assert from "assert";

Deno.test({
  name: "deno task demo walks every tool with no surprise",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const env = Deno.env.toObject();
    delete env.MYSQL_TEST_URL; // the demo seeds a shop of its own, in a MariaDB of its own
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../scripts/demo.ts", import.meta.url).pathname],
      env: { ...env, NO_COLOR: "1" },
      clearEnv: true,
      stdin: "null",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, text.slice(-3000));
    assert.match(text, /\d+ calls, \d+ refused as expected, 0 surprise\(s\)/);
    assert.doesNotMatch(text, /plugin skipped|not loaded/);
    // The walk starts with `check`: shop-ro verifies the demo server's generated certificate.
    assert.match(text, /shop-ro .* available .* tls \(TLSv1\.[23], \S+\)/);
  },
});
