import { type ServerConfig, STREAM_CHUNK_CAP } from "../config/config.ts";
import type { Catalog } from "../datasources/catalog.ts";
import type { Datasources } from "../datasources/datasources.ts";
import { ToolError } from "../errors/tool_error.ts";
import type { Logger } from "../log/logger.ts";
import type { PooledConnection } from "../pool/types.ts";
import { type AdmittedStatement, Admitter, type GateRequest } from "./admit.ts";
import { columnInfo, type DriverField } from "./column_types.ts";
import { ReadAhead, ResultStream } from "./result_stream.ts";
import type { QueryHooks, StatementInfo } from "./hooks.ts";
import { checkFunctionsOn, foreignColumnSchema, isReadableVariable } from "./policy.ts";
import type { ExecuteResult, QueryResult } from "./results.ts";
import { collectRows, runStatement, type StatementOutcome } from "./runner.ts";
import { StatementControl } from "./statement_control.ts";
import { statementText } from "./statement_text.ts";
import { TrustedSql } from "./trusted_sql.ts";

export type { AdmittedStatement, GateRequest } from "./admit.ts";
export type { ExecuteResult, QueryResult } from "./results.ts";

/** What the stream registry gives a stream it asks the gate to open. */
export interface StreamSlot {
  readonly id: string;
  /** Counts the stream against the quotas, after admission and before a connection is taken. */
  reserve(): void;
  /** The error for a read after the stream closed. */
  missing(): ToolError;
  onClose(why: string, delivered: number): void;
}

/**
 * The one way SQL reaches a database. Classification, the allow-list,
 * read-only mode, timeouts, row caps, hooks and error sanitising all live
 * here, and built-in tools, declarative tools and plugins all call it.
 */
export class SqlGate {
  readonly #hooks: QueryHooks[] = [];
  readonly #control: StatementControl;
  readonly #trusted: TrustedSql;
  readonly #admitter: Admitter;

  readonly #readAhead: ReadAhead;
  readonly #catalog: Catalog;

  /** Bytes all open streams hold read ahead (for metrics and tests). */
  get readAheadBytes(): number {
    return this.#readAhead.used;
  }

  constructor(
    private readonly datasources: Datasources,
    catalog: Catalog,
    private readonly server: ServerConfig,
    private readonly log: Logger,
    control = new StatementControl(datasources, server, log),
    trusted = new TrustedSql(datasources, control),
  ) {
    this.#control = control;
    this.#trusted = trusted;
    // Four results' worth of read-ahead for all streams together (64 MB by default).
    this.#readAhead = new ReadAhead(4 * server.maxResultBytes);
    this.#admitter = new Admitter(datasources, catalog, trusted, this.#hooks);
    this.#catalog = catalog;
  }

  addHooks(hooks: QueryHooks): void {
    this.#hooks.push(hooks);
  }

