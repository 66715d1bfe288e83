import type { JSONRPCMessage, Transport } from "./sdk.ts";

const MAX_LINE_BYTES = 10 * 1024 * 1024;

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

  readonly #input: ReadableStream<Uint8Array>;
  readonly #output: { write(p: Uint8Array): Promise<number> };
  readonly #encoder = new TextEncoder();
  #queue: string[] = [];
  #waiters: (() => void)[] = [];
  #writing = false;
  #closed = false;
  #reader?: ReadableStreamDefaultReader<Uint8Array>;

  constructor(
    input: ReadableStream<Uint8Array> = Deno.stdin.readable,
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
    this.#queue.push(JSON.stringify(message) + "\n");
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      if (!this.#writing) void this.#flush();
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#reader?.cancel();
    } catch { /* already closed */ }
    this.onclose?.();
  }

  async #flush() {
    this.#writing = true;
    // Let responses finished in this tick join the same write.
    await Promise.resolve();
    try {
      while (this.#queue.length > 0) {
        const bytes = this.#encoder.encode(this.#queue.join(""));
        const waiters = this.#waiters;
        this.#queue = [];
        this.#waiters = [];
        for (let offset = 0; offset < bytes.length;) {
          offset += await this.#output.write(bytes.subarray(offset));
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

  async #readLoop() {
    const decoder = new TextDecoder();
    let pending = "";
    this.#reader = this.#input.getReader();
    try {
      for (;;) {
        const { value, done } = await this.#reader.read();
        if (done) break;
        pending += decoder.decode(value, { stream: true });
        let newline: number;
        while ((newline = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, newline).replace(/\r$/, "");
          pending = pending.slice(newline + 1);
          if (line.trim() !== "") this.#deliver(line);
        }
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
      // Like the SDK: a line that is not JSON is reported and skipped; serving goes on.
      this.onerror?.(new Error("a line on stdin is not valid JSON"));
      return;
    }
    if (typeof message !== "object" || message === null || Array.isArray(message)) {
      this.onerror?.(new Error("a line on stdin is not a JSON-RPC message"));
      return;
    }
    this.onmessage?.(message);
  }
}
