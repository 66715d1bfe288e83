/**
 * The byte format between the server and a plugin's process: each message is
 * JSON, sent as a 4-byte big-endian length and then that many UTF-8 bytes.
 * Both sides use it; the server treats every frame as untrusted input.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** A frame larger than this ends the plugin's process (a result is bounded well below). */
export const MAX_FRAME_BYTES = 64 * 2 ** 20;

/** `message` as one frame. JSON.stringify's failures (BigInt, cycles) reach the caller. */
export function encodeFrame(message: unknown): Uint8Array {
  const body = encoder.encode(JSON.stringify(message));
  const frame = new Uint8Array(4 + body.byteLength);
  new DataView(frame.buffer).setUint32(0, body.byteLength);
  frame.set(body, 4);
  return frame;
}

export class FrameError extends Error {
  override name = "FrameError";
}

/**
 * Collects chunks as they arrive and hands out each complete message. Chunks
 * are kept as they came and joined once per message, so a large message in
 * many small chunks costs one copy, not one per chunk.
 */
export class FrameReader {
  #chunks: Uint8Array[] = [];
  #size = 0;
  /** The body length of the message being collected, once its header is in. */
  #need?: number;

  constructor(private readonly maxBytes = MAX_FRAME_BYTES) {}

  /** Adds `chunk`; returns the messages it completed, in order. Throws FrameError on garbage. */
  push(chunk: Uint8Array): unknown[] {
    if (chunk.byteLength > 0) {
      this.#chunks.push(chunk);
      this.#size += chunk.byteLength;
    }
    const messages: unknown[] = [];
    for (;;) {
      if (this.#need === undefined) {
        if (this.#size < 4) break;
        const header = this.#take(4);
        const length = new DataView(header.buffer, header.byteOffset, 4).getUint32(0);
        if (length > this.maxBytes) {
          throw new FrameError(`a message of ${length} bytes is over the ${this.maxBytes} limit`);
        }
        this.#need = length;
      }
      if (this.#size < this.#need) break;
      const body = this.#take(this.#need);
      this.#need = undefined;
      try {
        messages.push(JSON.parse(decoder.decode(body)));
      } catch {
        throw new FrameError("a message was not valid JSON");
      }
    }
    return messages;
  }

  /** The first `n` bytes, removed from the front. */
  #take(n: number): Uint8Array {
    this.#size -= n;
    const first = this.#chunks[0];
    if (first.byteLength >= n) {
      if (first.byteLength === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0];
      const part = Math.min(chunk.byteLength, n - filled);
      out.set(chunk.subarray(0, part), filled);
      filled += part;
      if (part === chunk.byteLength) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(part);
    }
    return out;
  }
}

/** Reads `stream` to its end, calling `onMessage` for each object; throws FrameError on garbage. */
export async function readFrames(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  onMessage: (message: unknown) => void,
): Promise<void> {
  const frames = new FrameReader(maxBytes);
  for await (const chunk of stream) {
    for (const message of frames.push(chunk)) {
      if (typeof message !== "object" || message === null) throw new FrameError("not a message");
      onMessage(message);
    }
  }
}
