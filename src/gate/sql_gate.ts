import type { ServerConfig } from "../config/config.ts";
import type { Catalog } from "../datasources/catalog.ts";
import type { Datasources } from "../datasources/datasources.ts";
import { toToolError } from "../errors/sanitize.ts";
import { ToolError } from "../errors/tool_error.ts";
import type { Logger } from "../log/logger.ts";
import { killQuery } from "../pool/kill_query.ts";
import type { PooledConnection } from "../pool/types.ts";
import { classifySql, MAX_SQL_LENGTH, type SqlAnalysis } from "../sql/classify.ts";
import { columnInfo, type DriverField } from "./column_types.ts";
import type { ExecuteResult, QueryResult } from "./results.ts";
import { Deadlines } from "./deadlines.ts";
import { type ViewReach, viewReach } from "./view_reach.ts";
import type { QueryHooks, StatementInfo } from "./hooks.ts";
import {
  type Admission,
  checkFunctionsOn,
  checkTableEngines,
  checkViews,
  decide,
  foreignColumnSchema,
  isBuiltin,
  isReadableVariable,
} from "./policy.ts";
import {
  ConnectionLostError,
  RowTooLargeError,
  runStatement,
  type StatementOutcome,
} from "./run_statement.ts";

export interface GateRequest {
  datasource: string;
  database: string;
  sql: string;
  params?: readonly unknown[];
  signal?: AbortSignal;
  /** Lower than the source's max_rows to return fewer rows; never higher. */
  maxRows?: number;
  requestId?: string;
  tool?: string;
}

export type { ExecuteResult, QueryResult } from "./results.ts";

/** A statement that passed every check and may run. */
export interface AdmittedStatement {
  readonly info: StatementInfo;
  readonly analysis: SqlAnalysis;
  readonly admission: Admission;
  readonly warnings: string[];
}

/** Grace after the server-side timeout before the client kills the statement itself. */
const KILL_GRACE_MS = 1_000;
const READ_VERBS_WITH_LIMIT = new Set(["SELECT", "WITH", "(", "VALUES", "SHOW"]);

/**
 * The one way SQL reaches a database. Classification, the allow-list,
 * read-only mode, timeouts, row caps, hooks and error sanitising all live
 * here, and built-in tools, declarative tools and plugins all call it.
 */
export class SqlGate {
  readonly #hooks: QueryHooks[] = [];
  readonly #deadlines = new Deadlines();

  constructor(
    private readonly datasources: Datasources,
    private readonly catalog: Catalog,
    private readonly server: ServerConfig,
    private readonly log: Logger,
  ) {}

  addHooks(hooks: QueryHooks): void {
    this.#hooks.push(hooks);
  }

