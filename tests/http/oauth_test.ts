/**
 * The HTTP transport as an OAuth 2.1 resource server: JWT access tokens signed by a test
 * issuer whose JWKS is served on loopback; each refusal is the right status and challenge,
 * and no token shows in an answer, a log line or a metric.
 */
import assert from "assert";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { DB_TEST } from "../support/test_app.ts";
import { resultOf, startHttpApp } from "./_http_app.ts";
import { initializeBody, JSON_HEADERS } from "./_http_app.ts";

const ISSUER = "https://issuer.test";
const AUDIENCE = "https://mcp.test/mcp";
const INITIALIZE = initializeBody("o");

const issuerKeys = await generateKeyPair("RS256");
const strangerKeys = await generateKeyPair("RS256");
const jwk = { ...(await exportJWK(issuerKeys.publicKey)), kid: "issuer-1", alg: "RS256" };

/** The issuer's JWKS on loopback, for the test's lifetime. */
function serveJwks() {
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => Response.json({ keys: [jwk] }),
  );
}

interface Claims {
  scope?: string;
  audience?: string;
  expires?: string | number;
  key?: CryptoKey;
  subject?: string;
}

function accessToken(claims: Claims = {}): Promise<string> {
  return new SignJWT(claims.scope === undefined ? {} : { scope: claims.scope })
    .setProtectedHeader({ alg: "RS256", kid: "issuer-1" })
    .setIssuer(ISSUER)
    .setAudience(claims.audience ?? AUDIENCE)
    .setSubject(claims.subject ?? "agent-7")
    .setIssuedAt()
    .setExpirationTime(claims.expires ?? "5m")
    .sign(claims.key ?? issuerKeys.privateKey);
}

function oauthToml(jwksPort: number): string {
  return `[server.http.oauth]
issuer = "${ISSUER}"
audience = "${AUDIENCE}"
jwks_uri = "http://127.0.0.1:${jwksPort}/jwks"
clock_tolerance = "0s"
[[server.http.oauth.scopes]]
scope = "mysql:read"
read_only = true
[[server.http.oauth.scopes]]
scope = "mysql:write"`;
}

Deno.test({
  name: "a JWT from the issuer with a mapped scope gets that scope: reads run, writes are refused",
  ...DB_TEST,
  async fn() {
    const jwks = serveJwks();
    const logLines: string[] = [];
    const t = await startHttpApp({ http: oauthToml(jwks.addr.port), logLines });
    try {
      const token = await accessToken({ scope: "openid mysql:read" });
      const client = await t.client(token);
      const read = resultOf(
        await client.callTool({
          name: "mysql_query",
          arguments: { datasource_key: "test", database: t.db.db, query: "SELECT 1 AS one" },
        }),
      );
      assert.deepEqual(read.rows, [[1]]);
      const write = resultOf(
        await client.callTool({
          name: "mysql_execute",
          arguments: {
            datasource_key: "test",
            database: t.db.db,
            statement: "DELETE FROM customers WHERE id = 0",
          },
        }),
      );
      assert.equal(write.error_code, "PERMISSION_DENIED");
      const writer = await t.client(await accessToken({ scope: "mysql:read mysql:write" }));
      const allowed = resultOf(
        await writer.callTool({
          name: "mysql_execute",
          arguments: {
            datasource_key: "test",
            database: t.db.db,
            statement: "DELETE FROM customers WHERE id = 0",
          },
        }),
      );
      assert.equal(allowed.affected_rows, 0);
      const metrics = await (await fetch(t.url.replace("/mcp", "/metrics"), {
        headers: { authorization: `Bearer ${token}` },
      })).text();
      assert.match(metrics, /mysql_mcp_client_tool_calls_total\{client="agent-7",outcome="ok"\}/);
      for (const text of [metrics, ...logLines]) assert.ok(!text.includes(token), text);
    } finally {
      await t.stop();
      await jwks.shutdown();
    }
  },
});

Deno.test({
  name:
    "an expired JWT, another audience, a stranger's key or no token is 401; no mapped scope is 403",
  ...DB_TEST,
  async fn() {
    const jwks = serveJwks();
    const logLines: string[] = [];
    const t = await startHttpApp({ http: oauthToml(jwks.addr.port), logLines });
    const metadata = `${new URL(t.url).origin}/.well-known/oauth-protected-resource/mcp`;
    const post = async (token?: string) => {
      const response = await fetch(t.url, {
        method: "POST",
        headers: { ...JSON_HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: INITIALIZE,
      });
      return { response, body: await response.text() };
    };
    try {
      const none = await post();
      assert.equal(none.response.status, 401);
      assert.equal(
        none.response.headers.get("www-authenticate"),
        `Bearer realm="mysql-mcp", resource_metadata="${metadata}"`,
      );
      const cases: [string, string, RegExp][] = [
        ["expired", await accessToken({ scope: "mysql:read", expires: 1 }), /expired/],
        ["audience", await accessToken({ scope: "mysql:read", audience: "https://other" }), /aud/],
        [
          "stranger",
          await accessToken({ scope: "mysql:read", key: strangerKeys.privateKey }),
          /signature/,
        ],
      ];
      for (const [name, token, reason] of cases) {
        const { response, body } = await post(token);
        assert.equal(response.status, 401, name);
        assert.match(response.headers.get("www-authenticate")!, /error="invalid_token"/, name);
        assert.match(response.headers.get("www-authenticate")!, /resource_metadata=/, name);
        assert.match(body, reason, name);
        assert.ok(!body.includes(token), name);
        for (const line of logLines) assert.ok(!line.includes(token), line);
      }
      const unscoped = await post(await accessToken({ scope: "profile" }));
      assert.equal(unscoped.response.status, 403);
      assert.match(
        unscoped.response.headers.get("www-authenticate")!,
        /error="insufficient_scope", scope="mysql:read mysql:write"/,
      );
      const document = await (await fetch(metadata)).json();
      assert.deepEqual(document, {
        resource: AUDIENCE,
        authorization_servers: [ISSUER],
        scopes_supported: ["mysql:read", "mysql:write"],
        bearer_methods_supported: ["header"],
        resource_name: "mysql-mcp",
      });
    } finally {
      await t.stop();
      await jwks.shutdown();
    }
  },
});
