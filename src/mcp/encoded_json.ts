import type { JSONRPCMessage } from "./sdk.ts";

/** Results whose JSON text was built with their rows (encodeRows), by identity. */
const encoded = new WeakMap<object, string>();

/**
 * Remembers `json`, which must be exactly `JSON.stringify(result)`, as the text of
 * `result`. The object itself stays whole, so any transport may still serialise it.
 */
export function withJson<T extends object>(result: T, json: string): T {
  encoded.set(result, json);
  return result;
}

/**
 * `JSON.stringify(message)`, except that a response's `result` with JSON text of its
 * own (withJson) is spliced in as it is: its rows are not serialised again.
 */
export function messageJson(message: JSONRPCMessage): string {
  const result = (message as { result?: unknown }).result;
  const json = typeof result === "object" && result !== null ? encoded.get(result) : undefined;
  if (json === undefined) return JSON.stringify(message);
  const { result: _, ...rest } = message as { result: unknown };
  // The SDK builds responses as { result, jsonrpc, id }: the same member order as stringify's.
  const members = JSON.stringify(rest);
  return members === "{}" ? `{"result":${json}}` : `{"result":${json},${members.slice(1)}`;
}
