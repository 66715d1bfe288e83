/**
 * TLS against real MariaDB servers started here with certificates made here: every mode,
 * both engines, and each failure's message. "Encrypted" is confirmed by the server itself
 * (its Ssl_cipher for the session), not only by our side.
 */
import assert from "assert";
import type { DatabaseServer } from "../../scripts/throwaway_mariadb.ts";
import { tlsSchema } from "../../src/config/schema_datasource.ts";
import { Secret } from "../../src/config/secret.ts";
import { ToolError } from "../../src/errors/tool_error.ts";
import { connect } from "../../src/pool/connect.ts";
import { tlsEngine } from "../../src/pool/tls_setup.ts";
import type { ConnectionTarget } from "../../src/pool/types.ts";
import { keyOf } from "../../scripts/test_certificates.ts";
import { tlsServers } from "./_tls_servers.ts";

const { certs, secure, expired, otherHost, plain, PASSWORD } = await tlsServers();

type TlsInput = Record<string, string>;
const tls = (input: TlsInput) => tlsSchema(() => {}, "/").parse(input);

function target(server: DatabaseServer, user: string, input: TlsInput): ConnectionTarget {
  return {
    host: "127.0.0.1",
    port: server.port,
    user,
    password: new Secret(user === "plain" ? plain.password : PASSWORD),
    connectTimeoutMs: 10_000,
    tls: tls(input),
  };
}

/** Connects, asks the server for the session's cipher and TLS version, and disconnects. */
async function session(t: ConnectionTarget) {
  const opened = await connect(t);
  try {
    const rows = await new Promise<{ Variable_name: string; Value: string }[]>((ok, fail) =>
      opened.raw.query(
        "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_cipher', 'Ssl_version')",
        (error: unknown, result: unknown) => error ? fail(error) : ok(result as never),
      )
    );
    const value = (name: string) => rows.find((row) => row.Variable_name === name)?.Value ?? "";
    return {
      encrypted: opened.transport === "tls",
      cipher: value("Ssl_cipher"),
      version: value("Ssl_version"),
    };
  } finally {
    opened.raw.destroy();
  }
}

async function refusal(t: ConnectionTarget): Promise<ToolError> {
  try {
    const opened = await connect(t);
    opened.raw.destroy();
  } catch (error) {
    assert.ok(error instanceof ToolError, String(error));
    assert.equal(error.code, "CONNECTION_FAILED");
    // Never a path, a certificate or the password.
    assert.doesNotMatch(error.message, /\/|BEGIN|pw-/);
    return error;
  }
  assert.fail("expected the connection to be refused");
}

const tlsTest = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, fn, sanitizeResources: false, sanitizeOps: false });

const ca = certs.ca;

for (
  const [mode, input, engine] of [
    ["verify_identity", { mode: "verify_identity", ca }, "deno"],
    ["verify_ca", { mode: "verify_ca", ca }, "deno"],
    ["required", { mode: "required" }, "node"],
    ["preferred", {}, "node"],
    ["verify_identity with min_version TLSv1.3", {
      mode: "verify_identity",
      ca,
      min_version: "TLSv1.3",
    }, "node"],
  ] as const
) {
  tlsTest(
    `mode ${mode} encrypts the session (server-side Ssl_cipher, ${engine} engine)`,
    async () => {
      const t = target(secure, "ssl_user", input);
      assert.equal(tlsEngine(t.tls), engine);
      const s = await session(t);
      assert.equal(s.encrypted, true);
      assert.notEqual(s.cipher, "");
      assert.match(s.version, /^TLSv1\.[23]$/);
      if (mode.includes("TLSv1.3")) assert.equal(s.version, "TLSv1.3");
    },
  );
}

tlsTest("a client certificate reaches an account created REQUIRE X509", async () => {
  const t = target(secure, "x509_user", {
    mode: "verify_identity",
    ca,
    cert: certs.client,
    key: keyOf(certs.client),
  });
  assert.equal(tlsEngine(t.tls), "node");
  const s = await session(t);
  assert.notEqual(s.cipher, "");
});

tlsTest("REQUIRE X509 without a client certificate says to set cert and key", async () => {
  const error = await refusal(target(secure, "x509_user", { mode: "verify_ca", ca }));
  assert.match(error.message, /access denied.*REQUIRE X509, set \[datasources\.tls\] cert and key/);
});

