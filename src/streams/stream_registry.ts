import { type ServerConfig, STREAM_CHUNK_CAP } from "../config/config.ts";
import { sanitizeText, toToolError } from "../errors/sanitize.ts";
import { ToolError } from "../errors/tool_error.ts";
import { type ColumnInfo, columnInfo, type DriverField } from "../gate/column_types.ts";
import { encodeRow } from "../gate/encode_row.ts";
import { isReadableVariable } from "../gate/policy.ts";
import { rowBytes } from "../gate/row_bytes.ts";
import { RowTooLargeError } from "../gate/run_statement.ts";
import type { GateRequest, QueryResult, SqlGate } from "../gate/sql_gate.ts";
import type { Logger } from "../log/logger.ts";
import type { StatementInfo } from "../gate/hooks.ts";
import type { PooledConnection } from "../pool/types.ts";

/** One chunk of a streamed result: a query result plus where the stream stands. */
export interface StreamChunk extends QueryResult {
  stream_id: string;
  has_more: boolean;
}

interface Stream {
  readonly id: string;
  readonly datasource: string;
  readonly pool: string;
  readonly conn: PooledConnection;
  readonly chunkSize: number;
  /** A chunk stops early at this many bytes (max_result_bytes of the source). */
  readonly maxBytes: number;
  /** Encoded rows received and not yet delivered; at most about two chunks. */
  rows: unknown[][];
  /** rowBytes() of each buffered row, and their sum. */
  sizes: number[];
  bytes: number;
  columns: ColumnInfo[] | undefined;
  /** The driver saw the end of the result: the connection is free again. */
  ended: boolean;
  /** The connection was released or discarded: never touch it again. */
  connDone: boolean;
  failure: ToolError | undefined;
  paused: boolean;
  delivered: number;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Wakes a `next()` waiting for rows, the end or a failure. */
  wake: (() => void) | undefined;
  /** The last chunk request; a new one waits for it, so two callers never share a wake-up. */
  turn: Promise<unknown>;
  stopGuard: () => void;
  unsubscribe: () => void;
  warnings: string[];
  /** What the hooks see of this stream's statement. */
  readonly info: StatementInfo;
  /** The gate's second layer: an error when the result's columns must be withheld. */
  readonly withheld: (fields: readonly DriverField[]) => ToolError | undefined;
  /** Rows the agent may see (SHOW VARIABLES is filtered to readable variables). */
  readonly keepRow: (row: unknown[]) => boolean;
}

/** How many recently closed stream ids are remembered, to answer STREAM_CANCELLED. */
const REMEMBERED_CLOSED = 1000;
/** Chunks buffered before the socket is paused: one being read, one ready. */
const BUFFERED_CHUNKS = 2;
/** Grace after query_timeout before a stream waiting for rows is stopped (the server's own timeout goes first elsewhere). */
const STALL_GRACE_MS = 1_000;

/**
 * Open result streams: each holds one pooled connection running its query
 * with driver-level streaming. Reading pauses the socket when a small
 * buffer is full, so memory stays flat whatever the row count.
 */
export class StreamRegistry {
  readonly #streams = new Map<string, Stream>();
  readonly #closed = new Map<string, string>();
  /** Streams per pool ("datasource/database"), counting ones still opening. */
  readonly #perPool = new Map<string, number>();
  #total = 0;

  constructor(
    private readonly gate: SqlGate,
    private readonly server: ServerConfig,
    private readonly log: Logger,
    private readonly maxConnectionsOf: (datasource: string) => number,
    private readonly maxResultBytesOf: (datasource: string) => number = () => server.maxResultBytes,
  ) {}

  /** Open streams (including ones still opening). */
  get size(): number {
    return this.#total;
  }

  /** Open streams on one pool (datasource, database), including ones still opening. */
  openCount(datasource: string, database: string): number {
    return this.#perPool.get(`${datasource}/${database}`) ?? 0;
  }

