import assert from "assert";
import { isLoopback, parseListenAddress } from "../../src/config/listen_address.ts";
import { ConfigError, parseConfig } from "../../src/config/parse_config.ts";
import { derivePermissions } from "../../src/permissions/derive_permissions.ts";

const SOURCE = `
[[datasources]]
key = "shop"
host = "127.0.0.1"
port = 3306
username = "reader"
password = "pw"
`;
const TOKEN = "ci-token-0123456789abcdef";

const parse = (http: string, env: Record<string, string> = {}) =>
  parseConfig(`[server.http]\n${http}\n${SOURCE}`, {
    path: "/etc/mcp/datasources.toml",
    env: (name) => env[name],
  });

Deno.test("[server.http] reads the listen address, limits and each token with its scope", () => {
  const { config, warnings } = parse(
    `listen = "0.0.0.0:8080"
max_body_size = "64KB"
max_concurrent_requests = 8
session_idle_timeout = "5m"
allowed_origins = ["https://app.example.com"]
[[server.http.tokens]]
name = "reporting"
env = "REPORTING_TOKEN"
datasources = ["shop"]
read_only = true
tools = ["mysql_query"]
[[server.http.tokens]]
env = "ADMIN_TOKEN"`,
    { REPORTING_TOKEN: TOKEN, ADMIN_TOKEN: `${TOKEN}-admin` },
  );
  assert.deepEqual(warnings, []);
  const http = config.server.http!;
  assert.deepEqual(http.listen, { hostname: "0.0.0.0", port: 8080 });
  assert.equal(http.maxBodySize, 64 * 1024);
  assert.equal(http.maxConcurrentRequests, 8);
  assert.equal(http.sessionIdleTimeoutMs, 300_000);
  assert.deepEqual(http.allowedOrigins, ["https://app.example.com"]);
  assert.deepEqual(http.tokens.map(({ name, env, scope }) => ({ name, env, scope })), [
    {
      name: "reporting",
      env: "REPORTING_TOKEN",
      scope: { datasources: ["shop"], readOnly: true, tools: ["mysql_query"] },
    },
    // No name: the variable names the client; no scope fields: the full scope.
    { name: "ADMIN_TOKEN", env: "ADMIN_TOKEN", scope: {} },
  ]);
  assert.equal(http.tokens[0].token.reveal(), TOKEN);
  assert.ok(!JSON.stringify(config).includes(TOKEN), "a token shows in the config's JSON");
});

Deno.test("[server.http] refuses to start with an unset or short token variable, and warns about unknown keys", () => {
  assert.throws(
    () => parse('[[server.http.tokens]]\nenv = "MISSING_TOKEN"'),
    (error: Error) =>
      error instanceof ConfigError &&
      /env names MISSING_TOKEN, which is not set/.test(error.message),
  );
  assert.throws(
    () => parse('[[server.http.tokens]]\nenv = "SHORT"', { SHORT: "abc" }),
    /SHORT, whose token is shorter than 16 characters/,
  );
  assert.throws(() => parse('listen = "localhost:http"'), /expected \[host:\]port/);
  const { warnings } = parse(
    'lisen = "8080"\n[[server.http.tokens]]\nenv = "T"\nscopes = []',
    { T: TOKEN },
  );
  assert.deepEqual(warnings, [
    '[server]: http: unknown field "lisen" ignored',
    '[server]: tokens entry "T": unknown field "scopes" ignored',
  ]);
});

Deno.test("[server.http] tokens are not read when only the config's shape is needed", () => {
  const { config } = parseConfig(
    `[server.http]\n[[server.http.tokens]]\nenv = "UNSET"\n${SOURCE}`,
    {
      path: "/etc/mcp/datasources.toml",
      env: () => undefined,
      secrets: "names",
    },
  );
  assert.equal(config.server.http!.tokens[0].env, "UNSET");
});

Deno.test("parseListenAddress() takes [host:]port and defaults the host to 127.0.0.1", () => {
  assert.deepEqual(parseListenAddress("8080"), { hostname: "127.0.0.1", port: 8080 });
  assert.deepEqual(parseListenAddress("0.0.0.0:80"), { hostname: "0.0.0.0", port: 80 });
  assert.deepEqual(parseListenAddress("[::1]:9000"), { hostname: "::1", port: 9000 });
  assert.deepEqual(parseListenAddress("mcp.internal:443"), { hostname: "mcp.internal", port: 443 });
  for (const bad of ["", "host:", ":80", "70000", "a b:80", "::1:80"]) {
    assert.throws(() => parseListenAddress(bad), TypeError, bad);
  }
  assert.ok(isLoopback("127.0.0.1") && isLoopback("127.1.2.3") && isLoopback("::1"));
  assert.ok(isLoopback("localhost") && !isLoopback("0.0.0.0") && !isLoopback("10.0.0.1"));
});

Deno.test("[server.http.oauth] needs issuer, audience, JWKS and at least one mapped scope; its JWKS host is granted", () => {
  const oauth = `[server.http.oauth]
issuer = "https://auth.example.com/"
audience = "https://mcp.example.com/mcp"
jwks_uri = "https://auth.example.com/.well-known/jwks.json"`;
  assert.throws(() => parse(oauth), /oauth scopes must map at least one scope/);
  assert.throws(
    () => parse(oauth.replace('"https://auth.example.com/"', '"auth.example.com"') + SCOPE),
    /issuer "auth.example.com" must be an absolute http\(s\) URL/,
  );
  const { config } = parse(`${oauth}${SCOPE}`);
  assert.deepEqual(config.server.http!.oauth!.scopes, [
    { scope: "mysql:read", grants: { readOnly: true } },
  ]);
  assert.equal(config.server.http!.oauth!.clientClaim, "sub");
  const net = derivePermissions(config, { http: { hostname: "0.0.0.0", port: 8443 } }).net;
  assert.deepEqual(net, ["127.0.0.1:3306", "0.0.0.0:8443", "auth.example.com:443"]);
});

const SCOPE = `
[[server.http.oauth.scopes]]
scope = "mysql:read"
read_only = true`;
