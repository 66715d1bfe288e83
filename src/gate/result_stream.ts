import { sanitizeText, toToolError } from "../errors/sanitize.ts";
import { ToolError } from "../errors/tool_error.ts";
import { type ColumnInfo, columnInfo, type DriverField } from "./column_types.ts";
import type { QueryResult } from "./results.ts";
import { ConnectionLostError, type RowSink, RowTooLargeError } from "./runner.ts";
import type { StatementGuard } from "./statement_control.ts";
import type { PooledConnection } from "../pool/types.ts";

/** One chunk of a streamed result: a query result plus where the stream stands. */
export interface StreamChunk extends QueryResult {
  stream_id: string;
  has_more: boolean;
}

/** Where a stream stands; the only lifecycle state it has. */
export enum StreamState {
  /** The statement runs and rows arrive into the buffer. */
  Reading = "reading",
  /** The buffer is full: the socket is paused until a chunk is taken. */
  Paused = "paused",
  /** The driver saw the end: the connection is back in the pool, buffered rows remain. */
  Complete = "complete",
  /** The statement failed: the connection was discarded; the next read reports the error. */
  Failed = "failed",
  /** Finished, failed and reported, cancelled or expired: nothing is held any more. */
  Closed = "closed",
}

/**
 * Bytes buffered ahead by all open streams together. Past `limit` a stream stops reading ahead
 * and reads only while its own caller waits for a chunk, so the sum stays near `limit` plus
 * one chunk per stream being read, however many streams are open.
 */
export class ReadAhead {
  used = 0;
  constructor(readonly limit: number) {}
  get full(): boolean {
    return this.used > this.limit;
  }
}

/** What the gate hands a stream: its connection, its checks and its hooks. */
export interface ResultStreamOptions {
  /** Shared by every stream of the server. */
  readonly readAhead: ReadAhead;
  readonly id: string;
  readonly conn: PooledConnection;
  readonly chunkSize: number;
  /** A chunk stops early at this many bytes (max_result_bytes of the source). */
  readonly maxBytes: number;
  readonly queryTimeoutMs: number;
  /** Bounds the first chunk: the statement's timeout and the call's cancellation. */
  readonly guard: StatementGuard;
  /** When the call that opened the stream started (performance.now()). */
  readonly started: number;
  readonly warnings: string[];
  /** Starts the statement with its result going to `sink` (the one runner). */
  readonly start: (sink: RowSink) => void;
  /** The gate's second layer: an error when the result's columns must be withheld. */
  readonly withheld: (fields: readonly DriverField[]) => ToolError | undefined;
  /** Rows the agent may see (SHOW VARIABLES is filtered to readable variables). */
  readonly keepRow: (row: unknown[]) => boolean;
  /** Stops the statement on the server (KILL QUERY). */
  readonly kill: () => void;
  /** The after-query hooks, run on every chunk. */
  readonly afterQuery: (chunk: StreamChunk) => Promise<StreamChunk>;
  /** Tells the onError hooks; resolves with the error to throw. */
  readonly reportError: (error: unknown) => Promise<ToolError>;
  /** The error for a read of this stream once it is closed. */
  readonly missing: () => ToolError;
  /** Called once, when the stream closes, with why. */
  readonly onClose: (why: string, delivered: number) => void;
}

/** Chunks buffered before the socket is paused: one being read, one ready. */
const BUFFERED_CHUNKS = 2;
/** Grace after query_timeout before a stream waiting for rows is stopped. */
const STALL_GRACE_MS = 1_000;

/**
 * One streamed result over one pooled connection with driver-level streaming.
 * Reading pauses the socket when a small buffer is full, so memory stays flat
 * whatever the row count.
 */
