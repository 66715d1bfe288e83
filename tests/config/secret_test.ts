import assert from "assert";
import fc from "fast-check";
import { Secret } from "../../src/config/secret.ts";
import { parseConfig } from "../../src/config/parse_config.ts";
import { sanitizeText, toToolError } from "../../src/errors/sanitize.ts";

Deno.test("Secret hides its value from String, JSON, template literals and inspect", () => {
  const secret = new Secret("hunter2-password");
  assert.equal(String(secret), "[redacted]");
  assert.equal(`${secret}`, "[redacted]");
  assert.equal(JSON.stringify({ password: secret }), '{"password":"[redacted]"}');
  assert.ok(!Deno.inspect(secret).includes("hunter2"));
  assert.ok(!Deno.inspect({ nested: { secret } }, { depth: 10 }).includes("hunter2"));
  assert.equal(secret.reveal(), "hunter2-password");
});

Deno.test("a parsed config never shows a password when logged or serialised", () => {
  const { config } = parseConfig(
    `[[datasources]]\nkey = "a"\nhost = "h"\nport = 1\nusername = "u"\npassword = "Sup3r-Secret!"\n`,
    { path: "/x/datasources.toml", env: () => undefined },
  );
  assert.ok(!JSON.stringify(config).includes("Sup3r-Secret!"));
  assert.ok(!Deno.inspect(config, { depth: 20 }).includes("Sup3r-Secret!"));
});

Deno.test("toToolError() keeps the MySQL error number and drops paths, URLs and secrets", () => {
  const error = toToolError({
    errno: 1064,
    sqlState: "42000",
    sqlMessage: "Can't read '/var/lib/mysql/x.frm' for mysql://root:pw123@db:3306/x with pw123",
    sql: "SELECT password FROM users",
  }, ["pw123"]);
  assert.equal(error.code, "QUERY_EXECUTION_ERROR");
  assert.equal(error.details?.mysql_error_code, 1064);
  assert.ok(!error.message.includes("pw123"));
  assert.ok(!error.message.includes("/var/lib"));
  assert.ok(!error.message.includes("mysql://"));
  assert.ok(!JSON.stringify(error.toJSON()).includes("SELECT password"));
});

// Feature: mysql-mcp-multi-datasource, Property 17: For any network error during query execution, the error message should be descriptive and not expose credentials
Deno.test("Property 17: network errors are descriptive and never carry credentials", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND"),
      fc.string({ minLength: 6, maxLength: 30 }).filter((s) => s.trim().length >= 6),
      (code, password) => {
        const error = toToolError(
          Object.assign(new Error(`connect ${code} 10.0.0.1:3306 user=root password=${password}`), {
            code,
          }),
          [password],
        );
        assert.equal(error.code, "CONNECTION_FAILED");
        assert.ok(error.message.length > 20);
        assert.ok(!JSON.stringify(error.toJSON()).includes(password));
      },
    ),
    { numRuns: 100 },
  );
});

Deno.test("sanitizeText() removes every occurrence of every secret", () => {
  const secretArb = fc.string({ minLength: 3, maxLength: 20 }).filter((s) =>
    !"[redacted][path][connection string]".includes(s)
  );
  fc.assert(
    fc.property(secretArb, fc.string(), (secret, noise) => {
      const cleaned = sanitizeText(`${noise}${secret}${noise}${secret}`, [secret]);
      // Noise may contain the secret too: then it is removed as well.
      assert.ok(!cleaned.includes(secret) || "[redacted]".includes(secret));
    }),
    { numRuns: 100 },
  );
});
