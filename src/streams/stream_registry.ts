import type { ServerConfig } from "../config/config.ts";
import { ToolError } from "../errors/tool_error.ts";
import type { GateRequest, SqlGate } from "../gate/sql_gate.ts";
import type { Logger } from "../log/logger.ts";
import type { ResultStream, StreamChunk } from "../gate/result_stream.ts";

export type { StreamChunk } from "../gate/result_stream.ts";

interface Entry {
  readonly stream: ResultStream;
  /** The id of the caller that opened it: nobody else may read or cancel it. */
  readonly owner: string;
  readonly pool: string;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Reads in flight; the idle timer runs only when there are none. */
  reading: number;
}

/** How many recently closed stream ids are remembered, to answer STREAM_CANCELLED. */
const REMEMBERED_CLOSED = 1000;

/**
 * Open result streams by id: the quotas on how many may be open, idle expiry,
 * and recently closed ids. The gate opens and runs each stream.
 */
export class StreamRegistry {
  readonly #streams = new Map<string, Entry>();
  /** Why each recently closed stream closed, and whose it was. */
  readonly #closed = new Map<string, { why: string; owner: string | undefined }>();
  /** Streams per pool ("datasource/database"), counting ones still opening. */
  readonly #perPool = new Map<string, number>();
  #total = 0;

  constructor(
    private readonly gate: SqlGate,
    private readonly server: ServerConfig,
    private readonly log: Logger,
    private readonly maxConnectionsOf: (datasource: string) => number,
  ) {}

  /** Open streams (including ones still opening). */
  get size(): number {
    return this.#total;
  }

  /** Open streams on one pool (datasource, database), including ones still opening. */
  openCount(datasource: string, database: string): number {
    return this.#perPool.get(`${datasource}/${database}`) ?? 0;
  }

  /** Starts a streamed read for the caller `owner` and returns its first chunk. */
  async open(req: GateRequest, owner: string): Promise<StreamChunk> {
    const id = crypto.randomUUID();
    const pool = `${req.datasource}/${req.database}`;
    let reserved = false;
    const stream = await this.gate.stream(req, {
      id,
      // Checked and counted in one synchronous step, so concurrent opens cannot overshoot.
      reserve: () => {
        this.#reserve(req.datasource, pool);
        reserved = true;
      },
      missing: () => this.#missing(id, owner),
      onClose: (why, delivered) => this.#onClose(id, pool, why, delivered),
    }).catch((error) => {
      if (reserved) this.#unreserve(pool);
      throw error;
    });
    const entry: Entry = { stream, owner, pool, idleTimer: undefined, reading: 1 };
    this.#streams.set(id, entry);
    return this.#read(entry, stream.first());
  }

  /** The next chunk of an open stream that `owner` opened. */
  next(id: string, owner: string): Promise<StreamChunk> {
    const entry = this.#owned(id, owner);
    if (!entry) return Promise.reject(this.#missing(id, owner));
    clearTimeout(entry.idleTimer);
    entry.reading++;
    return this.#read(entry, entry.stream.next());
  }

  /** Stops the query on the server and frees the stream's connection; `owner` opened it. */
  cancel(id: string, owner: string): { cancelled: true } {
    const entry = this.#owned(id, owner);
    if (!entry) throw this.#missing(id, owner);
    entry.stream.close("cancelled by the client");
    return { cancelled: true };
  }

  /**
   * The open stream `id` if `owner` opened it. Another caller's stream is answered as if it
   * did not exist, so one client cannot even learn which ids another holds.
   */
  #owned(id: string, owner: string): Entry | undefined {
    const entry = this.#streams.get(id);
    return entry?.owner === owner ? entry : undefined;
  }

  /** Cancels every open stream (shutdown). */
  closeAll(): void {
    for (const entry of [...this.#streams.values()]) entry.stream.close("server shutting down");
  }

  /** Waits for a read, then arms idle expiry while the stream stays open and unread. */
  async #read(entry: Entry, chunk: Promise<StreamChunk>): Promise<StreamChunk> {
    try {
      return await chunk;
    } finally {
      if (--entry.reading === 0 && this.#streams.get(entry.stream.id) === entry) {
        clearTimeout(entry.idleTimer);
        entry.idleTimer = setTimeout(
          () => entry.stream.close("expired after stream_idle_timeout"),
          this.server.streamIdleTimeoutMs,
        );
      }
    }
  }

  #onClose(id: string, pool: string, why: string, delivered: number) {
    const entry = this.#streams.get(id);
    if (entry) {
      clearTimeout(entry.idleTimer);
      this.#streams.delete(id);
    }
    this.#unreserve(pool);
    this.#closed.set(id, { why, owner: entry?.owner });
    if (this.#closed.size > REMEMBERED_CLOSED) {
      this.#closed.delete(this.#closed.keys().next().value!);
    }
    this.log.debug("stream closed", { stream_id: id, why, rows: delivered });
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

  #missing(id: string, owner: string): ToolError {
    const closed = this.#closed.get(id);
    const why = closed?.owner === owner ? closed.why : undefined;
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