export class ResultStream {
  readonly id: string;
  #state = StreamState.Reading;
  #rows: unknown[][] = [];
  /** rowBytes() of each buffered row, and their sum. */
  #sizes: number[] = [];
  #bytes = 0;
  #columns: ColumnInfo[] | undefined;
  #failure: ToolError | undefined;
  #delivered = 0;
  #warnings: string[];
  /** Wakes a read waiting for rows, the end or a failure. */
  #waiter: (() => void) | undefined;
  /** A caller is waiting for this stream's next chunk: it reads even when read-ahead is full. */
  #taking = false;
  /** The last read; a new one waits for it, so two readers never share a wake-up. */
  #turn: Promise<unknown> = Promise.resolve();
  readonly #o: ResultStreamOptions;

  constructor(options: ResultStreamOptions) {
    this.#o = options;
    this.id = options.id;
    this.#warnings = options.warnings;
    options.conn.holdLong();
    options.start(this.#sink());
  }

  get state(): StreamState {
    return this.#state;
  }

  /** The first chunk, read under the guard (the statement's timeout and cancellation). */
  async first(): Promise<StreamChunk> {
    const { guard, started } = this.#o;
    try {
      // The same after-query hooks as mysql_query: a masked column stays masked when streamed.
      return await this.#o.afterQuery(await this.#take(started));
    } catch (error) {
      // Whatever failed, no stream is left behind holding a connection and buffered rows.
      this.close("failed");
      throw await this.#o.reportError(
        guard.reason() === "timeout"
          ? new ToolError(
            "QUERY_TIMEOUT",
            `The statement produced no result within query_timeout (${this.#o.queryTimeoutMs} ms) and was stopped`,
          )
          : error,
      );
    } finally {
      guard.stop();
    }
  }