  /** Runs a read statement in a read-only transaction. */
  async query(req: GateRequest): Promise<QueryResult> {
    const admitted = await this.admit(req, "query");
    return await this.#withHooks(admitted, async () => {
      const source = this.datasources.get(req.datasource);
      const maxRows = Math.max(1, Math.min(req.maxRows ?? source.maxRows, source.maxRows));
      const started = performance.now();
      const maxBytes = source.maxResultBytes;
      const outcome = await this.#run(admitted, req, true, maxRows, maxBytes);
      const withheld = this.withheld(req, admitted, outcome.fields);
      if (withheld !== undefined) throw withheld;
      const rows = admitted.admission.filterVariables
        ? outcome.rows.filter((row) => isReadableVariable(String(row[0])))
        : outcome.rows;
      const result: QueryResult = {
        columns: outcome.fields.map(columnInfo),
        rows,
        row_count: rows.length,
        truncated: outcome.truncated,
        execution_time_ms: round(performance.now() - started),
      };
      if (outcome.truncated) {
        admitted.warnings.push(
          outcome.cutBy === "bytes"
            ? `Result cut at max_result_bytes (${maxBytes} bytes) after ${outcome.rows.length} rows; ` +
              `select fewer or shorter columns, use LIMIT, or stream: true for the whole result.`
            : `Result cut at max_rows (${maxRows}); use LIMIT, or stream: true for the whole result.`,
        );
      }
      if (admitted.warnings.length > 0) result.warnings = admitted.warnings;
      return result;
    });
  }

  /** Runs one INSERT, UPDATE, DELETE or REPLACE. */
  async execute(req: GateRequest): Promise<ExecuteResult> {
    const admitted = await this.admit(req, "execute");
    return await this.#withHooks(admitted, async () => {
      const started = performance.now();
      const outcome = await this.#run(admitted, req, false, 0, undefined);
      const id = outcome.insertId;
      return {
        // A write with RETURNING answers with rows, one per row it changed, not an OK packet.
        affected_rows: admitted.analysis.returning
          ? outcome.rows.length
          : outcome.affectedRows ?? 0,
        last_insert_id: id === undefined || id === 0 || id === "0" ? null : id,
        execution_time_ms: round(performance.now() - started),
        ...(admitted.warnings.length ? { warnings: admitted.warnings } : {}),
      };
    });
  }

  /**
   * Every check before a statement may run: source, database, allow-list,
   * statement class, refusals, parameters and the before-query hooks.
   */
  async admit(req: GateRequest, kind: StatementInfo["kind"]): Promise<AdmittedStatement> {
    try {
      return await this.#check(req, kind);
    } catch (error) {
      // Refusals reach the onError hooks too: auditing wants to see what was refused.
      const sql = typeof req.sql === "string" ? req.sql.slice(0, 10_000) : "";
      throw await this.reportError({
        requestId: req.requestId ?? "",
        tool: req.tool ?? "",
        datasource: req.datasource,
        database: req.database,
        kind,
        sql,
        verb: "",
        paramCount: req.params?.length ?? 0,
      }, error);
    }
  }

  async #check(req: GateRequest, kind: StatementInfo["kind"]): Promise<AdmittedStatement> {
    const source = this.datasources.get(req.datasource);
    if (typeof req.sql !== "string" || req.sql.trim() === "") {
      throw new ToolError("INVALID_ARGUMENT", "The SQL text is empty");
    }
    if (req.sql.length > MAX_SQL_LENGTH) {
      throw new ToolError(
        "INVALID_ARGUMENT",
        `The SQL text is ${req.sql.length} characters long; the gate analyses at most ${MAX_SQL_LENGTH}: send smaller statements`,
      );
    }
    await this.catalog.requireDatabase(req.datasource, req.database);
    // The catalog check above has connected: the server's reserved words apply.
    const analysis = classifySql(req.sql, { flavor: this.datasources.flavor(req.datasource) });
    const verb = analysis.verb || "(empty)";
    if (analysis.firstStatement.trim() === "") {
      throw new ToolError("INVALID_ARGUMENT", "The SQL text holds no statement");
    }
    let admission: Admission;
    try {
      admission = decide(analysis, source, req.database, kind === "execute" ? "execute" : "query");
      if (analysis.tables.length > 0) await this.#checkObjects(req, analysis);
    } catch (refusal) {
      // Outside the grammar is refused; when the server agrees it is not even valid SQL, its
      // syntax error (with the position) helps the agent more than ours.
      if (analysis.notUnderstood && analysis.category !== "other") {
        const syntax = await this.#syntaxError(req, analysis.firstStatement);
        if (syntax !== undefined) throw syntax;
      }
      throw refusal;
    }
    const paramCount = req.params?.length ?? 0;
    if (paramCount !== analysis.positionalParams) {
      throw new ToolError(
        "INVALID_ARGUMENT",
        `The statement has ${analysis.positionalParams} ? placeholder(s) but ${paramCount} param(s) were given`,
      );
    }
    const warnings: string[] = [];
    if (analysis.ignoredStatements > 0) {
      warnings.push(
        `Only the first statement was executed; ${analysis.ignoredStatements} more statement(s) were ignored.`,
      );
    }
    const info: StatementInfo = {
      requestId: req.requestId ?? "",
      tool: req.tool ?? "",
      datasource: req.datasource,
      database: req.database,
      kind,
      sql: analysis.firstStatement,
      verb,
      paramCount,
    };
    for (const hooks of this.#hooks) {
      const refusal = await hooks.beforeQuery?.(info);
      if (typeof refusal === "string") {
        throw new ToolError("STATEMENT_NOT_ALLOWED", `Refused by a query hook: ${refusal}`);
      }
    }
    return { info, analysis, admission, warnings };
  }

  /** Reach of each view-definitions map the catalog hands out, built once per map. */
  readonly #reach = new WeakMap<ReadonlyMap<string, string>, ViewReach>();

  /**
   * What the tables a statement names really are: views are followed to what they read, and
   * tables of engines that read other tables are refused (metadata cached by the catalog).
   */
  async #checkObjects(req: GateRequest, analysis: SqlAnalysis): Promise<void> {
    const source = this.datasources.get(req.datasource);
    const views = await this.catalog.viewDefinitions(req.datasource);
    if (views.size > 0) {
      let reach = this.#reach.get(views);
      if (reach === undefined) {
        reach = viewReach(views, isBuiltin, this.datasources.flavor(req.datasource));
        this.#reach.set(views, reach);
      }
      checkViews(analysis, source, req.database, reach);
    }
    const engines = new Map<string, Map<string, string>>();
    for (const table of analysis.tables) {
      const db = (table.db ?? req.database).toLowerCase();
      if (engines.has(db)) continue;
      // A database that does not exist has no tables to worry about; any other failure to
      // look is an error, never a pass.
      const tables = await this.catalog.tables(req.datasource, table.db ?? req.database)
        .catch((error) => {
          if (error instanceof ToolError && error.code === "DATABASE_NOT_FOUND") return [];
          throw error;
        });
      engines.set(db, new Map(tables.map((t) => [t.name.toLowerCase(), t.engine ?? ""])));
    }
    checkTableEngines(
      analysis,
      req.database,
      (db, name) => engines.get(db.toLowerCase())?.get(name.toLowerCase()),
    );
  }

  /**
   * The server's syntax error for `sql`, from preparing it (parsed, never executed), or
   * undefined when it is valid SQL or the error is not a syntax error. Only syntax errors are
   * reported: a name-resolution error would tell whether a hidden table exists.
   */
  async #syntaxError(req: GateRequest, sql: string): Promise<ToolError | undefined> {
    const error = await this.#prepareError(req.datasource, req.database, sql, "syntax check");
    const errno = (error as { errno?: number } | undefined)?.errno;
    return errno === 1064 || errno === 1149 ? this.#sanitize(error) : undefined;
  }

  /** Trusted, parameterised metadata SQL on a source's server-level pool (built-ins only). */
  async metadata(key: string, sql: string, params: readonly unknown[]): Promise<unknown[][]> {
    const pool = this.datasources.pool(key);
    const conn = await pool.acquire({ holder: "metadata" });
    const deadline = this.#roundTripDeadline(key, conn, "metadata lookup");
    try {
      const outcome = await runStatement(conn.raw, {
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
      this.#giveBack(conn, error);
      throw deadline.error() ?? this.#sanitize(error);
    }
  }

  /**
   * A deadline for a round trip that has no server-side timeout of its own
   * (metadata, prepare): past query_timeout + grace the statement is killed and
   * its connection closed, which fails the waiting command; the pool replaces it.
   */
  #roundTripDeadline(datasource: string, conn: PooledConnection, what: string) {
    let expired: ToolError | undefined;
    const ms = this.server.queryTimeoutMs + KILL_GRACE_MS;
    const cancel = this.#deadlines.add(ms, () => {
      expired = new ToolError(
        "QUERY_TIMEOUT",
        `The ${what} got no answer from the database within ${ms} ms; its connection was closed`,
      );
      this.killStatement(datasource, conn);
      conn.discard(`${what} timed out`);
    });
    return { stop: cancel, error: () => expired };
  }

  /**
   * Asks the server to prepare `sql` without running it: a statement that
   * does not parse, or names a missing table, is reported before any agent
   * calls it. Resolves with the sanitised reason, or undefined when it prepares.
   */
  async checkPrepares(
    datasource: string,
    database: string,
    sql: string,
  ): Promise<string | undefined> {
    const error = await this.#prepareError(datasource, database, sql, "prepare check");
    if (error === undefined) return undefined;
    return (error instanceof ToolError ? error : this.#sanitize(error)).message;
  }

  /** Prepares `sql` on a pooled connection (parsed, never run); resolves with its error. */
  async #prepareError(
    datasource: string,
    database: string,
    sql: string,
    holder: string,
  ): Promise<unknown> {
    const conn = await this.datasources.pool(datasource, database).acquire({ holder });
    const deadline = this.#roundTripDeadline(datasource, conn, holder);
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
      this.#giveBack(conn, error);
      return deadline.error() ?? error;
    }
  }

  /**
   * Acquires a connection of the request's pool, in the mode it needs, once the server's
   * flavour allows the statement's functions; marks it for reset when the statement can
   * leave state on it.
   */
  async connectionFor(
    req: GateRequest,
    readOnly: boolean,
    admitted: AdmittedStatement,
  ): Promise<PooledConnection> {
    const pool = this.datasources.pool(req.datasource, req.database);
    const conn = await pool.acquire({ signal: req.signal, holder: req.tool ?? "query" });
    try {
      checkFunctionsOn(
        admitted.analysis,
        conn.flavor,
        conn.serverVersion,
        this.datasources.get(req.datasource),
      );
    } catch (error) {
      conn.release();
      throw error;
    }
    if (admitted.admission.resetAfter) conn.markDirty();
    try {
      await conn.setReadOnly(readOnly);
    } catch (error) {
      conn.discard("could not set transaction mode");
      throw this.#sanitize(error);
    }
    return conn;
  }

  /**
   * The second layer, after the statement ran: a result with a column from a database the
   * datasource does not allow is withheld, whatever the parser concluded.
   */
  withheld(
    req: GateRequest,
    admitted: AdmittedStatement,
    fields: readonly DriverField[],
  ): ToolError | undefined {
    if (!admitted.admission.checkColumns) return undefined;
    const source = this.datasources.get(req.datasource);
    const schema = foreignColumnSchema(
      fields.map((f) => f.schema),
      source,
      admitted.admission.jsonTable,
    );
    if (schema === undefined) return undefined;
    this.log.warn("result withheld: a column comes from a database outside the allow-list", {
      datasource: source.key,
      request_id: req.requestId,
    });
    return new ToolError(
      "STATEMENT_NOT_ALLOWED",
      `The result was withheld: it has a column from database "${schema}", which is not available on datasource "${source.key}"`,
      { database: schema },
    );
  }

  /** The statement text to send: MariaDB gets its timeout (and row cap) in the same round trip. */
  statementText(conn: PooledConnection, admitted: AdmittedStatement, rowCap: number): string {
    const sql = admitted.analysis.firstStatement;
    if (conn.flavor !== "mariadb") return mysqlStatementText(sql, admitted, this.server, rowCap);
    const seconds = Math.max(0.001, this.server.queryTimeoutMs / 1000);
    const limit = rowCap > 0 && READ_VERBS_WITH_LIMIT.has(admitted.analysis.verb)
      ? `, sql_select_limit=${rowCap}`
      : "";
    return `SET STATEMENT max_statement_time=${seconds}${limit} FOR ${sql}`;
  }

  /**
   * Arms the client-side wall behind the server-side timeout and the MCP
   * cancellation: either one kills the statement on the server.
   */
  guard(req: GateRequest, conn: PooledConnection): { stop(): void; reason(): string | undefined } {
    let reason: string | undefined;
    let lastResort: ReturnType<typeof setTimeout> | undefined;
    const kill = (why: string) => {
      if (reason) return;
      reason = why;
      this.killStatement(req.datasource, conn);
      // If even KILL QUERY gets no answer (server hung, network gone), drop the
      // connection: its pending command then fails instead of hanging forever.
      lastResort = setTimeout(() => conn.discard("statement did not stop"), 5 * KILL_GRACE_MS);
    };
    const cancelDeadline = this.#deadlines.add(
      this.server.queryTimeoutMs + KILL_GRACE_MS,
      () => kill("timeout"),
    );
    const onAbort = () => kill("cancelled");
    req.signal?.addEventListener("abort", onAbort, { once: true });
    if (req.signal?.aborted) onAbort();
    return {
      stop() {
        cancelDeadline();
        clearTimeout(lastResort);
        req.signal?.removeEventListener("abort", onAbort);
      },
      reason: () => reason,
    };
  }

  /** Stops whatever `conn` is running, from a separate connection (KILL QUERY). */
  killStatement(datasource: string, conn: PooledConnection): void {
    killQuery(this.datasources.target(datasource), conn.threadId, conn.flavor).catch((error) =>
      this.log.warn("KILL QUERY failed", {
        datasource,
        error: toToolError(error, this.datasources.secrets()).message,
      })
    );
  }

  async #run(
    admitted: AdmittedStatement,
    req: GateRequest,
    readOnly: boolean,
    maxRows: number,
    maxBytes: number | undefined,
  ): Promise<StatementOutcome> {
    const conn = await this.connectionFor(req, readOnly, admitted);
    const guard = this.guard(req, conn);
    try {
      const outcome = await runStatement(conn.raw, {
        sql: this.statementText(conn, admitted, maxRows > 0 ? maxRows + 1 : 0),
        params: req.params,
        maxRows: maxRows > 0 ? maxRows : Number.MAX_SAFE_INTEGER,
        maxBytes,
        onDeath: (callback) => conn.onDeath(callback),
      });
      guard.stop();
      if (outcome.poisoned) conn.discard(`result cut at max_${outcome.cutBy ?? "rows"}`);
      else {
        if (!readOnly) conn.markDirty();
        const released = conn.release();
        // State the statement left (a lock, LAST_INSERT_ID(n)) is gone before the answer is.
        if (admitted.admission.resetAfter) await released;
      }
      return outcome;
    } catch (error) {
      guard.stop();
      this.#giveBack(conn, error);
      const sanitized = this.#sanitize(error);
      // The server's own timeout (max_statement_time) comes back as the statement's error.
      const why = guard.reason() ?? (sanitized.code === "QUERY_TIMEOUT" ? "timeout" : undefined);
      if (why === "timeout" || why === "cancelled") {
        throw this.#stopped(why, req, readOnly, error);
      }
      throw sanitized;
    }
  }

  /**
   * The answer for a statement stopped by its timeout, the client or shutdown.
   * For a write it says whether anything was applied, from what the server
   * itself answered: an error for the statement means InnoDB rolled it back;
   * no answer at all (connection closed under it) means nobody can say.
   */
  #stopped(
    why: "timeout" | "cancelled",
    req: GateRequest,
    readOnly: boolean,
    error: unknown,
  ): ToolError {
    const shutdown = (req.signal?.reason as { name?: string } | undefined)?.name ===
      "ShutdownError";
    const what = why === "timeout"
      ? `The statement ran longer than query_timeout (${this.server.queryTimeoutMs} ms)`
      : shutdown
      ? "The statement was stopped because the server is shutting down"
      : "The statement was cancelled by the client";
    const code = why === "timeout" ? "QUERY_TIMEOUT" : "QUERY_EXECUTION_ERROR";
    const errno = (error as { errno?: unknown })?.errno;
    const answered = !(error instanceof ConnectionLostError) && typeof errno === "number";
    if (readOnly) {
      return new ToolError(
        code,
        answered ? `${what} and was stopped on the server` : `${what}; its connection was closed`,
      );
    }
    return answered
      ? new ToolError(
        code,
        `${what} and was stopped on the server, which answered it with error ${errno} and rolled ` +
          `it back: nothing was applied (on a transactional engine such as InnoDB)`,
        { applied: false, errno },
      )
      : new ToolError(
        code,
        `${what}; the database did not answer, so its connection was closed. Whether the change ` +
          `was applied is unknown: check before retrying`,
        { applied: "unknown" },
      );
  }

  #giveBack(conn: PooledConnection, error: unknown) {
    const e = error as { fatal?: boolean; errno?: number; code?: string };
    // A killed or lost connection must not go back to the idle list, even for a moment.
    // A refused oversized row leaves the connection mid-result: it cannot be reused either.
    const lost = error instanceof ConnectionLostError || error instanceof RowTooLargeError ||
      e?.fatal || e?.errno === 1927 ||
      e?.errno === 2013 || e?.errno === 2006 ||
      e?.code === "PROTOCOL_CONNECTION_LOST" || e?.code === "ECONNRESET";
    if (lost) conn.discard("connection lost");
    else {
      conn.markDirty();
      conn.release();
    }
  }

  #sanitize(error: unknown): ToolError {
    if (error instanceof ConnectionLostError) {
      return new ToolError("CONNECTION_FAILED", error.message);
    }
    const toolError = toToolError(error, this.datasources.secrets());
    if (toolError.code === "QUERY_TIMEOUT") {
      return new ToolError(
        "QUERY_TIMEOUT",
        `The statement ran longer than query_timeout (${this.server.queryTimeoutMs} ms) and was stopped on the server`,
        toolError.details,
      );
    }
    if (toolError.code === "INTERNAL_ERROR") {
      this.log.error("unexpected error in the SQL gate", { error: String(error) });
    }
    return toolError;
  }

  async #withHooks<T>(admitted: AdmittedStatement, run: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await run();
    } catch (error) {
      throw await this.reportError(admitted.info, error);
    }
    return admitted.info.kind === "execute"
      ? result
      : await this.afterQuery(admitted.info, result as QueryResult) as T;
  }

  /** Runs the after-query hooks (column masking...) on a result or a stream chunk. */
  async afterQuery<R extends QueryResult>(info: StatementInfo, result: R): Promise<R> {
    for (const hooks of this.#hooks) {
      if (!hooks.afterQuery) continue;
      const replaced = await hooks.afterQuery(info, result);
      if (replaced) result = replaced as R;
    }
    return result;
  }

  /** Tells the onError hooks; returns the sanitised error to throw. */
  async reportError(info: StatementInfo, error: unknown): Promise<ToolError> {
    const toolError = error instanceof ToolError ? error : this.#sanitize(error);
    for (const hooks of this.#hooks) {
      try {
        await hooks.onError?.(info, toolError);
      } catch (hookError) {
        this.log.warn("an onError hook failed", { error: String(hookError) });
      }
    }
    return toolError;
  }
}

/**
 * MySQL 8 has no SET STATEMENT: a SELECT that starts the text gets optimizer
 * hints for the timeout and the row cap (the classifier refuses such hints
 * from the agent, so ours are the only ones). Other statements rely on the
 * client-side KILL QUERY behind the timeout.
 */
function mysqlStatementText(
  sql: string,
  admitted: AdmittedStatement,
  server: ServerConfig,
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

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
