import type { TlsConfig } from "../config/config.ts";
import { ToolError } from "../errors/tool_error.ts";

interface Failure {
  readonly code: string;
  /** What went wrong and what to change; never a path, a host, key material or a secret. */
  readonly message: (tls: TlsConfig | undefined) => string;
  /** Tested against the error's message (rustls, node:tls and mysql2 wordings). */
  readonly pattern: RegExp;
  /** Or its mysql2 code / MySQL error number. */
  readonly codes?: readonly (string | number)[];
}

const MODE = (tls: TlsConfig | undefined) => `"${tls?.mode ?? "disabled"}"`;

// Order matters: an expired certificate from an unknown issuer is reported as expired by
// some engines and as untrusted by others; the first match wins.
const FAILURES: readonly Failure[] = [
  {
    code: "TLS_NOT_OFFERED",
    pattern: /does not support secure connection/i,
    codes: ["HANDSHAKE_NO_SSL_SUPPORT"],
    message: (tls) =>
      `the server does not offer TLS, which [datasources.tls] mode ${
        MODE(tls)
      } requires: enable TLS on the server (ssl_cert, ssl_key) or set mode = "preferred"`,
  },
  {
    code: "TLS_CERT_EXPIRED",
    pattern: /expired|not valid after|notvalidyet|not yet valid/i,
    message: () =>
      "the server's TLS certificate has expired (or is not valid yet): renew the certificate on the server",
  },
  {
    code: "TLS_HOSTNAME_MISMATCH",
    pattern: /not valid for name|notvalidforname|altname|does not match certificate|hostname\/ip/i,
    message: () =>
      'the server\'s TLS certificate is for another host name: set [datasources.tls] server_name to the name it carries, or use mode = "verify_ca" to check the chain only',
  },
  {
    code: "TLS_UNTRUSTED_CERT",
    pattern:
      /unknownissuer|unknown issuer|self[- ]signed|unable to (?:verify|get (?:local )?issuer)|badsignature|invalid peer certificate|certificate verify failed/i,
    message: () =>
      'the server\'s TLS certificate is not signed by a trusted authority: set [datasources.tls] ca to the PEM file of the CA that signed it, or use mode = "required" to encrypt without verifying',
  },
  {
    code: "TLS_CLIENT_CERT_REFUSED",
    pattern:
      /alert.*(?:unknownca|unknown ca|badcertificate|bad certificate|certificaterequired|certificate required|decrypterror|decrypt error|accessdenied|unsupportedcertificate)/i,
    message: () =>
      "the server refused the client certificate: set [datasources.tls] cert and key to a certificate (and its key) signed by a CA the server trusts (its ssl_ca)",
  },
  {
    code: "TLS_REQUIRED_BY_SERVER",
    // MariaDB 4036 / MySQL 3159: require_secure_transport refuses a plain connection.
    pattern: /insecure transport|secure transport/i,
    codes: [4036, 3159],
    message: () =>
      'the server accepts encrypted connections only: set [datasources.tls] mode = "preferred" or stricter',
  },
];

const ACCESS_DENIED = 1045;

/**
 * A connect failure that is about TLS as a CONNECTION_FAILED naming which problem it is
 * and what to change; undefined for any other failure. These are configuration problems:
 * retrying cannot help, so they are marked permanent.
 */
export function tlsFailure(error: unknown, tls: TlsConfig | undefined): ToolError | undefined {
  if (error instanceof ToolError) return undefined;
  const e = (typeof error === "object" && error !== null ? error : {}) as {
    code?: unknown;
    errno?: unknown;
    message?: unknown;
  };
  const text = typeof e.message === "string" ? e.message : "";
  const tlsRelated = e.code === "HANDSHAKE_SSL_ERROR" || e.code === "HANDSHAKE_NO_SSL_SUPPORT" ||
    e.errno === 4036 || e.errno === 3159 || /tls|ssl|certificate|alert/i.test(text);
  // Without a [datasources.tls] (a bare target) there is no setting to point at.
  if (e.errno === ACCESS_DENIED) return tls ? accessDenied(tls) : undefined;
  if (!tlsRelated) return undefined;
  const failure = FAILURES.find((f) =>
    f.codes?.includes(e.code as string) || f.codes?.includes(e.errno as number) ||
    f.pattern.test(text)
  );
  const message = failure?.message(tls) ??
    "the TLS handshake failed: check [datasources.tls] (mode, ca, cert, key) against the server's TLS settings";
  return new ToolError("CONNECTION_FAILED", `Cannot connect: ${message}`, {
    transient: false,
    code: failure?.code ?? "TLS_HANDSHAKE_FAILED",
  });
}

/**
 * MySQL answers 1045 both for a wrong password and for an account whose REQUIRE SSL /
 * REQUIRE X509 this connection does not meet: say which TLS settings could be the cause.
 */
function accessDenied(tls: TlsConfig): ToolError {
  const hint = tls.mode === "disabled"
    ? 'or, if the account is created REQUIRE SSL or the server sets require_secure_transport, set [datasources.tls] mode = "preferred" or stricter'
    : tls.cert === undefined
    ? "or, if the account is created REQUIRE X509, set [datasources.tls] cert and key"
    : "or the account requires another client certificate (REQUIRE SUBJECT/ISSUER)";
  return new ToolError(
    "CONNECTION_FAILED",
    `Cannot connect: access denied (ER_ACCESS_DENIED_ERROR): check the password, ${hint}`,
    { transient: false, code: "ER_ACCESS_DENIED_ERROR", errno: ACCESS_DENIED },
  );
}
