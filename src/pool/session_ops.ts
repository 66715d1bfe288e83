import type { ConnectionFacts, ConnectionTarget } from "./types.ts";

/**
 * All the pool asks of one open connection. Implemented over mysql2 in
 * mysql_session.ts; tests pass a fake, so the pool's bookkeeping runs in
 * microseconds without a server. Each round trip is a promise the pool puts
 * its own deadline on.
 */
export interface SessionOps extends ConnectionFacts {
  /** One round trip that proves the server still answers. */
  ping(): Promise<void>;
  /** Drops all session state (COM_RESET_CONNECTION) and puts our defaults back: safe sql_mode, READ ONLY. */
  reset(): Promise<void>;
  /** Puts the session in READ ONLY or READ WRITE transaction mode. */
  setReadOnly(readOnly: boolean): Promise<void>;
  /**
   * Closes the connection: gracefully (the server frees its thread at once) or
   * abruptly, which fails whatever command still waits on it.
   */
  destroy(graceful: boolean): void;
  /** Registers the callback for the connection dying by itself (error, end, socket closed). */
  onGone(callback: (error?: unknown) => void): void;
}

/**
 * Opens one session-initialised connection to `target`: the one seam where
 * TLS, unix sockets and SSH tunnels plug in. Rejects with CONNECTION_FAILED.
 */
export type Connector = (target: ConnectionTarget, signal?: AbortSignal) => Promise<SessionOps>;
