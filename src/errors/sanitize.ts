import { describeDenial } from "./describe_denial.ts";
import { ToolError } from "./tool_error.ts";

/** mysql2's error shape; it also carries `sql` and connection details, which we never copy. */
interface DriverError {
  errno?: unknown;
  code?: unknown;
  sqlState?: string;
  sqlMessage?: string;
  name?: unknown;
}

const PATH = /(?:[A-Za-z]:)?(?:\/[\w.@+#%~-]+){2,}\/?/g;
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"@/]*@[^\s'"]*/gi;

/**
 * Short, credential-free reasons for driver and socket error codes, the one wording
 * for them (mysql2's own messages carry user@host and sometimes the SQL).
 */
const REASONS: Record<string, string> = {
  ABORTED: "aborted",
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "connection timed out",
  ROUND_TRIP_TIMEOUT: "the server did not answer in time",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "host not found",
  ENOENT: "no server socket at the configured path",
  EAI_AGAIN: "host not found",
  EPIPE: "connection lost",
  PROTOCOL_CONNECTION_LOST: "connection lost",
  PROTOCOL_SEQUENCE_TIMEOUT: "the server did not answer in time",
  ER_ACCESS_DENIED_ERROR: "access denied",
  ER_NOT_SUPPORTED_AUTH_MODE:
    "the server refused the client's authentication method: give the account caching_sha2_password or mysql_native_password",
  ER_DBACCESS_DENIED_ERROR: "access denied to database",
  ER_BAD_DB_ERROR: "unknown database",
  ER_CON_COUNT_ERROR: "too many connections",
  ER_HOST_IS_BLOCKED: "host is blocked",
  ER_SERVER_SHUTDOWN: "server is shutting down",
  ER_CONNECTION_KILLED: "connection was killed",
  ER_QUERY_INTERRUPTED: "query was interrupted",
  SSH_TUNNEL_LOST: "the SSH tunnel to the bastion was lost",
};

/** Network-level codes: the statement never got an answer from the server. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "ENOENT",
  "EAI_AGAIN",
  "EPIPE",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "SSH_TUNNEL_LOST",
]);

// Connect-time server answers that another attempt in a second will not change.
const PERMANENT = new Set([
  "ER_ACCESS_DENIED_ERROR",
  "ER_DBACCESS_DENIED_ERROR",
  "ER_BAD_DB_ERROR",
  "ER_NOT_SUPPORTED_AUTH_MODE",
  "ER_ACCESS_DENIED_NO_PASSWORD_ERROR",
]);

/** MySQL errors that mean the statement's target does not exist, or was stopped. */
const DATABASE_MISSING = new Set([1049]);
const TABLE_MISSING = new Set([1146, 1109]);
const STOPPED = new Set([1969, 3024, 1317]);
const BAD_CREDENTIALS = 1045;

/**
 * Removes what must never reach an agent from a message: file paths,
 * URLs with credentials, and any of the given secret values.
 */
export function sanitizeText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 3) out = out.split(secret).join("[redacted]");
  }
  return out.replace(URL_CREDENTIALS, "[connection string]").replace(PATH, "[path]");
}

/** Where the error happened: `connecting` names what failed ("Cannot connect"). */
export interface ToToolErrorOptions {
  /**
   * The error came from opening, preparing or cancelling on a connection, not from a statement:
   * it becomes CONNECTION_FAILED, "`connecting`: reason (CODE)", with `details.transient` telling
   * whether retrying can help.
   */
  readonly connecting?: string;
}

/**
 * The one mapping from whatever the driver, a socket or the runtime threw to a
 * ToolError: a safe message built from the error code, number and server
 * message only, never from mysql2's own text (user@host, SQL).
 */
export function toToolError(
  error: unknown,
  secrets: readonly string[] = [],
  options: ToToolErrorOptions = {},
): ToolError {
  if (error instanceof ToolError) return error;
  const e = (typeof error === "object" && error !== null ? error : {}) as DriverError;
  const code = typeof e.code === "string" && /^[A-Z0-9_]{1,64}$/.test(e.code) ? e.code : undefined;
  const errno = typeof e.errno === "number" ? e.errno : undefined;
  if (options.connecting !== undefined) return connectFailure(options.connecting, code, errno);
  const denial = describeDenial(error);
  if (denial) return new ToolError("PERMISSION_DENIED", sanitizeText(denial, secrets));
  // Stopped while waiting for a connection: its statement never ran.
  if (e.name === "ShutdownError") {
    return new ToolError(
      "CONNECTION_FAILED",
      "The server is shutting down: the call was stopped before its statement ran; nothing was applied",
      { applied: false },
    );
  }
  if (errno !== undefined && e.sqlMessage !== undefined) {
    const message = sanitizeText(e.sqlMessage, secrets);
    const details = { mysql_error_code: errno, sql_state: e.sqlState ?? null };
    if (STOPPED.has(errno)) {
      return new ToolError("QUERY_TIMEOUT", `The statement was stopped: ${message}`, details);
    }
    if (DATABASE_MISSING.has(errno)) return new ToolError("DATABASE_NOT_FOUND", message, details);
    if (TABLE_MISSING.has(errno)) return new ToolError("TABLE_NOT_FOUND", message, details);
    if (errno === BAD_CREDENTIALS) {
      return new ToolError("CONNECTION_FAILED", "The server refused the configured credentials", {
        mysql_error_code: errno,
      });
    }
    return new ToolError("QUERY_EXECUTION_ERROR", message, details);
  }
  if (code && NETWORK_CODES.has(code)) {
    return new ToolError("CONNECTION_FAILED", `Database connection failed: ${REASONS[code]}`, {
      reason: code,
    });
  }
  return new ToolError("INTERNAL_ERROR", "The server failed to complete the request");
}

function connectFailure(context: string, code?: string, errno?: number): ToolError {
  const reason = (code && REASONS[code]) ??
    (errno !== undefined && errno >= 1000 ? `server error ${errno}` : "connection failed");
  const details: Record<string, string | number | boolean> = {
    transient: !(code && PERMANENT.has(code)),
  };
  if (code) details.code = code;
  if (errno !== undefined) details.errno = errno;
  return new ToolError(
    "CONNECTION_FAILED",
    `${context}: ${reason}${code ? ` (${code})` : ""}`,
    details,
  );
}
