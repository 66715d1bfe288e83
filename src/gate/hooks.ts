import type { ToolError } from "../errors/tool_error.ts";
import type { QueryResult } from "./sql_gate.ts";

/** What a hook learns about a statement: never credentials, never a connection. */
export interface StatementInfo {
  readonly requestId: string;
  readonly tool: string;
  readonly datasource: string;
  readonly database: string;
  readonly kind: "query" | "execute" | "stream";
  /** The statement as it will run (the first statement only). */
  readonly sql: string;
  readonly verb: string;
  /** Number of bound parameters; their values are not shown to hooks. */
  readonly paramCount: number;
}

/**
 * Middleware a plugin may register around every statement (built-in tools,
 * declarative tools and plugins alike).
 */
export interface QueryHooks {
  /** Return a string to refuse the statement with that reason. */
  beforeQuery?(info: StatementInfo): void | string | Promise<void | string>;
  /** May return a transformed result (e.g. masked columns). */
  afterQuery?(
    info: StatementInfo,
    result: QueryResult,
  ): void | QueryResult | Promise<void | QueryResult>;
  /** Sees every failure, for auditing and metrics. */
  onError?(info: StatementInfo, error: ToolError): void | Promise<void>;
}