tlsTest("a client certificate from a CA the server does not trust is refused as such", async () => {
  const error = await refusal(target(secure, "x509_user", {
    mode: "required",
    cert: certs.otherCaClient,
    key: keyOf(certs.otherCaClient),
  }));
  assert.match(error.message, /refused the client certificate/);
});

tlsTest("mode disabled against require_secure_transport: plain TCP is refused", async () => {
  // MariaDB answers 1045 (access denied) here; MySQL 8 answers 3159 (secure transport).
  const error = await refusal(target(secure, "any_user", { mode: "disabled" }));
  assert.match(
    error.message,
    /require_secure_transport, set \[datasources\.tls\] mode = "preferred"/,
  );
});

for (const [label, input] of [["Deno", {}], ["node", { min_version: "TLSv1.3" }]] as const) {
  tlsTest(`an untrusted certificate is refused (wrong CA, ${label} engine)`, async () => {
    const error = await refusal(
      target(secure, "ssl_user", { mode: "verify_ca", ca: certs.otherCa, ...input }),
    );
    assert.match(error.message, /not signed by a trusted authority.*set \[datasources\.tls\] ca/);
    assert.equal(error.details?.transient, false);
  });

  tlsTest(`verify_identity refuses a certificate for another name (${label} engine)`, async () => {
    const error = await refusal(target(secure, "ssl_user", {
      mode: "verify_identity",
      ca,
      server_name: "db.example.com",
      ...input,
    }));
    assert.match(error.message, /for another host name.*server_name/);
  });

  tlsTest(
    `verify_identity checks the host itself, an IP address too (${label} engine)`,
    async () => {
      const t = target(otherHost, "ssl_user", { mode: "verify_identity", ca, ...input });
      assert.match((await refusal(t)).message, /for another host name/);
      // The chain alone is fine: verify_ca connects.
      const s = await session(target(otherHost, "ssl_user", { mode: "verify_ca", ca, ...input }));
      assert.notEqual(s.cipher, "");
    },
  );

  tlsTest(`an expired server certificate is refused (${label} engine)`, async () => {
    const error = await refusal(target(expired, "ssl_user", { mode: "verify_ca", ca, ...input }));
    assert.match(error.message, /has expired/);
  });
}

tlsTest("verify_ca does not check the name; verify_identity accepts server_name", async () => {
  const named = { ca, server_name: "localhost" };
  assert.notEqual(
    (await session(target(secure, "ssl_user", { mode: "verify_identity", ...named })))
      .cipher,
    "",
  );
  const other = { mode: "verify_ca", ca, server_name: "db.example.com" };
  assert.notEqual((await session(target(secure, "ssl_user", other))).cipher, "");
});

tlsTest("required and preferred do not verify: an expired certificate still encrypts", async () => {
  assert.notEqual((await session(target(expired, "ssl_user", { mode: "required" }))).cipher, "");
  assert.notEqual((await session(target(expired, "ssl_user", {}))).cipher, "");
});

tlsTest("preferred goes on in plain TCP with a server that offers no TLS", async () => {
  const t = { ...target(plain.server, "plain", {}), user: plain.user };
  const s = await session(t);
  assert.equal(s.encrypted, false);
  assert.equal(s.cipher, "");
});

tlsTest("required against a server without TLS says so", async () => {
  const t = { ...target(plain.server, "plain", { mode: "required" }), user: plain.user };
  const error = await refusal(t);
  assert.match(error.message, /does not offer TLS.*mode "required"/);
});

tlsTest("a missing TLS file is named by its setting, not its path", async () => {
  const error = await refusal(
    target(secure, "ssl_user", { mode: "verify_ca", ca: `${certs.dir}/nowhere.pem` }),
  );
  assert.match(error.message, /TLS ca file does not exist; check \[datasources\.tls\] ca/);
});

tlsTest(
  "the TLS files are read for each new connection: a replaced CA file needs no restart",
  async () => {
    const ca = `${certs.dir}/rotating-ca.pem`;
    await Deno.copyFile(certs.otherCa, ca);
    try {
      const t = target(secure, "ssl_user", { mode: "verify_identity", ca });
      assert.match((await refusal(t)).message, /not signed by a trusted authority/);
      await Deno.copyFile(certs.ca, ca);
      assert.notEqual((await session(t)).cipher, "");
    } finally {
      await Deno.remove(ca);
    }
  },
);
