import { Buffer } from "node:buffer";
import { EventEmitter } from "node:events";

const READ_SIZE = 64 * 1024;

/** Node-style error codes for the socket errors mysql2 and our messages understand. */
function withCode(error: unknown): Error & { code?: string } {
  const e = (error instanceof Error ? error : new Error(String(error))) as Error & {
    code?: string;
  };
  if (e.code) return e;
  if (e instanceof Deno.errors.ConnectionRefused) e.code = "ECONNREFUSED";
  else if (e instanceof Deno.errors.ConnectionReset) e.code = "ECONNRESET";
  else if (e instanceof Deno.errors.ConnectionAborted) e.code = "ECONNABORTED";
  else if (e instanceof Deno.errors.TimedOut) e.code = "ETIMEDOUT";
  else if (e instanceof Deno.errors.BrokenPipe) e.code = "EPIPE";
  else if (e instanceof Deno.errors.NotConnected) e.code = "ENOTCONN";
  else if (e instanceof Deno.errors.AddrNotAvailable) e.code = "EADDRNOTAVAIL";
  else if (e.name === "NotFound" || /failed to lookup address/i.test(e.message)) {
    e.code = "ENOTFOUND";
  }
  return e;
}

/** Where a DenoSocket connects: a TCP host and port, or a unix socket's path. */
export type SocketAddress =
  | { readonly transport?: "tcp"; readonly hostname: string; readonly port: number }
  | { readonly transport: "unix"; readonly path: string };

/**
 * The small part of net.Socket that mysql2 uses, on Deno's own TCP (or unix
 * socket) connection. Deno's Node-compat `net` costs tens of microseconds of
 * CPU per write and read; this goes straight to Deno.connect.
 */
export class DenoSocket extends EventEmitter {
  destroyed = false;
  /**
   * True once the bytes travel over TLS (Node's TLSSocket has the same flag): then, as over a
   * unix socket, the auth plugins may send the password as is (see _auth_plugins.ts).
   */
  encrypted = false;
  #conn: Deno.TcpConn | Deno.UnixConn | undefined;
  #pending: Uint8Array[] = [];
  #writing = false;
  #paused = false;
  #resumed: (() => void) | undefined;

  constructor(address: SocketAddress) {
    super();
    const connecting: Promise<Deno.TcpConn | Deno.UnixConn> = address.transport === "unix"
      ? Deno.connect(address)
      : Deno.connect({ hostname: address.hostname, port: address.port });
    connecting.then(
      (conn) => {
        if (this.destroyed) {
          conn.close();
          return;
        }
        this.#conn = conn;
        if ("setNoDelay" in conn) {
          conn.setNoDelay(true);
          conn.setKeepAlive(true);
        }
        this.emit("connect");
        void this.#flush();
        void this.#readLoop(conn);
      },
      // A missing unix socket is not an unknown host: say so in Node's words.
      (error) =>
        this.#fail(
          address.transport === "unix" && error instanceof Deno.errors.NotFound
            ? Object.assign(error, { code: "ENOENT" })
            : error,
        ),
    );
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  write(chunk: Uint8Array, callback?: (error?: Error | null) => void): boolean {
    if (this.destroyed) {
      queueMicrotask(() => callback?.(new Error("socket is closed")));
      return false;
    }
    this.#pending.push(chunk);
    if (callback) this.#callbacks.push(callback);
    if (this.#conn && !this.#writing) void this.#flush();
    return true;
  }

  #callbacks: ((error?: Error | null) => void)[] = [];

  async #flush() {
    const conn = this.#conn;
    if (!conn || this.#writing) return;
    this.#writing = true;
    try {
      while (this.#pending.length > 0) {
        const chunks = this.#pending;
        const callbacks = this.#callbacks;
        this.#pending = [];
        this.#callbacks = [];
        const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        for (let offset = 0; offset < bytes.length;) {
          offset += await conn.write(bytes.subarray(offset));
        }
        for (const callback of callbacks) callback(null);
      }
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#writing = false;
    }
  }

  async #readLoop(conn: Deno.TcpConn | Deno.UnixConn) {
    const buffer = new Uint8Array(READ_SIZE);
    try {
      for (;;) {
        if (this.#paused) await new Promise<void>((resolve) => (this.#resumed = resolve));
        if (this.destroyed) return;
        const n = await conn.read(buffer);
        if (n === null) break;
        // mysql2's packet parser keeps references to chunks: hand it a copy.
        this.emit("data", Buffer.from(buffer.subarray(0, n)));
      }
      if (!this.destroyed) {
        this.emit("end");
        this.destroy();
      }
    } catch (error) {
      if (!this.destroyed) this.#fail(error);
    }
  }

  pause(): this {
    this.#paused = true;
    return this;
  }

  resume(): this {
    this.#paused = false;
    const resumed = this.#resumed;
    this.#resumed = undefined;
    resumed?.();
    return this;
  }

  end(): this {
    void this.#flush().finally(() => {
      // closeWrite() rejects once the connection is gone: nothing left to close then.
      Promise.resolve().then(() => this.#conn?.closeWrite()).catch(() => {});
    });
    return this;
  }

  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    try {
      this.#conn?.close();
    } catch { /* already closed */ }
    this.#resumed?.();
    queueMicrotask(() => this.emit("close", false));
    return this;
  }

  #fail(error: unknown) {
    if (this.destroyed) return;
    this.emit("error", withCode(error));
    this.destroy();
  }
}
