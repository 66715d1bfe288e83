import type { SecretScrubber } from "../log/secret_scrubber.ts";
import type { JSONRPCMessage, Transport } from "./sdk.ts";

const MAX_LINE_BYTES = 10 * 1024 * 1024;
/** After stdin ends, how long requests already read may take to be answered. */
const DRAIN_MS = 5_000;

/**
 * MCP over stdio with Deno's own streams. The SDK's StdioServerTransport
 * goes through Node-compat process streams and zod-parses every line
 * before the protocol layer parses it again; measured, that write path
 * alone was a fifth of the server's CPU under load. Here each line is
 * JSON-parsed once, and responses queued in the same tick leave in one
 * write. Every outgoing message (responses, errors, notifications including
 * MCP log messages) passes the secret scrubber on its way out.
 */
export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  readonly #input: { read(p: Uint8Array): Promise<number | null> };
  readonly #output: { write(p: Uint8Array): Promise<number> };
  readonly #scrubber: Pick<SecretScrubber, "scrub">;
  readonly #encoder = new TextEncoder();
  #queue: string[] = [];
  #waiters: (() => void)[] = [];
  #writing = false;
  #closed = false;
  /** Ids of requests read but not yet answered. */
  readonly #unanswered = new Set<string | number>();
  #onAllAnswered?: () => void;

  constructor(options: {
    /** Required: nothing leaves on stdout unscrubbed. */
    scrubber: Pick<SecretScrubber, "scrub">;
    // Deno.stdin.read() directly: a ReadableStream's pull machinery cost ~5% of the
    // server's CPU under load for nothing we use.
    input?: { read(p: Uint8Array): Promise<number | null> };
    output?: { write(p: Uint8Array): Promise<number> };
  }) {
    this.#scrubber = options.scrubber;
    this.#input = options.input ?? Deno.stdin;
    this.#output = options.output ?? Deno.stdout;
  }

  start(): Promise<void> {
    void this.#readLoop();
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("transport closed"));
    // Per message, not per batch: a match can never join two lines.
    this.#queue.push(this.#scrubber.scrub(JSON.stringify(message)) + "\n");
    const written = new Promise<void>((resolve) => {
      this.#waiters.push(resolve);
      if (!this.#writing) void this.#flush();
    });
    const id = (message as { id?: string | number }).id;
    if (
      id !== undefined && !("method" in message) && this.#unanswered.delete(id) &&
      this.#unanswered.size === 0 && this.#onAllAnswered
    ) {
      void written.then(this.#onAllAnswered);
    }
    return written;
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
    // The client stopped writing, not necessarily reading: answer what it already asked.
    if (!this.#closed && this.#unanswered.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, DRAIN_MS);
        this.#onAllAnswered = () => {
          clearTimeout(timer);
          resolve();
        };
      });
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
    if (validId && typeof m.method === "string") this.#unanswered.add(m.id as string | number);
    this.onmessage?.(message);
  }

  #reject(id: string | number | null, code: number, message: string) {
    this.onerror?.(new Error(message));
    void this.send({ jsonrpc: "2.0", id, error: { code, message } } as unknown as JSONRPCMessage)
      .catch(() => {});
  }
}
