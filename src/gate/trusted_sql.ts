import type { Datasources } from "../datasources/datasources.ts";
import type { ToolError } from "../errors/tool_error.ts";
import { collectRows, ConnectionLostError } from "./runner.ts";
import type { StatementControl } from "./statement_control.ts";

/**
 * Round trips with SQL the server itself wrote (metadata lookups) or that is only
 * prepared, never run. The catalog reads through this, not through the gate, so the
 * gate can depend on the catalog without the catalog depending back on it.
 */
export class TrustedSql {
  constructor(
    private readonly datasources: Datasources,
    private readonly control: StatementControl,
  ) {}

  /** Trusted, parameterised metadata SQL on a source's server-level pool (built-ins only). */
  async metadata(key: string, sql: string, params: readonly unknown[]): Promise<unknown[][]> {
    const conn = await this.datasources.pool(key).acquire({ holder: "metadata" });
    const deadline = this.control.roundTripDeadline(key, conn, "metadata lookup");
    try {
      const outcome = await collectRows(conn.raw, {
        sql,
        params,
        maxRows: 1_000_000,
        onDeath: (callback) => conn.onDeath(callback),
      });
      deadline.stop();
      conn.release();
      return outcome.rows;
    } catch (error) {
      deadline.stop();
      this.control.giveBack(conn, error);
      throw deadline.error() ?? this.control.sanitize(error);
    }
  }

  /**
   * Prepares `sql` on a pooled connection (parsed, never run); resolves with its
   * error, or undefined when it prepares.
   */
  async prepareError(
    datasource: string,
    database: string,
    sql: string,
    holder: string,
  ): Promise<unknown> {
    const conn = await this.datasources.pool(datasource, database).acquire({ holder });
    const deadline = this.control.roundTripDeadline(datasource, conn, holder);
    try {
      await new Promise<void>((resolve, reject) => {
        // deno-lint-ignore no-explicit-any
        (conn.raw as any).prepare(sql, (error: unknown, statement?: { close(): void }) => {
          if (error) return reject(error);
          statement?.close();
          resolve();
        });
        // The command has a callback, so a closed connection fails it; this covers a death
        // reported on the connection only.
        conn.onDeath((error) => reject(new ConnectionLostError(error)));
      });
      deadline.stop();
      conn.release();
      return undefined;
    } catch (error) {
      deadline.stop();
      this.control.giveBack(conn, error);
      return deadline.error() ?? error;
    }
  }

  /**
   * The server's syntax error for `sql`, or undefined when it is valid SQL or the error is
   * not a syntax error. Only syntax errors are reported: a name-resolution error would tell
   * whether a hidden table exists.
   */
  async syntaxError(
    datasource: string,
    database: string,
    sql: string,
  ): Promise<ToolError | undefined> {
    const error = await this.prepareError(datasource, database, sql, "syntax check");
    const errno = (error as { errno?: number } | undefined)?.errno;
    return errno === 1064 || errno === 1149 ? this.control.sanitize(error) : undefined;
  }
}
