import { describeDenial } from "./describe_denial.ts";
import { ToolError } from "./tool_error.ts";

/** mysql2's error shape; it also carries `sql` and connection details, which we never copy. */
interface DriverError {
  errno?: number;
  code?: string;
  sqlState?: string;
  sqlMessage?: string;
  fatal?: boolean;
  message?: string;
}

const PATH = /(?:[A-Za-z]:)?(?:\/[\w.@+#%~-]+){2,}\/?/g;
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"@/]*@[^\s'"]*/gi;
const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENOTFOUND: "host not found",
  EPIPE: "connection closed",
  PROTOCOL_CONNECTION_LOST: "connection to the server was lost",
  PROTOCOL_SEQUENCE_TIMEOUT: "the server did not answer in time",
};

/** MySQL errors that mean the statement's target does not exist. */
const DATABASE_MISSING = new Set([1049]);
const TABLE_MISSING = new Set([1146, 1109]);
const ACCESS_DENIED = new Set([1044, 1045, 1142, 1143, 1227, 1370]);

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

/**
 * Turns any error from the driver or runtime into a ToolError with a safe
 * message built from the error number and server message only.
 */
export function toToolError(error: unknown, secrets: readonly string[] = []): ToolError {
  if (error instanceof ToolError) return error;
  const denial = describeDenial(error);
  if (denial) return new ToolError("PERMISSION_DENIED", sanitizeText(denial, secrets));
  const e = (error ?? {}) as DriverError;
  if (typeof e.errno === "number" && e.sqlMessage !== undefined) {
    const message = sanitizeText(e.sqlMessage, secrets);
    const details = { mysql_error_code: e.errno, sql_state: e.sqlState ?? null };
    if (e.errno === 1969 || e.errno === 3024 || e.errno === 1317) {
      return new ToolError("QUERY_TIMEOUT", `The statement was stopped: ${message}`, details);
    }
    if (DATABASE_MISSING.has(e.errno)) return new ToolError("DATABASE_NOT_FOUND", message, details);
    if (TABLE_MISSING.has(e.errno)) return new ToolError("TABLE_NOT_FOUND", message, details);
    if (ACCESS_DENIED.has(e.errno) && e.errno === 1045) {
      return new ToolError("CONNECTION_FAILED", "The server refused the configured credentials", {
        mysql_error_code: e.errno,
      });
    }
    return new ToolError("QUERY_EXECUTION_ERROR", message, details);
  }
  if (e.code && NETWORK_CODES[e.code]) {
    return new ToolError(
      "CONNECTION_FAILED",
      `Database connection failed: ${NETWORK_CODES[e.code]}`,
      {
        reason: e.code,
      },
    );
  }
  return new ToolError("INTERNAL_ERROR", "The server failed to complete the request");
}
