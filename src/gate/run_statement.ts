import type { Connection as RawConnection } from "mysql2";
import type { DriverField } from "./column_types.ts";
import { ToolError } from "../errors/tool_error.ts";
import { encodeRow } from "./encode_row.ts";
import { rowBytes } from "./row_bytes.ts";

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

export interface RunOptions {
  sql: string;
  params?: readonly unknown[];
  /** Stop reading after this many rows (one more is read to know there were more). */
  maxRows: number;
  /** Stop reading before the kept rows would exceed this many bytes; unbounded when absent. */
  maxBytes?: number;
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
    super("The connection to the database was lost during the statement");
    this.name = "ConnectionLostError";
  }
}

/**
 * Runs one statement on a raw mysql2 connection, reading rows as they
 * arrive so a result over `maxRows` is cut without being held in memory.
 * Prepared (binary protocol) when params are given, plain text otherwise.
 */
export function runStatement(raw: RawConnection, options: RunOptions): Promise<StatementOutcome> {
  return new Promise((resolve, reject) => {
    const rows: unknown[][] = [];
    let fields: DriverField[] = [];
    let truncated = false;
    let cutBy: StatementOutcome["cutBy"];
    let bytes = 0;
    const maxBytes = options.maxBytes ?? Infinity;
    let settled = false;
    let header: { affectedRows?: number; insertId?: number | string; warningStatus?: number } = {};
    const query = { sql: options.sql, rowsAsArray: true };
    // deno-lint-ignore no-explicit-any
    const command: any = options.params && options.params.length > 0
      ? (raw as any).execute(query, options.params)
      : raw.query(query);
    const unsubscribe = options.onDeath?.((error) => {
      if (settled) return;
      settled = true;
      reject(new ConnectionLostError(error));
    });
    const finish = (poisoned: boolean) => {
      if (settled) return;
      settled = true;
      unsubscribe?.();
      resolve({
        fields,
        rows,
        truncated,
        ...(cutBy ? { cutBy } : {}),
        bytes,
        affectedRows: header.affectedRows,
        insertId: header.insertId,
        warningCount: header.warningStatus,
        poisoned,
      });
    };
    command.on("fields", (f: DriverField[]) => {
      if (f) fields = f;
    });
    command.on("result", (row: unknown) => {
      if (settled) return;
      if (!Array.isArray(row)) {
        header = row as typeof header;
        return;
      }
      if (rows.length < options.maxRows) {
        const encoded = encodeRow(row);
        const size = rowBytes(encoded);
        if (bytes + size <= maxBytes) {
          bytes += size;
          rows.push(encoded);
          return;
        }
        if (rows.length === 0) {
          // Not even one row fits: refuse rather than answer with nothing.
          settled = true;
          unsubscribe?.();
          reject(new RowTooLargeError(size, maxBytes));
          return;
        }
        cutBy = "bytes";
      } else cutBy = "rows";
      // One row past the cap: stop reading. The connection is mid-result, so it is
      // closed (which also stops the statement on the server) instead of reused.
      truncated = true;
      finish(true);
    });
    command.on("error", (error: unknown) => {
      if (settled) return;
      settled = true;
      unsubscribe?.();
      reject(error);
    });
    command.on("end", () => finish(false));
  });
}
