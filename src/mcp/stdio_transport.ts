import type { SecretScrubber } from "../log/secret_scrubber.ts";
import { messageJson } from "./encoded_json.ts";
import type { JSONRPCMessage, Transport } from "./sdk.ts";

const MAX_LINE_BYTES = 10 * 1024 * 1024;
const NEWLINE = new Uint8Array([10]);
/** A line longer than this is written alone, encoded a piece of this many bytes at a time. */
const BIG_LINE = 1024 * 1024;
/** How much of an oversized line's start and end is kept to find its id. */
const TAIL_CHARS = 4096;
const ID_VALUE = String.raw`(-?\d+|"(?:[^"\\]|\\.){0,200}")`;
/** `"id": ...` as the last member (the SDK writes it last) or before "params" near the start. */
const ID_AT_END = new RegExp(String.raw`"id"\s*:\s*${ID_VALUE}\s*\}\s*$`);
const ID_AT_START = new RegExp(String.raw`^\s*\{[^{[]*?"id"\s*:\s*${ID_VALUE}`);

/** The request id of an oversized line, read from its first and last few kilobytes. */
function idOf(head: string, tail: string): string | number | undefined {
  const match = ID_AT_END.exec(tail) ?? ID_AT_START.exec(head);
  if (!match) return undefined;
  try {
    const id = JSON.parse(match[1]);
    return typeof id === "string" || typeof id === "number" ? id : undefined;
  } catch {
    return undefined;
  }
}

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
  /**
   * Called at the end of input instead of closing: the owner answers what was read,
   * then closes. Without it, the end of input closes the transport at once.
   */
  oninputend?: () => void;
  /**
   * Sees each valid message before `onmessage` (the SDK): true when it took the message
   * and answers it itself (DirectCalls: tools/call without the SDK's per-message parsing).
   */
  take?: (message: JSONRPCMessage) => boolean;
  /** Problems worth a log line that are not transport errors (an oversized line). */
  onwarning?: (message: string, fields: Record<string, unknown>) => void;

  readonly #scrubber: Pick<SecretScrubber, "scrub">;
  readonly #input: { read(p: Uint8Array): Promise<number | null> };
  readonly #output: { write(p: Uint8Array): Promise<number> };
  readonly #encoder = new TextEncoder();
  /** Scrubbed lines waiting to be written, each with the resolve of its send(). */
  #queue: { line: string; sent: () => void }[] = [];
  #writing = false;
  #closed = false;
  #reading = true;

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
    const line = this.#scrubber.scrub(messageJson(message));
    return new Promise((sent) => {
      this.#queue.push({ line, sent });
      if (!this.#writing) void this.#flush();
    });
  }

  /** Stops delivering input (shutdown): lines read from now on are dropped. */
  stopReading(): void {
    this.#reading = false;
  }

  /** Resolves once every reply queued so far is written. */
  async flushed(): Promise<void> {
    // Polled: a waiter added while a batch is being written would belong to no batch.
    while (!this.#closed && (this.#writing || this.#queue.length > 0)) {
      await new Promise<void>((resolve) => setTimeout(resolve, 5));
    }
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
      for (let batch = this.#queue; batch.length > 0; batch = this.#queue) {
        this.#queue = [];
        // One write for many small replies; a big one alone, without copying it into a joined
        // string first (a 16 MB result is a 33 MB line: each copy counts).
        if (batch.length === 1 && batch[0].line.length > BIG_LINE) {
          await this.#writeBig(batch[0].line);
          await this.#write(NEWLINE);
        } else {
          await this.#write(this.#encoder.encode(batch.map((m) => m.line).join("\n") + "\n"));
        }
        for (const { sent } of batch) sent();
      }
    } catch (error) {
      this.onerror?.(error as Error);
      await this.close();
    } finally {
      this.#writing = false;
    }
  }

  /** A big line encoded a piece at a time into one buffer: never all of it as bytes at once. */
  async #writeBig(line: string) {
    const buffer = new Uint8Array(BIG_LINE);
    for (let read = 0; read < line.length;) {
      // encodeInto never splits a surrogate pair; a slice of a flat string is not a copy.
      const piece = this.#encoder.encodeInto(line.substring(read), buffer);
      read += piece.read;
      await this.#write(buffer.subarray(0, piece.written));
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
    /** A line past MAX_LINE_BYTES being skipped: its head, its last bytes, its length. */
    let oversized: { head: string; tail: string; length: number } | undefined;
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await this.#input.read(buffer);
        if (n === null || this.#closed) break;
        if (!this.#reading) continue;
        let text = decoder.decode(buffer.subarray(0, n), { stream: true });
        if (oversized) {
          const newline = text.indexOf("\n");
          const part = newline < 0 ? text : text.slice(0, newline);
          oversized.tail = (oversized.tail + part).slice(-TAIL_CHARS);
          oversized.length += part.length;
          if (newline < 0) continue;
          this.#refuseOversized(oversized);
          oversized = undefined;
          text = text.slice(newline + 1);
        }
        pending += text;
        let start = 0;
        let newline: number;
        while ((newline = pending.indexOf("\n", start)) >= 0) {
          const line = pending.slice(start, newline).replace(/\r$/, "");
          start = newline + 1;
          if (line.length > MAX_LINE_BYTES) {
            this.#refuseOversized({
              head: line.slice(0, TAIL_CHARS),
              tail: line.slice(-TAIL_CHARS),
              length: line.length,
            });
          } else if (line.trim() !== "") this.#deliver(line);
        }
        if (start > 0) pending = pending.slice(start);
        if (pending.length > MAX_LINE_BYTES) {
          // Skip the rest of this line, keeping only what can tell its id.
          oversized = {
            head: pending.slice(0, TAIL_CHARS),
            tail: pending.slice(-TAIL_CHARS),
            length: pending.length,
          };
          pending = "";
        }
      }
    } catch (error) {
      if (!this.#closed) this.onerror?.(error as Error);
    }
    if (this.oninputend && !this.#closed) this.oninputend();
    else await this.close();
  }

  /** A line over the limit: answered with an error for its id when the id can be read. */
  #refuseOversized(line: { head: string; tail: string; length: number }) {
    const id = idOf(line.head, line.tail);
    const message =
      `Request too large: the message line is about ${line.length} bytes, over the ${MAX_LINE_BYTES}-byte limit`;
    this.onwarning?.(
      id === undefined
        ? `${message}; its id could not be read, so it gets no answer`
        : `${message}; answered with an error`,
      { id: id ?? null, bytes: line.length },
    );
    if (id !== undefined) this.#reject(id, -32600, message);
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
    if (this.take?.(message)) return;
    this.onmessage?.(message);
  }

  #reject(id: string | number | null, code: number, message: string) {
    this.onerror?.(new Error(message));
    void this.send({ jsonrpc: "2.0", id, error: { code, message } } as unknown as JSONRPCMessage)
      .catch(() => {});
  }
}
