import type { Connection as RawConnection } from "mysql2";
import { connect, type OpenedConnection, sessionInitSql } from "./connect.ts";
import type { SessionOps } from "./session_ops.ts";
import type { ConnectionTarget, ServerFlavor, Transport } from "./types.ts";

const READ_ONLY_SQL = "SET SESSION TRANSACTION READ ONLY";
const READ_WRITE_SQL = "SET SESSION TRANSACTION READ WRITE";

/** SessionOps over one mysql2 connection opened by connect(). */
export class MySqlSession implements SessionOps {
  readonly raw: RawConnection;
  readonly threadId: number;
  readonly flavor: ServerFlavor;
  readonly serverVersion: string;
  readonly transport: Transport;
  readonly authPlugin: string;

  constructor(opened: OpenedConnection) {
    this.raw = opened.raw;
    this.threadId = opened.threadId;
    this.flavor = opened.flavor;
    this.serverVersion = opened.serverVersion;
    this.transport = opened.transport;
    this.authPlugin = opened.authPlugin;
  }

  ping(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.raw.ping((error: unknown) => error ? reject(error) : resolve());
    });
  }

  reset(): Promise<void> {
    // COM_RESET_CONNECTION drops user variables, temporary tables, GET_LOCK locks,
    // open transactions and session settings; then our defaults go back on.
    return new Promise((resolve, reject) => {
      this.raw.reset((error: unknown) => {
        if (error) return reject(error);
        this.raw.query(sessionInitSql(this.flavor), (initError: unknown) => {
          if (initError) reject(initError);
          else resolve();
        });
      });
    });
  }

  setReadOnly(readOnly: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.raw.query(readOnly ? READ_ONLY_SQL : READ_WRITE_SQL, (error: unknown) => {
        if (error) reject(error);
        else resolve();
      });
    });
  }

  destroy(graceful: boolean): void {
    try {
      if (graceful) {
        this.raw.end(); // COM_QUIT, so the server frees the thread at once
        this.raw.destroy();
      } else {
        // Not raw.destroy(): that marks the close as intended and a pending query would never
        // hear of it. Destroying the socket makes mysql2 fail pending commands with an error.
        socketOf(this.raw).destroy();
      }
    } catch { /* already closed */ }
  }

  onGone(callback: (error?: unknown) => void): void {
    this.raw.on("error", callback);
    this.raw.on("end", callback);
    // A reset socket can kill the connection without either event reaching us.
    socketOf(this.raw).on("close", callback);
  }
}

/** The default Connector: connect() with our driver settings, wrapped as SessionOps. */
export async function openMySqlSession(
  target: ConnectionTarget,
  signal?: AbortSignal,
): Promise<SessionOps> {
  return new MySqlSession(await connect(target, signal));
}

interface Socket {
  on(event: string, listener: () => void): void;
  destroy(): void;
}

/** The net.Socket under a mysql2 connection (public at runtime, untyped). */
function socketOf(raw: RawConnection): Socket {
  return (raw as unknown as { stream: Socket }).stream;
}