  /** Runs a read statement in a read-only transaction. */
  async query(req: GateRequest): Promise<QueryResult> {
    const admitted = await this.#admit(req, "query");
    return await this.#withHooks(admitted, async () => {
      const source = this.datasources.get(req.datasource);
      const maxRows = Math.max(1, Math.min(req.maxRows ?? source.maxRows, source.maxRows));
      const started = performance.now();
      const maxBytes = source.maxResultBytes;
      const outcome = await this.#run(admitted, req, true, maxRows, maxBytes);
      const withheld = this.#withheld(req, admitted, outcome.fields);
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
    const admitted = await this.#admit(req, "execute");
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
   * Opens a streamed read: admitted like a query, counted by `slot`, then run on a
   * connection of its own through the same runner; read it with `first()` and `next()`.
   */
  async stream(req: GateRequest, slot: StreamSlot): Promise<ResultStream> {
    const started = performance.now();
    const admitted = await this.#admit(req, "stream");
    slot.reserve();
    const conn = await this.#connectionFor(req, true, admitted);
    const source = this.datasources.get(req.datasource);
    const info = admitted.info;
    return new ResultStream({
      readAhead: this.#readAhead,
      id: slot.id,
      conn,
      chunkSize: Math.max(1, Math.min(this.server.streamChunkSize, STREAM_CHUNK_CAP)),
      maxBytes: source.maxResultBytes,
      queryTimeoutMs: this.server.queryTimeoutMs,
      guard: this.#control.guard(req.datasource, conn, req.signal),
      started,
      warnings: admitted.warnings,
      // Not statementText(): on MariaDB it wraps the statement in max_statement_time, which
      // would kill a stream read slowly over many calls. The guard bounds the first chunk instead.
      start: (sink) =>
        runStatement(conn.raw, {
          sql: admitted.analysis.firstStatement,
          params: req.params,
          onDeath: (callback) => conn.onDeath(callback),
        }, sink),
      withheld: (fields) => this.#withheld(req, admitted, fields),
      keepRow: admitted.admission.filterVariables
        ? (row) => isReadableVariable(String(row[0]))
        : () => true,
      kill: () => this.#control.killStatement(req.datasource, conn),
      afterQuery: (chunk) => this.#afterQuery(info, chunk),
      reportError: (error) => this.#reportError(info, error),
      missing: () => slot.missing(),
      onClose: (why, delivered) => slot.onClose(why, delivered),
    });
  }

  /** Trusted, parameterised metadata SQL on a source's server-level pool (built-ins only). */
  metadata(key: string, sql: string, params: readonly unknown[]): Promise<unknown[][]> {
    return this.#trusted.metadata(key, sql, params);
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
    const error = await this.#trusted.prepareError(datasource, database, sql, "prepare check");
    if (error === undefined) return undefined;
    return (error instanceof ToolError ? error : this.#control.sanitize(error)).message;
  }

  /** The statement text to send: MariaDB gets its timeout (and row cap) in the same round trip. */
  statementText(conn: PooledConnection, admitted: AdmittedStatement, rowCap: number): string {
    return statementText(conn, admitted, this.server, rowCap);
  }

  async #admit(req: GateRequest, kind: StatementInfo["kind"]): Promise<AdmittedStatement> {
    try {
      return await this.#admitter.admit(req, kind);
    } catch (error) {
      // Refusals reach the onError hooks too: auditing wants to see what was refused.
      const sql = typeof req.sql === "string" ? req.sql.slice(0, 10_000) : "";
      throw await this.#reportError({
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

  /**
   * Acquires a connection of the request's pool, in the mode it needs, once the server's
   * flavour allows the statement's functions; marks it for reset when the statement can
   * leave state on it.
   */
  async #connectionFor(
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
      throw this.#control.sanitize(error);
    }
    return conn;
  }

  /**
   * The second layer, after the statement ran: a result with a column from a database the
   * datasource does not allow is withheld, whatever the parser concluded.
   */
  #withheld(
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

  /** Whether every table a write names is InnoDB, from the catalog; undefined when unknown. */
  async #transactional(
    req: GateRequest,
    admitted: AdmittedStatement,
  ): Promise<boolean | undefined> {
    try {
      for (const table of admitted.analysis.tables) {
        const list = await this.#catalog.tables(req.datasource, table.db ?? req.database);
        const found = list.find((t) => t.name === table.name) ??
          list.find((t) => t.name.toLowerCase() === table.name.toLowerCase());
        if (found?.engine == null) return undefined;
        if (found.engine.toUpperCase() !== "INNODB") return false;
      }
      return admitted.analysis.tables.length > 0 ? true : undefined;
    } catch {
      return undefined; // the catalog is unreachable too: say it is unknown
    }
  }

  async #run(
    admitted: AdmittedStatement,
    req: GateRequest,
    readOnly: boolean,
    maxRows: number,
    maxBytes: number | undefined,
  ): Promise<StatementOutcome> {
    const conn = await this.#connectionFor(req, readOnly, admitted);
    const guard = this.#control.guard(req.datasource, conn, req.signal);
    try {
      const outcome = await collectRows(conn.raw, {
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
      this.#control.giveBack(conn, error);
      const sanitized = this.#control.sanitize(error);
      // The server's own timeout (max_statement_time) comes back as the statement's error.
      const why = guard.reason() ?? (sanitized.code === "QUERY_TIMEOUT" ? "timeout" : undefined);
      if (why) {
        const transactional = readOnly ? undefined : await this.#transactional(req, admitted);
        throw this.#control.stopped(why, req.signal, readOnly, error, transactional);
      }
      throw sanitized;
    }
  }

  async #withHooks<T>(admitted: AdmittedStatement, run: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await run();
    } catch (error) {
      throw await this.#reportError(admitted.info, error);
    }
    return admitted.info.kind === "execute"
      ? result
      : await this.#afterQuery(admitted.info, result as QueryResult) as T;
  }

  /** Runs the after-query hooks (column masking...) on a result or a stream chunk. */
  async #afterQuery<R extends QueryResult>(info: StatementInfo, result: R): Promise<R> {
    for (const hooks of this.#hooks) {
      if (!hooks.afterQuery) continue;
      const replaced = await hooks.afterQuery(info, result);
      if (replaced) result = replaced as R;
    }
    return result;
  }

  /** Tells the onError hooks; returns the sanitised error to throw. */
  async #reportError(info: StatementInfo, error: unknown): Promise<ToolError> {
    const toolError = error instanceof ToolError ? error : this.#control.sanitize(error);
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

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
