/**
 * A TCP proxy of the tests' own, on 127.0.0.1 only, between the server under
 * test and MariaDB. Its mode says what the network does:
 * - `forward`: bytes pass both ways;
 * - `black-hole`: every connection, old and new, goes silent (bytes are read and dropped);
 * - `reset`: every open connection is cut and new ones are closed at once;
 * - `trickle`: bytes from the database arrive a few at a time, slower than any useful read;
 * - `half-open`: the connections open now go silent for good, new ones work.
 */

export type ProxyMode = "forward" | "black-hole" | "reset" | "trickle" | "half-open";

interface Pair {
  client: Deno.TcpConn;
  server: Deno.TcpConn;
  /** Silenced by `half-open`: stays silent whatever the mode becomes. */
  silent: boolean;
  closed: boolean;
}

export class FaultProxy {
  readonly port: number;
  #mode: ProxyMode = "forward";
  readonly #listener: Deno.TcpListener;
  readonly #pairs = new Set<Pair>();
  #closed = false;

  constructor(private readonly target: { host: string; port: number }) {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    void this.#accept();
  }

  get mode(): ProxyMode {
    return this.#mode;
  }

  /** Connections currently open through the proxy. */
  get connections(): number {
    return this.#pairs.size;
  }

  set(mode: ProxyMode): void {
    this.#mode = mode;
    if (mode === "half-open") {
      for (const pair of this.#pairs) pair.silent = true;
    }
    if (mode === "reset") {
      for (const pair of this.#pairs) this.#cut(pair);
    }
  }

  close(): void {
    this.#closed = true;
    try {
      this.#listener.close();
    } catch { /* already closed */ }
    for (const pair of this.#pairs) this.#cut(pair);
  }

  async #accept() {
    for (;;) {
      let client: Deno.TcpConn;
      try {
        client = await this.#listener.accept();
      } catch {
        return; // listener closed
      }
      if (this.#closed || this.#mode === "reset") {
        client.close();
        continue;
      }
      void this.#connect(client);
    }
  }

  async #connect(client: Deno.TcpConn) {
    let server: Deno.TcpConn;
    try {
      server = await Deno.connect({ hostname: this.target.host, port: this.target.port });
    } catch {
      client.close();
      return;
    }
    const pair: Pair = { client, server, silent: false, closed: false };
    this.#pairs.add(pair);
    void this.#pump(pair, client, server, false);
    void this.#pump(pair, server, client, true);
  }

  async #pump(pair: Pair, from: Deno.TcpConn, to: Deno.TcpConn, fromServer: boolean) {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await from.read(buffer);
        if (n === null) break;
        const mode = this.#mode;
        if (pair.silent || mode === "black-hole") continue; // read and dropped
        let bytes = buffer.subarray(0, n);
        if (mode === "trickle" && fromServer) {
          // 8 bytes every 50 ms: a connection that is alive but useless.
          while (bytes.length > 0 && this.#mode === "trickle" && !pair.closed) {
            await to.write(bytes.subarray(0, 8));
            bytes = bytes.subarray(8);
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          if (pair.silent || this.#mode === "black-hole") continue;
        }
        for (let offset = 0; offset < bytes.length;) {
          offset += await to.write(bytes.subarray(offset));
        }
      }
    } catch { /* either side gone */ }
    this.#cut(pair);
  }

  #cut(pair: Pair) {
    if (pair.closed) return;
    pair.closed = true;
    this.#pairs.delete(pair);
    for (const conn of [pair.client, pair.server]) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  }
}
