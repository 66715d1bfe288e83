import type { ServerConfig } from "../config/config.ts";
import { toToolError } from "../errors/sanitize.ts";
import { ToolError } from "../errors/tool_error.ts";
import { type ColumnInfo, columnInfo, type DriverField } from "../gate/column_types.ts";
import { encodeRow } from "../gate/encode_row.ts";
import type { GateRequest, QueryResult, SqlGate } from "../gate/sql_gate.ts";
import type { Logger } from "../log/logger.ts";
import type { PooledConnection } from "../pool/types.ts";

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
  readonly rows: unknown[][];
  columns: ColumnInfo[] | undefined;
  ended: boolean;
  failure: ToolError | undefined;
  paused: boolean;
  delivered: number;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Wakes a `next()` waiting for rows, the end or a failure. */
  wake: (() => void) | undefined;
  stopGuard: () => void;
  unsubscribe: () => void;
  warnings: string[];
}

/** How many recently closed stream ids are remembered, to answer STREAM_CANCELLED. */
const REMEMBERED_CLOSED = 1000;

/**
 * Open result streams: each holds one pooled connection running its query
 * with driver-level streaming. Reading pauses the socket when a small
 * buffer is full, so memory stays flat whatever the row count.
 */
export class StreamRegistry {
  readonly #streams = new Map<string, Stream>();
  readonly #closed = new Map<string, string>();

  constructor(
    private readonly gate: SqlGate,
    private readonly server: ServerConfig,
    private readonly log: Logger,
    private readonly maxConnectionsOf: (datasource: string) => number,
  ) {}

  get size(): number {
    return this.#streams.size;
  }

  /** Open streams on one pool (datasource, database). */
  openCount(datasource: string, database: string): number {
    const pool = `${datasource}/${database}`;
    let n = 0;
    for (const stream of this.#streams.values()) if (stream.pool === pool) n++;
    return n;
  }

  /** Starts a streamed read and returns its first chunk. */
  async open(req: GateRequest): Promise<StreamChunk> {
    const admitted = await this.gate.admit(req, "stream");
    if (this.#streams.size >= this.server.maxConcurrentStreams) {
      throw new ToolError(
        "POOL_EXHAUSTED",
        `Too many open streams (max_concurrent_streams is ${this.server.maxConcurrentStreams}): finish or cancel one with mysql_stream_cancel`,
      );
    }
    // Streams hold their connection for long: keep one per pool for ordinary queries.
    const limit = this.maxConnectionsOf(req.datasource) - 1;
    if (this.openCount(req.datasource, req.database) >= limit) {
      throw new ToolError(
        "POOL_EXHAUSTED",
        `Too many open streams on "${req.datasource}/${req.database}": at most ${
          Math.max(limit, 0)
        } (max_connections - 1, so ordinary queries always get a connection)`,
      );
    }
    const conn = await this.gate.connectionFor(req, true);
    const id = crypto.randomUUID();
    const guard = this.gate.guard(req, conn);
    const stream: Stream = {
      id,
      datasource: req.datasource,
      pool: `${req.datasource}/${req.database}`,
      conn,
      chunkSize: this.server.streamChunkSize,
      rows: [],
      columns: undefined,
      ended: false,
      failure: undefined,
      paused: false,
      delivered: 0,
      idleTimer: undefined,
      wake: undefined,
      stopGuard: () => guard.stop(),
      unsubscribe: () => {},
      warnings: admitted.warnings,
    };
    this.#streams.set(id, stream);
    stream.unsubscribe = conn.onDeath((error) => {
      this.#fail(stream, toToolError(error));
    });
    this.#start(stream, this.gate.statementText(conn, admitted, 0), req.params);
    // The first chunk must arrive within the query timeout; after that, idle expiry rules.
    const first = await this.#take(stream).catch((error) => {
      throw guard.reason() === "timeout"
        ? new ToolError(
          "QUERY_TIMEOUT",
          `The statement produced no result within query_timeout (${this.server.queryTimeoutMs} ms) and was stopped`,
        )
        : error;
    });
    guard.stop();
    return first;
  }

  /** The next chunk of an open stream. */
  next(id: string): Promise<StreamChunk> {
    const stream = this.#streams.get(id);
    if (!stream) throw this.#missing(id);
    return this.#take(stream);
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

  #start(stream: Stream, sql: string, params: readonly unknown[] | undefined) {
    const query = { sql, rowsAsArray: true };
    // deno-lint-ignore no-explicit-any
    const raw = stream.conn.raw as any;
    const command = params && params.length > 0 ? raw.execute(query, params) : raw.query(query);
    const highWater = stream.chunkSize * 2;
    command.on("fields", (fields: DriverField[]) => {
      if (fields) stream.columns = fields.map(columnInfo);
    });
    command.on("result", (row: unknown) => {
      if (!this.#streams.has(stream.id)) return;
      if (!Array.isArray(row)) return;
      stream.rows.push(encodeRow(row));
      if (!stream.paused && stream.rows.length >= highWater) {
        stream.paused = true;
        stream.conn.raw.pause();
      }
      if (stream.rows.length >= stream.chunkSize) this.#wake(stream);
    });
    command.on("error", (error: unknown) => this.#fail(stream, toToolError(error)));
    command.on("end", () => {
      stream.ended = true;
      this.#wake(stream);
    });
  }

  async #take(stream: Stream): Promise<StreamChunk> {
    clearTimeout(stream.idleTimer);
    const started = performance.now();
    while (
      !stream.failure && !stream.ended && stream.rows.length < stream.chunkSize
    ) {
      if (stream.paused) {
        stream.paused = false;
        stream.conn.raw.resume();
      }
      await new Promise<void>((resolve) => (stream.wake = resolve));
    }
    if (stream.failure) {
      const failure = stream.failure;
      this.#close(stream, "failed", false);
      throw failure;
    }
    const rows = stream.rows.splice(0, stream.chunkSize);
    stream.delivered += rows.length;
    if (stream.paused && stream.rows.length < stream.chunkSize) {
      stream.paused = false;
      stream.conn.raw.resume();
    }
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
    if (hasMore) {
      stream.idleTimer = setTimeout(
        () => this.#close(stream, "expired after stream_idle_timeout", true),
        this.server.streamIdleTimeoutMs,
      );
    } else {
      this.#close(stream, "finished", false);
    }
    return chunk;
  }

  #wake(stream: Stream) {
    const wake = stream.wake;
    stream.wake = undefined;
    wake?.();
  }

  #fail(stream: Stream, error: ToolError) {
    if (stream.failure || stream.ended || !this.#streams.has(stream.id)) return;
    stream.failure = error;
    if (stream.wake) {
      this.#wake(stream);
      return;
    }
    // Nobody is waiting: report it on the next call, but free the dead connection now.
    stream.unsubscribe();
    stream.conn.discard("stream failed");
  }

  #close(stream: Stream, why: string, interrupted: boolean) {
    if (!this.#streams.delete(stream.id)) return;
    clearTimeout(stream.idleTimer);
    stream.stopGuard();
    stream.unsubscribe();
    this.#closed.set(stream.id, why);
    if (this.#closed.size > REMEMBERED_CLOSED) {
      this.#closed.delete(this.#closed.keys().next().value!);
    }
    if (interrupted) {
      stream.failure = new ToolError("STREAM_CANCELLED", `The stream was ${why}`);
      this.#wake(stream);
      // Mid-result the connection cannot be reused: stop the statement and close it.
      this.gate.killStatement(stream.datasource, stream.conn);
      stream.conn.discard(why);
    } else if (stream.failure) {
      stream.conn.discard(why);
    } else {
      stream.conn.release();
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
