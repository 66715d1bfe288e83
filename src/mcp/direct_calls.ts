import {
  type CallToolRequest,
  type CallToolResult,
  ErrorCode,
  type JSONRPCMessage,
} from "./sdk.ts";

/** Answers one tools/call: the same function the SDK's fallback handler calls. */
export type CallHandler = (
  request: CallToolRequest,
  extra: { signal: AbortSignal },
) => Promise<CallToolResult>;

/**
 * tools/call answered straight from our stdio transport. On its way through the SDK
 * a request is zod-parsed three times before our handler sees it (is it a response,
 * an error, a request?) and a promise chain runs around it: about 40 µs of a PK
 * lookup's ~0.5 ms (docs/performance.md). Here the request is checked once, by the
 * handler, and answered as the SDK's Protocol would answer it: the result, or an
 * error with the thrown error's code, message and data, and nothing for a request
 * the client cancelled. Everything else (and a tools/call carrying `_meta` or a
 * task, whose handling is the SDK's) goes to the SDK as before.
 */
export class DirectCalls {
  readonly #handle: CallHandler;
  readonly #send: (message: JSONRPCMessage) => Promise<void>;
  /** Our calls in flight by JSON-RPC id, as the SDK keeps its own handlers'. */
  readonly #running = new Map<unknown, AbortController>();

  constructor(handle: CallHandler, send: (message: JSONRPCMessage) => Promise<void>) {
    this.#handle = handle;
    this.#send = send;
  }

  /** True when `message` was a tools/call taken here; false passes it on to the SDK. */
  take(message: JSONRPCMessage): boolean {
    const m = message as { method?: unknown; id?: unknown; params?: unknown };
    const params = m.params as Record<string, unknown> | undefined;
    if (m.method === "notifications/cancelled") {
      // The SDK hears of it too; it knows no handler under this id and does nothing.
      const cancelled = params as { requestId?: unknown; reason?: unknown } | undefined;
      this.#running.get(cancelled?.requestId)?.abort(cancelled?.reason);
      return false;
    }
    if (m.method !== "tools/call" || (typeof m.id !== "string" && typeof m.id !== "number")) {
      return false;
    }
    if (
      params !== undefined &&
      (typeof params !== "object" || params === null || Array.isArray(params) ||
        "_meta" in params || "task" in params)
    ) return false;
    void this.#answer(m.id, message as unknown as CallToolRequest);
    return true;
  }

  /** Stops every call in flight (the transport closed): like the SDK, none is answered. */
  abortAll(): void {
    for (const controller of this.#running.values()) controller.abort();
    this.#running.clear();
  }

  async #answer(id: string | number, request: CallToolRequest): Promise<void> {
    const controller = new AbortController();
    this.#running.set(id, controller);
    let reply: JSONRPCMessage | undefined;
    try {
      const result = await this.#handle(request, { signal: controller.signal });
      reply = { result, jsonrpc: "2.0", id } as JSONRPCMessage;
    } catch (thrown) {
      const error = thrown as { code?: unknown; message?: string; data?: unknown };
      reply = {
        jsonrpc: "2.0",
        id,
        error: {
          code: Number.isSafeInteger(error.code) ? error.code as number : ErrorCode.InternalError,
          message: error.message ?? "Internal error",
          ...(error.data !== undefined && { data: error.data }),
        },
      } as JSONRPCMessage;
    } finally {
      if (this.#running.get(id) === controller) this.#running.delete(id);
    }
    if (controller.signal.aborted) return;
    const sent = this.#send(reply);
    // The answer is serialised once send() returns: let a big result go while it is written.
    reply = undefined;
    await sent.catch(() => {});
  }
}
