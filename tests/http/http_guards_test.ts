import assert from "assert";
import { Secret } from "../../src/config/secret.ts";
import { BearerTokens } from "../../src/http/bearer_tokens.ts";
import { rebindingGuard } from "../../src/http/rebinding_guard.ts";

const request = (headers: Record<string, string>) =>
  new Request("http://127.0.0.1:8080/mcp", { method: "POST", headers });

Deno.test("rebindingGuard() on loopback takes loopback names only, and Origins of those names", () => {
  const guard = rebindingGuard({
    listen: { hostname: "127.0.0.1", port: 8080 },
    allowedHosts: [],
    allowedOrigins: ["https://app.example.com"],
  });
  assert.equal(guard(request({ host: "127.0.0.1:8080" })), undefined);
  assert.equal(guard(request({ host: "localhost:8080" })), undefined);
  assert.equal(guard(request({ host: "[::1]:8080" })), undefined);
  assert.match(guard(request({ host: "attacker.example:8080" }))!, /Host/);
  assert.match(guard(request({ host: "localhost:9999" }))!, /Host/);
  assert.equal(
    guard(request({ host: "localhost:8080", origin: "http://localhost:8080" })),
    undefined,
  );
  assert.equal(
    guard(request({ host: "localhost:8080", origin: "https://app.example.com" })),
    undefined,
  );
  for (const origin of ["https://evil.example", "http://localhost:9999", "null"]) {
    assert.ok(guard(request({ host: "localhost:8080", origin })), origin);
  }
});

Deno.test("rebindingGuard() on every interface takes allowed_hosts, or any Host with a same-origin Origin", () => {
  const named = rebindingGuard({
    listen: { hostname: "0.0.0.0", port: 8080 },
    allowedHosts: ["mcp.internal"],
    allowedOrigins: [],
  });
  assert.equal(named(request({ host: "mcp.internal:8080" })), undefined);
  assert.equal(named(request({ host: "localhost:8080" })), undefined);
  assert.ok(named(request({ host: "10.0.0.5:8080" })));
  const any = rebindingGuard({
    listen: { hostname: "0.0.0.0", port: 8080 },
    allowedHosts: [],
    allowedOrigins: [],
  });
  assert.equal(any(request({ host: "10.0.0.5:8080" })), undefined);
  assert.equal(any(request({ host: "10.0.0.5:8080", origin: "http://10.0.0.5:8080" })), undefined);
  assert.ok(any(request({ host: "10.0.0.5:8080", origin: "http://evil.example" })));
});

Deno.test("BearerTokens.authenticate() maps each token to its caller and refuses anything else", async () => {
  const tokens = new BearerTokens([
    { name: "ci", env: "CI", token: new Secret("ci-token-0123456789"), scope: { readOnly: true } },
    { name: "bi", env: "BI", token: new Secret("bi-token-0123456789"), scope: {} },
  ]);
  assert.deepEqual(await tokens.authenticate("Bearer ci-token-0123456789"), {
    id: "ci",
    scope: { readOnly: true },
  });
  assert.equal((await tokens.authenticate("bearer bi-token-0123456789"))?.id, "bi");
  for (
    const header of [
      null,
      "",
      "Bearer",
      "Basic Y2k6dG9rZW4=",
      "Bearer ci-token-012345678",
      "Bearer ci-token-01234567890",
      "Bearer ci-token-0123456789 extra",
    ]
  ) {
    assert.equal(await tokens.authenticate(header), undefined, String(header));
  }
});
