import assert from "assert";
import fc from "fast-check";
import { parseDuration } from "../../src/config/duration.ts";
import { ConfigError, parseConfig } from "../../src/config/parse_config.ts";
import { Datasources } from "../../src/datasources/datasources.ts";
import { Logger } from "../../src/log/logger.ts";

const noEnv = () => undefined;
const parse = (text: string, env: (n: string) => string | undefined = noEnv) =>
  parseConfig(text, { path: "/etc/mcp/datasources.toml", env });

const SOURCE = `
[[datasources]]
key = "shop"
name = "Shop"
host = "127.0.0.1"
port = 3306
username = "reader"
password_env = "SHOP_PW"
databases = ["shop"]
`;

Deno.test("parseConfig() reads every section with defaults and durations", () => {
  const { config, warnings } = parse(
    `[server]
query_timeout = "500ms"
stream_chunk_size = 200
stream_idle_timeout = "5m"
plugins_dir = "plugins"
${SOURCE}
read_only = true
max_rows = 50
  [datasources.pool]
  max_connections = 4
  min_connections = 1
  idle_timeout = "1h"

[[tools]]
name = "orders_by_status"
description = "Orders with a status"
datasource = "shop"
database = "shop"
statement = "SELECT id FROM orders WHERE status = :status LIMIT :limit"
  [[tools.parameters]]
  name = "status"
  type = "string"
  enum = ["paid", "pending"]
  [[tools.parameters]]
  name = "limit"
  type = "integer"
  default = 50
`,
    (name) => (name === "SHOP_PW" ? "s3cret-value" : undefined),
  );
  assert.deepEqual(warnings, []);
  assert.equal(config.server.queryTimeoutMs, 500);
  assert.equal(config.server.streamChunkSize, 200);
  assert.equal(config.server.streamIdleTimeoutMs, 300_000);
  assert.equal(config.server.pluginsDir, "/etc/mcp/plugins");
  const source = config.datasources[0];
  assert.equal(source.readOnly, true);
  assert.equal(source.maxRows, 50);
  assert.equal(source.pool.maxConnections, 4);
  assert.equal(source.pool.minConnections, 1);
  assert.equal(source.pool.idleTimeoutMs, 3_600_000);
  assert.equal(source.pool.acquireTimeoutMs, 30_000);
  assert.equal(source.password.reveal(), "s3cret-value");
  assert.equal(source.passwordEnv, "SHOP_PW");
  assert.equal(config.tools[0].parameters[1].default, 50);
  assert.equal(config.tools[0].parameters[1].required, false);
  assert.equal(config.tools[0].parameters[0].required, true);
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.datasources[0].pool));
});

Deno.test("parseDuration() accepts ms, s, m and h and explains what it expected", () => {
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("30s"), 30_000);
  assert.equal(parseDuration("5m"), 300_000);
  assert.equal(parseDuration("1h"), 3_600_000);
  assert.throws(
    () => parseDuration("5x"),
    /Cannot parse duration "5x": expected a number followed by ms, s, m or h/,
  );
  assert.throws(() => parseDuration("-1s"), RangeError);
});

Deno.test("parseConfig() reports malformed TOML with file, line and what was wrong", () => {
  assert.throws(
    () => parse(`[server]\nquery_timeout = "30s"\nstream_chunk_size = = 3\n`),
    (error: Error) =>
      error instanceof ConfigError && /^\/etc\/mcp\/datasources\.toml:3:\d+: invalid TOML/.test(
        error.message,
      ),
  );
});

Deno.test("parseConfig() skips an invalid source with the reason and keeps the valid ones", () => {
  const { config, warnings } = parse(
    `${SOURCE}\n[[datasources]]\nkey = "broken"\nhost = "h"\nport = 1\nusername = "u"\n`,
    (n) => (n === "SHOP_PW" ? "pw" : undefined),
  );
  assert.deepEqual(config.datasources.map((s) => s.key), ["shop"]);
  assert.match(warnings.join("\n"), /"broken" skipped: missing a password source/);
});

