import type { ServerConfig } from "../config/config.ts";
import type { PooledConnection } from "../pool/types.ts";
import type { AdmittedStatement } from "./admit.ts";

const READ_VERBS_WITH_LIMIT = new Set(["SELECT", "WITH", "(", "VALUES", "SHOW"]);

/** The statement text to send: MariaDB gets its timeout (and row cap) in the same round trip. */
export function statementText(
  conn: Pick<PooledConnection, "flavor">,
  admitted: Pick<AdmittedStatement, "analysis">,
  server: Pick<ServerConfig, "queryTimeoutMs">,
  rowCap: number,
): string {
  const sql = admitted.analysis.firstStatement;
  if (conn.flavor !== "mariadb") return mysqlStatementText(sql, admitted, server, rowCap);
  const seconds = Math.max(0.001, server.queryTimeoutMs / 1000);
  const limit = rowCap > 0 && READ_VERBS_WITH_LIMIT.has(admitted.analysis.verb)
    ? `, sql_select_limit=${rowCap}`
    : "";
  return `SET STATEMENT max_statement_time=${seconds}${limit} FOR ${sql}`;
}

/**
 * MySQL 8 has no SET STATEMENT: a SELECT that starts the text gets optimizer
 * hints for the timeout and the row cap (the classifier refuses such hints
 * from the agent, so ours are the only ones). Other statements rely on the
 * client-side KILL QUERY behind the timeout.
 */
function mysqlStatementText(
  sql: string,
  admitted: Pick<AdmittedStatement, "analysis">,
  server: Pick<ServerConfig, "queryTimeoutMs">,
  rowCap: number,
): string {
  const match = /^\s*select\b/i.exec(sql);
  if (!match || admitted.analysis.verb !== "SELECT") return sql;
  const limit = rowCap > 0 ? ` SET_VAR(sql_select_limit=${rowCap})` : "";
  const hint = `/*+ MAX_EXECUTION_TIME(${
    Math.max(1, Math.round(server.queryTimeoutMs))
  })${limit} */`;
  return `${sql.slice(0, match[0].length)} ${hint}${sql.slice(match[0].length)}`;
}
