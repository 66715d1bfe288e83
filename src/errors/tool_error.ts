/** Error codes an agent may see (SPEC.md "Errors"). */
export type ErrorCode =
  | "AUTHENTICATION_ERROR"
  | "DATABASE_NOT_FOUND"
  | "TABLE_NOT_FOUND"
  | "INVALID_ARGUMENT"
  | "STATEMENT_NOT_ALLOWED"
  | "CONNECTION_FAILED"
  | "POOL_EXHAUSTED"
  | "QUERY_TIMEOUT"
  | "QUERY_EXECUTION_ERROR"
  | "STREAM_NOT_FOUND"
  | "STREAM_CANCELLED"
  | "CONFIGURATION_ERROR"
  | "PERMISSION_DENIED"
  | "INTERNAL_ERROR";

/** Details shown to the agent: small scalar facts, never SQL values or secrets. */
export type ErrorDetails = Record<string, string | number | boolean | null>;

/**
 * The one error type whose message is meant for the agent. Everything
 * else is caught at the tool boundary, logged, and answered sanitised.
 */
export class ToolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = "ToolError";
  }

  toJSON(): { error_code: ErrorCode; message: string; details?: ErrorDetails } {
    return this.details
      ? { error_code: this.code, message: this.message, details: this.details }
      : { error_code: this.code, message: this.message };
  }
}