Deno.test("parseConfig() with no valid source is a clear startup error", () => {
  assert.throws(() => parse(SOURCE), /no usable data source: none of its 1 data source\(s\)/);
  assert.throws(() => parse(`[server]\n`), /defines no \[\[datasources\]\]/);
});

Deno.test("parseConfig() refuses a duplicate key and caps a chunk size over 1000 with a warning", () => {
  const env = () => "pw";
  const { config, warnings } = parse(SOURCE + SOURCE, env);
  assert.equal(config.datasources.length, 1);
  assert.match(warnings.join("\n"), /key "shop" is already used/);
  const capped = parse(`[server]\nstream_chunk_size = 5000\n${SOURCE}`, env);
  assert.equal(capped.config.server.streamChunkSize, 1000);
  assert.match(capped.warnings.join(), /stream_chunk_size 5000 is over the hard cap; using 1000/);
  assert.throws(
    () => parse(`[server]\nstream_chunk_size = 0\n${SOURCE}`, env),
    /stream_chunk_size must be at least 1/,
  );
});

Deno.test("parseConfig() validates [[tools]] links: unknown datasource, database off the allow-list", () => {
  const env = () => "pw";
  const tool = (fields: string) =>
    `${SOURCE}\n[[tools]]\nname = "t1"\nstatement = "SELECT 1"\n${fields}\n`;
  assert.match(
    parse(tool(`datasource = "nope"\ndatabase = "shop"`), env).warnings.join(),
    /datasource "nope" is not a configured data source/,
  );
  assert.match(
    parse(tool(`datasource = "shop"\ndatabase = "other"`), env).warnings.join(),
    /database "other" is not in the allow-list/,
  );
});

Deno.test("parseConfig() warns about unknown fields instead of ignoring them silently", () => {
  const { warnings } = parse(`[server]\nquery_timout = "1s"\n${SOURCE}`, () => "pw");
  assert.match(warnings.join(), /unknown field "query_timout"/);
});

const REQUIRED = ["host", "port", "username", "password"] as const;
const sourceArb = fc.record({
  key: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
  omit: fc.option(fc.constantFrom(...REQUIRED), { nil: undefined }),
  badPort: fc.boolean(),
});

function sourceToml(s: { key: string; omit?: string; badPort?: boolean }): string {
  const fields: Record<string, string> = {
    key: JSON.stringify(s.key),
    host: '"db.internal"',
    port: s.badPort ? "70000" : "3306",
    username: '"reader"',
    password: '"pw-123"',
  };
  if (s.omit) delete fields[s.omit];
  return `[[datasources]]\n${Object.entries(fields).map(([k, v]) => `${k} = ${v}`).join("\n")}\n`;
}

// Feature: mysql-mcp-multi-datasource, Property 1: For any data source configuration, if any required field (host, port, username, password) is missing, the validation should reject the configuration
Deno.test("Property 1: a source missing host, port, username or password is rejected", () => {
  fc.assert(
    fc.property(fc.constantFrom(...REQUIRED), fc.stringMatching(/^[a-z]{1,8}$/), (omit, key) => {
      const good = sourceToml({ key: "good" });
      const { config, warnings } = parse(good + sourceToml({ key: `x${key}`, omit }));
      assert.deepEqual(config.datasources.map((s) => s.key), ["good"]);
      assert.equal(warnings.length, 1);
    }),
    { numRuns: 100 },
  );
});

// Feature: mysql-mcp-multi-datasource, Property 2: For any data source configuration with invalid values, the server should log an error and skip that data source without crashing
Deno.test("Property 2: invalid sources are reported and skipped, never crashing the parse", () => {
  fc.assert(
    fc.property(fc.array(sourceArb, { minLength: 1, maxLength: 6 }), (sources) => {
      const text = [sourceToml({ key: "anchor" }), ...sources.map(sourceToml)].join("\n");
      const { config, warnings } = parse(text);
      const keys = new Set(["anchor"]);
      let expectedValid = 1;
      for (const s of sources) {
        if (!s.omit && !s.badPort && !keys.has(s.key)) {
          keys.add(s.key);
          expectedValid++;
        }
      }
      assert.equal(config.datasources.length, expectedValid);
      assert.equal(warnings.length, sources.length + 1 - expectedValid);
    }),
    { numRuns: 100 },
  );
});