  /** The next chunk; a second call while one waits queues behind it. */
  next(): Promise<StreamChunk> {
    const turn = this.#turn.then(async () => {
      if (this.#state === StreamState.Closed) throw this.#o.missing();
      try {
        return await this.#o.afterQuery(await this.#take(performance.now()));
      } catch (error) {
        throw await this.#o.reportError(error);
      }
    });
    this.#turn = turn.catch(() => {});
    return turn;
  }

  /**
   * Closes the stream once. Mid-result the connection cannot be reused: the statement
   * is stopped and the connection closed; a read waiting for rows gets STREAM_CANCELLED.
   */
  close(why: string): void {
    const state = this.#state;
    if (state === StreamState.Closed) return;
    this.#state = StreamState.Closed;
    this.#o.guard.stop();
    if (state === StreamState.Reading || state === StreamState.Paused) {
      this.#o.kill();
      this.#o.conn.discard(why);
    }
    this.#rows = [];
    this.#sizes = [];
    this.#o.readAhead.used -= this.#bytes;
    this.#bytes = 0;
    this.#failure ??= new ToolError("STREAM_CANCELLED", `The stream was ${why}`);
    this.#wake();
    this.#o.onClose(why, this.#delivered);
  }

  #sink(): RowSink {
    const o = this.#o;
    const highWater = o.chunkSize * BUFFERED_CHUNKS;
    return {
      fields: (fields) => {
        const withheld = o.withheld(fields);
        if (withheld !== undefined) return this.#fail(withheld);
        this.#columns = fields.map(columnInfo);
      },
      header: () => {},
      row: (row, size) => {
        if (!this.#running()) return false;
        if (!o.keepRow(row)) return;
        this.#rows.push(row);
        this.#sizes.push(size);
        this.#bytes += size;
        o.readAhead.used += size;
        if (
          this.#state === StreamState.Reading &&
          (this.#rows.length >= highWater || this.#bytes >= o.maxBytes * BUFFERED_CHUNKS ||
            (o.readAhead.full && (!this.#taking || this.#ready())))
        ) {
          // mysql2 queues packets it already parsed and stops reading the socket: flat memory.
          this.#state = StreamState.Paused;
          o.conn.raw.pause();
        }
        if (this.#rows.length >= o.chunkSize || this.#bytes >= o.maxBytes) this.#wake();
      },
      end: () => {
        if (!this.#running()) return;
        // The result is complete and the connection idle: give it back now, keep the rows.
        this.#state = StreamState.Complete;
        o.conn.release();
        this.#wake();
      },
      fail: (error) => {
        this.#fail(
          error instanceof ConnectionLostError
            ? lostConnection(error.cause)
            : error instanceof ToolError
            ? error
            : toToolError(error),
        );
      },
    };
  }

  /** The statement still holds the connection. */
  #running(): boolean {
    return this.#state === StreamState.Reading || this.#state === StreamState.Paused;
  }

  #fail(error: ToolError): false {
    if (!this.#running()) return false;
    this.#state = StreamState.Failed;
    this.#failure = error;
    // The connection is dead or mid-result: free it now, whether or not anyone is waiting.
    this.#o.conn.discard("stream failed");
    this.#wake();
    return false;
  }

  #ready(): boolean {
    return this.#rows.length >= this.#o.chunkSize || this.#bytes >= this.#o.maxBytes;
  }

  async #take(started: number): Promise<StreamChunk> {
    let stall: ReturnType<typeof setTimeout> | undefined;
    this.#taking = true;
    while (this.#running() && !this.#ready()) {
      if (this.#state === StreamState.Paused) {
        // resume() replays queued packets synchronously: they may end, fail or refill the
        // buffer before it returns, so look again before waiting for an event.
        this.#resume();
        continue;
      }
      // A chunk that takes longer than the query timeout is a stuck statement: never hang.
      stall ??= setTimeout(() => this.#stalled(), this.#o.queryTimeoutMs + STALL_GRACE_MS);
      await new Promise<void>((resolve) => (this.#waiter = resolve));
    }
    clearTimeout(stall);
    this.#taking = false;
    if (this.#state === StreamState.Failed || this.#state === StreamState.Closed) {
      const failure = this.#failure!;
      this.close("failed");
      throw failure;
    }
    return this.#chunk(started);
  }

  /** As many buffered rows as fit in chunk_size and max_result_bytes; at least one. */
  #chunk(started: number): StreamChunk {
    const { chunkSize, maxBytes } = this.#o;
    const limit = Math.min(chunkSize, this.#rows.length);
    let size = 0;
    let chunkBytes = 0;
    while (size < limit && (size === 0 || chunkBytes + this.#sizes[size] <= maxBytes)) {
      chunkBytes += this.#sizes[size++];
    }
    if (size === 1 && chunkBytes > maxBytes) {
      const failure = new RowTooLargeError(chunkBytes, maxBytes);
      this.#failure = failure;
      this.close("failed");
      throw failure;
    }
    let rows: unknown[][];
    if (size === this.#rows.length) {
      rows = this.#rows;
      this.#rows = [];
      this.#sizes = [];
    } else {
      rows = this.#rows.slice(0, size);
      this.#rows = this.#rows.slice(size);
      this.#sizes = this.#sizes.slice(size);
    }
    this.#bytes -= chunkBytes;
    this.#o.readAhead.used -= chunkBytes;
    this.#delivered += rows.length;
    const hasMore = !(this.#state === StreamState.Complete && this.#rows.length === 0);
    const chunk: StreamChunk = {
      columns: this.#columns ?? [],
      rows,
      row_count: rows.length,
      truncated: false,
      execution_time_ms: Math.round((performance.now() - started) * 100) / 100,
      stream_id: this.id,
      has_more: hasMore,
      ...(this.#warnings.length ? { warnings: this.#warnings } : {}),
    };
    this.#warnings = [];
    if (!hasMore) this.close("finished");
    // Read ahead while the agent handles this chunk, while all streams' read-ahead has room.
    else if (
      this.#state === StreamState.Paused && !this.#ready() && !this.#o.readAhead.full
    ) this.#resume();
    return chunk;
  }

  #stalled() {
    if (!this.#running()) return;
    this.#o.kill();
    this.#fail(
      new ToolError(
        "QUERY_TIMEOUT",
        `No rows arrived for the next chunk within query_timeout (${this.#o.queryTimeoutMs} ms): the statement was stopped`,
      ),
    );
  }

  #resume() {
    this.#state = StreamState.Reading;
    this.#o.conn.raw.resume();
  }

  #wake() {
    const wake = this.#waiter;
    this.#waiter = undefined;
    wake?.();
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
