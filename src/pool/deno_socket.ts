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

export interface DenoSocketOptions {
  /**
   * Stop reading once the server's first packet (its greeting) is in, until startTls():
   * Deno.startTls takes over a TCP connection only while no read is pending on it.
   */
  holdAfterGreeting?: boolean;
}

/** Where a DenoSocket connects: a TCP host and port, or a unix socket's path. */
export type SocketAddress =
  | { readonly transport?: "tcp"; readonly hostname: string; readonly port: number }
  | { readonly transport: "unix"; readonly path: string };

/**
 * The small part of net.Socket that mysql2 uses, on Deno's own TCP (or unix
 * socket) connection. Deno's Node-compat `net` costs tens of microseconds of
 * CPU per write and read; this goes straight to Deno.connect. startTls() moves
 * a TCP connection to TLS inside the MySQL handshake (after SSLRequest).
 */
export class DenoSocket extends EventEmitter {
  destroyed = false;
  /**
   * True once the bytes travel over TLS (Node's TLSSocket has the same flag): then, as over a
   * unix socket, the auth plugins may send the password as is (see _auth_plugins.ts).
   */
  encrypted = false;
  #conn: Deno.TcpConn | Deno.UnixConn | Deno.TlsConn | undefined;
  #pending: Uint8Array[] = [];
  #writing = false;
  #flushed: (() => void)[] = [];
  #paused = false;
  #resumed: (() => void) | undefined;
  /** The greeting's bytes so far; undefined once it is complete. */
  #greeting: Uint8Array | undefined = new Uint8Array(0);
  /** Resolves when the read loop has stopped after the greeting; releasing it reads on. */
  #holding: PromiseWithResolvers<() => void> | undefined;
  /** Called with the server's first packet (its greeting) before the driver sees it. */
  onGreeting: ((packet: Uint8Array) => void) | undefined;

  constructor(address: SocketAddress, options: DenoSocketOptions = {}) {
    super();
    if (options.holdAfterGreeting) this.#holding = Promise.withResolvers();
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
        void this.#readLoop();
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

  /**
   * Moves the connection to TLS once what was written (the SSLRequest) is sent;
   * resolves when the TLS handshake is done (certificates checked), rejects with
   * its error. Only while holding after the greeting.
   */
  async startTls(options: Deno.StartTlsOptions): Promise<void> {
    if (!this.#holding) throw new Error("startTls() needs a socket held after the greeting");
    const readOn = await this.#holding.promise;
    this.#holding = undefined;
    await this.#drained();
    const conn = this.#conn;
    if (this.destroyed || !conn) throw new Error("socket is closed");
    const tls = await Deno.startTls(conn as Deno.TcpConn, options);
    this.#conn = tls;
    if (this.destroyed) {
      tls.close();
      throw new Error("socket is closed");
    }
    await tls.handshake();
    this.encrypted = true;
    readOn();
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
      for (const done of this.#flushed.splice(0)) done();
    }
  }

  /** Resolves once every write so far is on the wire. */
  #drained(): Promise<void> {
    if (!this.#writing && this.#pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#flushed.push(resolve));
  }

  async #readLoop() {
    const buffer = new Uint8Array(READ_SIZE);
    try {
      for (;;) {
        if (this.#paused) await new Promise<void>((resolve) => (this.#resumed = resolve));
        if (this.destroyed) return;
        const n = await this.#conn!.read(buffer);
        if (n === null) break;
        // mysql2's packet parser keeps references to chunks: hand it a copy.
        const chunk = Buffer.from(buffer.subarray(0, n));
        const greeted = this.#greeting !== undefined && this.#takeGreeting(chunk);
        this.emit("data", chunk);
        const holding = this.#holding;
        if (greeted && holding) await new Promise<void>((readOn) => holding.resolve(readOn));
      }
      if (!this.destroyed) {
        this.emit("end");
        this.destroy();
      }
    } catch (error) {
      // MariaDB and MySQL close TLS sessions without close_notify: that is an end, not a failure.
      if (error instanceof Deno.errors.UnexpectedEof && !this.destroyed) {
        this.emit("end");
        this.destroy();
      } else if (!this.destroyed) this.#fail(error);
    }
  }

  /** Collects the greeting (3 bytes of length, 1 of sequence, the payload); true once complete. */
  #takeGreeting(chunk: Uint8Array): boolean {
    const seen = new Uint8Array(this.#greeting!.length + chunk.length);
    seen.set(this.#greeting!);
    seen.set(chunk, this.#greeting!.length);
    const size = seen.length >= 4 ? 4 + (seen[0] | (seen[1] << 8) | (seen[2] << 16)) : Infinity;
    if (seen.length < size) {
      this.#greeting = seen;
      return false;
    }
    this.#greeting = undefined;
    this.onGreeting?.(seen.subarray(0, size));
    return true;
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
