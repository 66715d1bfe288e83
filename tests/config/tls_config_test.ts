import assert from "assert";
import { parseConfig } from "../../src/config/parse_config.ts";
import { tlsEngine } from "../../src/pool/tls_setup.ts";

const SOURCE = (key: string, tls: string) => `
[[datasources]]
key = "${key}"
host = "db.internal"
port = 3306
username = "reader"
password = "pw-1234"
${tls ? `  [datasources.tls]\n${tls}` : ""}
`;
// A second valid source keeps the config usable when the one under test is skipped.
const parse = (tls: string) =>
  parseConfig(SOURCE("a", tls) + SOURCE("b", ""), {
    path: "/etc/mcp/datasources.toml",
    env: () => undefined,
  });

Deno.test("[datasources.tls] defaults to preferred, as the MySQL client does", () => {
  const { config, warnings } = parse("");
  assert.deepEqual(warnings, []);
  assert.deepEqual(config.datasources[0].tls, { mode: "preferred" });
});

Deno.test("[datasources.tls] reads every key; file paths are resolved beside the config file", () => {
  const { config, warnings } = parse(`
  mode = "verify_identity"
  ca = "certs/ca.pem"
  cert = "/abs/client.pem"
  key = "./certs/client.key"
  server_name = "db.example.com"
  min_version = "TLSv1.3"
`);
  assert.deepEqual(warnings, []);
  assert.deepEqual(config.datasources[0].tls, {
    mode: "verify_identity",
    ca: "/etc/mcp/certs/ca.pem",
    cert: "/abs/client.pem",
    key: "/etc/mcp/certs/client.key",
    serverName: "db.example.com",
    minVersion: "TLSv1.3",
  });
  assert.ok(Object.isFrozen(config.datasources[0].tls));
});

Deno.test("[datasources.tls] refuses an unknown mode or version with the allowed values", () => {
  assert.deepEqual(parse(`  mode = "verify_full"`).warnings, [
    'datasource #1 "a" skipped: tls mode must be one of "disabled", "preferred", "required", ' +
    '"verify_ca", "verify_identity", got "verify_full"',
  ]);
  assert.deepEqual(parse(`  min_version = "TLSv1.1"`).warnings, [
    'datasource #1 "a" skipped: tls min_version must be one of "TLSv1.2", "TLSv1.3", got "TLSv1.1"',
  ]);
});

Deno.test("[datasources.tls] wants cert and key together, and warns about unknown keys", () => {
  const { warnings } = parse(`  cert = "c.pem"\n  sslmode = "x"`);
  assert.deepEqual(warnings, [
    'datasource #1 "a": tls: unknown field "sslmode" ignored',
    'datasource #1 "a" skipped: tls key is needed too: a client certificate takes both cert and key',
  ]);
});

Deno.test("[datasources.tls] mode disabled says which settings it ignores", () => {
  const { config, warnings } = parse(`  mode = "disabled"\n  ca = "ca.pem"\n  server_name = "x"`);
  assert.equal(config.datasources[0].tls.mode, "disabled");
  assert.deepEqual(warnings, ['datasource #1 "a": tls: mode "disabled" ignores ca, server_name']);
});

Deno.test("tlsEngine() uses Deno.startTls wherever it can do the job, node:tls elsewhere", () => {
  const engine = (tls: string) => tlsEngine(parse(tls).config.datasources[0].tls);
  assert.equal(engine(`  mode = "disabled"`), "none");
  assert.equal(engine(`  mode = "verify_ca"`), "deno");
  assert.equal(engine(`  mode = "verify_identity"\n  min_version = "TLSv1.2"`), "deno");
  // Deno.startTls cannot skip the chain check, present a client certificate or pin TLSv1.3.
  assert.equal(engine(""), "node");
  assert.equal(engine(`  mode = "required"`), "node");
  assert.equal(engine(`  mode = "verify_ca"\n  cert = "c"\n  key = "k"`), "node");
  assert.equal(engine(`  mode = "verify_identity"\n  min_version = "TLSv1.3"`), "node");
});