// Feature: mysql-mcp-multi-datasource, Property 3: For any set of valid data source configurations, the number of created connection pools should equal the number of valid configurations
Deno.test("Property 3: one pool set per valid source, none for invalid ones", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(sourceArb, { minLength: 1, maxLength: 6 }), async (sources) => {
      const text = [sourceToml({ key: "anchor" }), ...sources.map(sourceToml)].join("\n");
      const { config } = parse(text);
      const log = new Logger({ level: "error", sinks: [] });
      const datasources = new Datasources(config.datasources, config.server, log);
      try {
        assert.equal(datasources.keys().length, config.datasources.length);
        for (const key of datasources.keys()) {
          assert.equal(datasources.pool(key, "db1"), datasources.pool(key, "db1"));
          assert.notEqual(datasources.pool(key, "db1"), datasources.pool(key, "db2"));
        }
      } finally {
        await datasources.close(0);
      }
    }),
    { numRuns: 100 },
  );
});

// Feature: mysql-mcp-multi-datasource, Property 18: For any set of configured data sources, all generated or assigned keys should be unique
Deno.test("Property 18: configured keys are always unique", () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom("a", "b", "c", "d"), { minLength: 1, maxLength: 8 }),
      (keys) => {
        const { config } = parse(keys.map((key) => sourceToml({ key })).join("\n"));
        const seen = config.datasources.map((s) => s.key);
        assert.equal(new Set(seen).size, seen.length);
        assert.deepEqual(new Set(seen), new Set(keys));
      },
    ),
    { numRuns: 100 },
  );
});

Deno.test("max_result_bytes defaults to 16 MB, reads sizes, and a datasource may override it", () => {
  const env = () => "pw";
  const plain = parse(SOURCE, env).config;
  assert.equal(plain.server.maxResultBytes, 16 * 1024 * 1024);
  assert.equal(plain.datasources[0].maxResultBytes, 16 * 1024 * 1024);
  const { config, warnings } = parse(
    `[server]\nmax_result_bytes = "4MB"\n${SOURCE}\nmax_result_bytes = 65536\n` +
      SOURCE.replace('"shop"', '"other"'),
    env,
  );
  assert.deepEqual(warnings, []);
  assert.equal(config.server.maxResultBytes, 4 * 1024 * 1024);
  assert.equal(config.datasources[0].maxResultBytes, 65536);
  assert.equal(config.datasources[1].maxResultBytes, 4 * 1024 * 1024);
  for (
    const [value, reason] of <[string, RegExp][]> [['"12 parsecs"', /as a size/], [
      "10",
      /at least 1KB/,
    ]]
  ) {
    assert.throws(
      () => parse(`[server]\nmax_result_bytes = ${value}\n${SOURCE}`, env),
      (error: unknown) => error instanceof ConfigError && reason.test(error.message),
    );
  }
});

Deno.test("parseConfig() names nested problems by their TOML keys and accepts user for username", () => {
  const { config, warnings } = parse(
    `${SOURCE.replace('username = "reader"', 'user = "reader"')}
  [datasources.pool]
  max_conections = 3

[[datasources]]
key = "bad"
host = "h"
port = 1
username = "u"
password = "p"
  [datasources.pool]
  max_connections = 2
  min_connections = 3

[[tools]]
name = "t1"
datasource = "shop"
database = "shop"
statement = "SELECT :a"
  [[tools.parameters]]
  name = "a"
  type = "integer"
  enum = [1, 2]
  default = 3
`,
    () => "pw",
  );
  assert.equal(config.datasources[0].username, "reader");
  assert.deepEqual(warnings, [
    'datasource #1 "shop": pool: unknown field "max_conections" ignored',
    'datasource #2 "bad" skipped: pool min_connections must be between 0 and max_connections (2)',
    'tool #1 "t1" skipped: parameter "a" default is not one of its enum values',
  ]);
  assert.ok(Object.isFrozen(config.datasources[0].databases));
});
