import type { Connection as RawConnection } from "mysql2";
import type { DriverField } from "./column_types.ts";
import { ToolError } from "../errors/tool_error.ts";
import { encodeRow } from "./encode_row.ts";
import { rowBytes } from "./row_bytes.ts";
import { TUNNEL_LOST } from "../tunnel/ssh_failures.ts";

/** The OK packet of a statement that returns no rows. */
export interface ResultHeader {
  affectedRows?: number;
  insertId?: number | string;
  warningStatus?: number;
}

/**
 * Where a running statement's result goes: a buffer (`collectRows`) or a stream read in
 * chunks (`ResultStream`). `fields` and `row` return false to stop listening; after `end`,
 * `fail` or a false, the sink hears nothing more.
 */
export interface RowSink {
  fields(fields: DriverField[]): boolean | void;
  /** One JSON-safe row (encoded once, here) and its rowBytes(). */
  row(row: unknown[], bytes: number): boolean | void;
  header(header: ResultHeader): void;
  end(): void;
  /** The statement's error, or a ConnectionLostError when the connection died under it. */
  fail(error: unknown): void;
}

export interface RunOptions {
  sql: string;
  params?: readonly unknown[];
  /**
   * Subscribes to the connection's death. mysql2 reports a lost connection (server
   * gone, KILL) on the connection only: without this the statement would wait forever.
   */
  onDeath?: (callback: (error: Error) => void) => () => void;
}

/** A single row over max_result_bytes: there is no useful part of it to return. */
export class RowTooLargeError extends ToolError {
  constructor(rowBytes: number, maxBytes: number) {
    super(
      "QUERY_EXECUTION_ERROR",
      `A single row is about ${rowBytes} bytes, over max_result_bytes (${maxBytes}): ` +
        `select fewer or shorter columns (e.g. LEFT(col, n) or LENGTH(col))`,
      { row_bytes: rowBytes, max_result_bytes: maxBytes },
    );
  }
}

/** The connection died under a running statement. */
export class ConnectionLostError extends Error {
  constructor(override readonly cause: Error) {
    // A tunnelled connection names the hop that failed (src/tunnel/ssh_tunnel.ts).
    super(
      (cause as { code?: unknown } | undefined)?.code === TUNNEL_LOST
        ? "The SSH tunnel to the bastion was lost during the statement"
        : "The connection to the database was lost during the statement",
    );
    this.name = "ConnectionLostError";
  }
}

/**
 * The one statement runner: runs one statement on a raw mysql2 connection and hands
 * its result to `sink` as it arrives, each row encoded once. Prepared (binary
 * protocol) when params are given, plain text otherwise.
 */
export function runStatement(raw: RawConnection, options: RunOptions, sink: RowSink): void {
  let done = false;
  const query = { sql: options.sql, rowsAsArray: true };
  // deno-lint-ignore no-explicit-any
  const command: any = options.params && options.params.length > 0
    ? (raw as any).execute(query, options.params)
    : raw.query(query);
  const unsubscribe = options.onDeath?.((error) => {
    if (!stop()) sink.fail(new ConnectionLostError(error));
  });
  /** Detaches the sink; true when it already was. */
  const stop = () => {
    if (done) return true;
    done = true;
    unsubscribe?.();
    return false;
  };
  command.on("fields", (fields: DriverField[]) => {
    if (!done && fields && sink.fields(fields) === false) stop();
  });
  command.on("result", (row: unknown) => {
    if (done) return;
    if (!Array.isArray(row)) return sink.header(row as ResultHeader);
    const encoded = encodeRow(row);
    if (sink.row(encoded, rowBytes(encoded)) === false) stop();
  });
  command.on("error", (error: unknown) => {
    if (!stop()) sink.fail(error);
  });
  command.on("end", () => {
    if (!stop()) sink.end();
  });
}

export interface StatementOutcome {
  fields: DriverField[];
  rows: unknown[][];
  /** More rows existed than `maxRows` (or `maxBytes`); the rest were never held in memory. */
  truncated: boolean;
  /** What cut the result when truncated. */
  cutBy?: "rows" | "bytes";
  /** Serialised size of the rows kept, as rowBytes() counts it. */
  bytes: number;
  affectedRows?: number;
  insertId?: number | string;
  warningCount?: number;
  /** The connection is in an unknown state (stopped mid-result) and must not be reused. */
  poisoned: boolean;
}

export interface CollectOptions extends RunOptions {
  /** Stop reading after this many rows (one more is read to know there were more). */
  maxRows: number;
  /** Stop reading before the kept rows would exceed this many bytes; unbounded when absent. */
  maxBytes?: number;
}

/**
 * Runs one statement into an array, cutting a result over `maxRows` or `maxBytes`
 * without holding the rest in memory.
 */
export function collectRows(
  raw: RawConnection,
  options: CollectOptions,
): Promise<StatementOutcome> {
  return new Promise((resolve, reject) => {
    const outcome: StatementOutcome = {
      fields: [],
      rows: [],
      truncated: false,
      bytes: 0,
      poisoned: false,
    };
    const maxBytes = options.maxBytes ?? Infinity;
    runStatement(raw, options, {
      fields: (fields) => void (outcome.fields = fields),
      header: (header) => {
        outcome.affectedRows = header.affectedRows;
        outcome.insertId = header.insertId;
        outcome.warningCount = header.warningStatus;
      },
      row: (row, size) => {
        if (outcome.rows.length < options.maxRows) {
          if (outcome.bytes + size <= maxBytes) {
            outcome.bytes += size;
            outcome.rows.push(row);
            return true;
          }
          // Not even one row fits: refuse rather than answer with nothing.
          if (outcome.rows.length === 0) {
            reject(new RowTooLargeError(size, maxBytes));
            return false;
          }
          outcome.cutBy = "bytes";
        } else outcome.cutBy = "rows";
        // One row past the cap: stop reading. The connection is mid-result, so it is
        // closed (which also stops the statement on the server) instead of reused.
        outcome.truncated = outcome.poisoned = true;
        resolve(outcome);
        return false;
      },
      end: () => resolve(outcome),
      fail: reject,
    });
  });
}