  /** Starts a streamed read and returns its first chunk. */
  async open(req: GateRequest): Promise<StreamChunk> {
    const started = performance.now();
    const admitted = await this.gate.admit(req, "stream");
    const pool = `${req.datasource}/${req.database}`;
    // Checked and counted in one synchronous step, so concurrent opens cannot overshoot.
    this.#reserve(req.datasource, pool);
    let conn: PooledConnection;
    try {
      conn = await this.gate.connectionFor(req, true, admitted);
    } catch (error) {
      this.#unreserve(pool);
      throw error;
    }
    const id = crypto.randomUUID();
    const guard = this.gate.guard(req, conn);
    const stream: Stream = {
      id,
      datasource: req.datasource,
      pool,
      conn,
      chunkSize: Math.max(1, Math.min(this.server.streamChunkSize, STREAM_CHUNK_CAP)),
      maxBytes: this.maxResultBytesOf(req.datasource),
      rows: [],
      sizes: [],
      bytes: 0,
      columns: undefined,
      ended: false,
      connDone: false,
      failure: undefined,
      paused: false,
      delivered: 0,
      idleTimer: undefined,
      wake: undefined,
      turn: Promise.resolve(),
      stopGuard: () => guard.stop(),
      unsubscribe: () => {},
      warnings: admitted.warnings,
      info: admitted.info,
      withheld: (fields) => this.gate.withheld(req, admitted, fields),
      keepRow: admitted.admission.filterVariables
        ? (row) => isReadableVariable(String(row[0]))
        : () => true,
    };
    this.#streams.set(id, stream);
    conn.holdLong();
    // mysql2 reports a lost connection (KILL, network) on the connection, not the command.
    stream.unsubscribe = conn.onDeath((error) => this.#fail(stream, lostConnection(error)));
    // Not gate.statementText(): on MariaDB it wraps the statement in max_statement_time, which
    // would kill a stream read slowly over many calls. The guard bounds the first chunk instead.
    this.#start(stream, admitted.analysis.firstStatement, req.params);
    try {
      const first = await this.#take(stream, started);
      // The same after-query hooks as mysql_query: a masked column stays masked when streamed.
      return await this.gate.afterQuery(stream.info, first);
    } catch (error) {
      // Whatever failed, no stream is left behind holding a connection and buffered rows.
      if (this.#streams.has(id)) this.#close(stream, "failed", true);
      throw await this.gate.reportError(
        stream.info,
        guard.reason() === "timeout"
          ? new ToolError(
            "QUERY_TIMEOUT",
            `The statement produced no result within query_timeout (${this.server.queryTimeoutMs} ms) and was stopped`,
          )
          : error,
      );
    } finally {
      guard.stop();
    }
  }

  /** The next chunk of an open stream. */
  next(id: string): Promise<StreamChunk> {
    const stream = this.#streams.get(id);
    if (!stream) return Promise.reject(this.#missing(id));
    // A second call while one waits queues behind it rather than stealing its wake-up.
    const turn = stream.turn.then(async () => {
      if (!this.#streams.has(id)) throw this.#missing(id);
      try {
        return await this.gate.afterQuery(stream.info, await this.#take(stream, performance.now()));
      } catch (error) {
        throw await this.gate.reportError(stream.info, error);
      }
    });
    stream.turn = turn.catch(() => {});
    return turn;
  }

  /** Stops the query on the server and frees the stream's connection. */
  cancel(id: string): { cancelled: true } {
    const stream = this.#streams.get(id);
    if (!stream) throw this.#missing(id);
    this.#close(stream, "cancelled by the client", true);
    return { cancelled: true };
  }

  /** Cancels every open stream (shutdown). */
  closeAll(): void {
    for (const stream of [...this.#streams.values()]) {
      this.#close(stream, "server shutting down", true);
    }
  }

  #reserve(datasource: string, pool: string) {
    const max = this.server.maxConcurrentStreams;
    if (this.#total >= max) {
      throw new ToolError(
        "POOL_EXHAUSTED",
        `Too many open streams (max_concurrent_streams is ${max}): finish or cancel one with mysql_stream_cancel`,
        { max_concurrent_streams: max },
      );
    }
    // Streams hold their connection for long: keep one per pool for ordinary queries.
    const limit = Math.max(0, this.maxConnectionsOf(datasource) - 1);
    const open = this.#perPool.get(pool) ?? 0;
    if (open >= limit) {
      throw new ToolError(
        "POOL_EXHAUSTED",
        `Too many open streams on "${pool}": at most ${limit} (max_connections - 1, so ordinary queries always get a connection); finish or cancel one with mysql_stream_cancel`,
        { open_streams: open, limit },
      );
    }
    this.#perPool.set(pool, open + 1);
    this.#total++;
  }

  #unreserve(pool: string) {
    const open = (this.#perPool.get(pool) ?? 1) - 1;
    if (open > 0) this.#perPool.set(pool, open);
    else this.#perPool.delete(pool);
    this.#total--;
  }

  #start(stream: Stream, sql: string, params: readonly unknown[] | undefined) {
    const query = { sql, rowsAsArray: true };
    // deno-lint-ignore no-explicit-any
    const raw = stream.conn.raw as any;
    const command = params && params.length > 0 ? raw.execute(query, params) : raw.query(query);
    const highWater = stream.chunkSize * BUFFERED_CHUNKS;
    command.on("fields", (fields: DriverField[]) => {
      if (!fields) return;
      const withheld = stream.withheld(fields);
      if (withheld !== undefined) return this.#fail(stream, withheld);
      stream.columns = fields.map(columnInfo);
    });
    command.on("result", (row: unknown) => {
      if (stream.connDone || stream.failure || !Array.isArray(row)) return;
      if (!stream.keepRow(row)) return;
      const encoded = encodeRow(row);
      const size = rowBytes(encoded);
      stream.rows.push(encoded);
      stream.sizes.push(size);
      stream.bytes += size;
      if (
        !stream.paused &&
        (stream.rows.length >= highWater || stream.bytes >= stream.maxBytes * BUFFERED_CHUNKS)
      ) {
        // mysql2 queues packets it already parsed and stops reading the socket: flat memory.
        stream.paused = true;
        stream.conn.raw.pause();
      }
      if (stream.rows.length >= stream.chunkSize || stream.bytes >= stream.maxBytes) {
        this.#wake(stream);
      }
    });
    command.on("error", (error: unknown) => this.#fail(stream, toToolError(error)));
    command.on("end", () => {
      if (stream.connDone || stream.failure) return;
      stream.ended = true;
      // The result is complete and the connection idle: give it back now, keep the rows.
      this.#giveBack(stream, "release");
      this.#wake(stream);
    });
  }

  async #take(stream: Stream, started: number): Promise<StreamChunk> {
    clearTimeout(stream.idleTimer);
    stream.idleTimer = undefined;
    let stall: ReturnType<typeof setTimeout> | undefined;
    for (;;) {
      if (
        stream.failure || stream.ended || stream.rows.length >= stream.chunkSize ||
        stream.bytes >= stream.maxBytes
      ) break;
      if (stream.paused) {
        // resume() replays queued packets synchronously: they may end, fail or refill the
        // buffer before it returns, so look again before waiting for an event.
        this.#resume(stream);
        continue;
      }
      // A chunk that takes longer than the query timeout is a stuck statement: never hang.
      stall ??= setTimeout(
        () => this.#stalled(stream),
        this.server.queryTimeoutMs + STALL_GRACE_MS,
      );
      await new Promise<void>((resolve) => (stream.wake = resolve));
    }
    clearTimeout(stall);
    if (stream.failure) {
      const failure = stream.failure;
      this.#close(stream, "failed", false);
      throw failure;
    }
    // As many rows as fit in chunk_size and max_result_bytes; at least one.
    const limit = Math.min(stream.chunkSize, stream.rows.length);
    let size = 0;
    let chunkBytes = 0;
    while (size < limit && (size === 0 || chunkBytes + stream.sizes[size] <= stream.maxBytes)) {
      chunkBytes += stream.sizes[size++];
    }
    if (size === 1 && chunkBytes > stream.maxBytes) {
      const failure = new RowTooLargeError(chunkBytes, stream.maxBytes);
      this.#close(stream, "failed", true);
      throw failure;
    }
    let rows: unknown[][];
    if (size === stream.rows.length) {
      rows = stream.rows;
      stream.rows = [];
      stream.sizes = [];
    } else {
      rows = stream.rows.slice(0, size);
      stream.rows = stream.rows.slice(size);
      stream.sizes = stream.sizes.slice(size);
    }
    stream.bytes -= chunkBytes;
    stream.delivered += rows.length;
    const hasMore = !(stream.ended && stream.rows.length === 0);
    const chunk: StreamChunk = {
      columns: stream.columns ?? [],
      rows,
      row_count: rows.length,
      truncated: false,
      execution_time_ms: Math.round((performance.now() - started) * 100) / 100,
      stream_id: stream.id,
      has_more: hasMore,
      ...(stream.warnings.length ? { warnings: stream.warnings } : {}),
    };
    stream.warnings = [];
    if (!hasMore) {
      this.#close(stream, "finished", false);
      return chunk;
    }
    // Read ahead while the agent handles this chunk.
    if (stream.paused && stream.rows.length < stream.chunkSize && stream.bytes < stream.maxBytes) {
      this.#resume(stream);
    }
    stream.idleTimer = setTimeout(
      () => this.#close(stream, "expired after stream_idle_timeout", true),
      this.server.streamIdleTimeoutMs,
    );
    return chunk;
  }

  #stalled(stream: Stream) {
    if (stream.failure || stream.ended || stream.connDone) return;
    this.gate.killStatement(stream.datasource, stream.conn);
    this.#fail(
      stream,
      new ToolError(
        "QUERY_TIMEOUT",
        `No rows arrived for the next chunk within query_timeout (${this.server.queryTimeoutMs} ms): the statement was stopped`,
      ),
    );
  }

  #resume(stream: Stream) {
    stream.paused = false;
    if (!stream.connDone) stream.conn.raw.resume();
  }

  #wake(stream: Stream) {
    const wake = stream.wake;
    stream.wake = undefined;
    wake?.();
  }

