import type { JSONRPCMessage, Transport } from "./sdk.ts";

const MAX_LINE_BYTES = 10 * 1024 * 1024;
const NEWLINE = new Uint8Array([10]);

/**
 * MCP over stdio with Deno's own streams. The SDK's StdioServerTransport
 * goes through Node-compat process streams and zod-parses every line
 * before the protocol layer parses it again; measured, that write path
 * alone was a fifth of the server's CPU under load. Here each line is
 * JSON-parsed once, and responses queued in the same tick leave in one
 * write.
 */
export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  readonly #input: { read(p: Uint8Array): Promise<number | null> };
  readonly #output: { write(p: Uint8Array): Promise<number> };
  readonly #encoder = new TextEncoder();
  #queue: string[] = [];
  #waiters: (() => void)[] = [];
  #writing = false;
  #closed = false;

  constructor(
    // Deno.stdin.read() directly: a ReadableStream's pull machinery cost ~5% of the
    // server's CPU under load for nothing we use.
    input: { read(p: Uint8Array): Promise<number | null> } = Deno.stdin,
    output: { write(p: Uint8Array): Promise<number> } = Deno.stdout,
  ) {
    this.#input = input;
    this.#output = output;
  }

  start(): Promise<void> {
    void this.#readLoop();
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("transport closed"));
    this.#queue.push(JSON.stringify(message));
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      if (!this.#writing) void this.#flush();
    });
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.onclose?.();
    }
    return Promise.resolve();
  }

  async #flush() {
    this.#writing = true;
    // Let responses finished in this tick join the same write.
    await Promise.resolve();
    try {
      while (this.#queue.length > 0) {
        const queue = this.#queue;
        const waiters = this.#waiters;
        this.#queue = [];
        this.#waiters = [];
        // One write for many small replies; a big one alone, without copying it into a joined
        // string first (a 16 MB result is a 33 MB line: each copy counts).
        const big = queue.length === 1 && queue[0].length > 1024 * 1024;
        if (big) {
          await this.#write(this.#encoder.encode(queue[0]));
          await this.#write(NEWLINE);
        } else {
          await this.#write(this.#encoder.encode(queue.join("\n") + "\n"));
        }
        for (const resolve of waiters) resolve();
      }
    } catch (error) {
      this.onerror?.(error as Error);
      await this.close();
    } finally {
      this.#writing = false;
    }
  }

  async #write(bytes: Uint8Array) {
    for (let offset = 0; offset < bytes.length;) {
      offset += await this.#output.write(bytes.subarray(offset));
    }
  }

  async #readLoop() {
    const decoder = new TextDecoder();
    let pending = "";
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await this.#input.read(buffer);
        if (n === null || this.#closed) break;
        pending += decoder.decode(buffer.subarray(0, n), { stream: true });
        let start = 0;
        let newline: number;
        while ((newline = pending.indexOf("\n", start)) >= 0) {
          const line = pending.slice(start, newline).replace(/\r$/, "");
          start = newline + 1;
          if (line.trim() !== "") this.#deliver(line);
        }
        if (start > 0) pending = pending.slice(start);
        if (pending.length > MAX_LINE_BYTES) {
          pending = "";
          this.onerror?.(new Error(`a message line exceeded ${MAX_LINE_BYTES} bytes`));
        }
      }
    } catch (error) {
      if (!this.#closed) this.onerror?.(error as Error);
    }
    await this.close();
  }

  #deliver(line: string) {
    let message: JSONRPCMessage;
    try {
      message = JSON.parse(line);
    } catch {
      // JSON-RPC 2.0: a line that is not JSON gets a parse error; serving goes on.
      this.#reject(null, -32700, "Parse error: the line is not valid JSON");
      return;
    }
    const m = message as {
      jsonrpc?: unknown;
      id?: unknown;
      method?: unknown;
      result?: unknown;
      error?: unknown;
    };
    const isObject = typeof m === "object" && m !== null && !Array.isArray(m);
    const validId = isObject && (typeof m.id === "string" || typeof m.id === "number");
    const looksValid = isObject && m.jsonrpc === "2.0" &&
      (typeof m.method === "string" || (validId && ("result" in m || "error" in m)));
    if (!looksValid) {
      // Without an answer the sender would wait forever for this id.
      this.#reject(validId ? m.id as string | number : null, -32600, "Invalid Request");
      return;
    }
    this.onmessage?.(message);
  }

  #reject(id: string | number | null, code: number, message: string) {
    this.onerror?.(new Error(message));
    void this.send({ jsonrpc: "2.0", id, error: { code, message } } as unknown as JSONRPCMessage)
      .catch(() => {});
  }
}
