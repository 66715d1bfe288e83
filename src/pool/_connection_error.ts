import { ToolError } from "../errors/tool_error.ts";

/** The parts of a driver or socket error we may look at; mysql2 adds more (SQL, host) we never read. */
interface DriverErrorShape {
  code?: unknown;
  errno?: unknown;
  fatal?: unknown;
}

// Short, credential-free reasons. mysql2's own messages carry user@host and sometimes the SQL.
const REASONS: Record<string, string> = {
  ABORTED: "aborted",
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "connect timed out",
  ROUND_TRIP_TIMEOUT: "the server did not answer in time",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
  EPIPE: "connection lost",
  PROTOCOL_CONNECTION_LOST: "connection lost",
  PROTOCOL_SEQUENCE_TIMEOUT: "connect timed out",
  ER_ACCESS_DENIED_ERROR: "access denied",
  ER_DBACCESS_DENIED_ERROR: "access denied to database",
  ER_BAD_DB_ERROR: "unknown database",
  ER_CON_COUNT_ERROR: "too many connections",
  ER_HOST_IS_BLOCKED: "host is blocked",
  ER_SERVER_SHUTDOWN: "server is shutting down",
  ER_CONNECTION_KILLED: "connection was killed",
  ER_QUERY_INTERRUPTED: "query was interrupted",
};

// Server answers that another attempt in a second will not change.
const PERMANENT = new Set([
  "ER_ACCESS_DENIED_ERROR",
  "ER_DBACCESS_DENIED_ERROR",
  "ER_BAD_DB_ERROR",
  "ER_NOT_SUPPORTED_AUTH_MODE",
  "ER_ACCESS_DENIED_NO_PASSWORD_ERROR",
]);

/**
 * Turns whatever the driver or socket threw into a CONNECTION_FAILED ToolError
 * built from the error code and number only. `details.transient` tells
 * SourceHealth whether retrying can help.
 */
export function connectionError(error: unknown, context: string): ToolError {
  if (error instanceof ToolError) return error;
  const e = (typeof error === "object" && error !== null ? error : {}) as DriverErrorShape;
  const code = typeof e.code === "string" && /^[A-Z0-9_]{1,64}$/.test(e.code) ? e.code : undefined;
  const errno = typeof e.errno === "number" ? e.errno : undefined;
  const reason = (code && REASONS[code]) ??
    (errno !== undefined && errno >= 1000 ? `server error ${errno}` : "connection failed");
  const suffix = code ? ` (${code})` : "";
  const details: Record<string, string | number | boolean> = {
    transient: !(code && PERMANENT.has(code)),
  };
  if (code) details.code = code;
  if (errno !== undefined) details.errno = errno;
  return new ToolError("CONNECTION_FAILED", `${context}: ${reason}${suffix}`, details);
}

/** True when a CONNECTION_FAILED error says retrying cannot help (bad password, unknown database). */
export function isPermanent(error: unknown): boolean {
  return error instanceof ToolError && error.details?.transient === false;
}