  #fail(stream: Stream, error: ToolError) {
    if (stream.failure || stream.ended || stream.connDone) return;
    stream.failure = error;
    // The connection is dead or mid-result: free it now, whether or not anyone is waiting.
    this.#giveBack(stream, "discard", "stream failed");
    this.#wake(stream);
  }

  /** Hands the connection back exactly once. */
  #giveBack(stream: Stream, how: "release" | "discard", why = "") {
    if (stream.connDone) return;
    stream.connDone = true;
    stream.unsubscribe();
    if (how === "release") stream.conn.release();
    else stream.conn.discard(why);
  }

  #close(stream: Stream, why: string, interrupted: boolean) {
    if (!this.#streams.delete(stream.id)) return;
    this.#unreserve(stream.pool);
    clearTimeout(stream.idleTimer);
    stream.stopGuard();
    this.#closed.set(stream.id, why);
    if (this.#closed.size > REMEMBERED_CLOSED) {
      this.#closed.delete(this.#closed.keys().next().value!);
    }
    if (!stream.connDone) {
      if (interrupted) {
        // Mid-result the connection cannot be reused: stop the statement and close it.
        this.gate.killStatement(stream.datasource, stream.conn);
        this.#giveBack(stream, "discard", why);
      } else {
        this.#giveBack(stream, "release");
      }
    }
    stream.rows = [];
    stream.sizes = [];
    stream.bytes = 0;
    if (interrupted && !stream.failure) {
      stream.failure = new ToolError("STREAM_CANCELLED", `The stream was ${why}`);
      this.#wake(stream);
    }
    this.log.debug("stream closed", { stream_id: stream.id, why, rows: stream.delivered });
  }

  #missing(id: string): ToolError {
    const why = this.#closed.get(id);
    if (why === undefined || why === "finished" || why === "failed") {
      const detail = why ? `: it ${why} and was closed` : "";
      return new ToolError(
        "STREAM_NOT_FOUND",
        `No open stream with id "${String(id).slice(0, 64)}"${detail}`,
      );
    }
    return new ToolError("STREAM_CANCELLED", `Stream ${id} is closed: it was ${why}`);
  }
}

/** The pool's reason for a dead connection is short and credential-free; keep it. */
function lostConnection(error: Error): ToolError {
  return new ToolError(
    "CONNECTION_FAILED",
    `The stream ended early: its database connection was lost (${
      sanitizeText(String(error?.message ?? "unknown reason")).slice(0, 200)
    })`,
  );
}
