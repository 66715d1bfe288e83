import type { JSONRPCMessage } from "./sdk.ts";

/**
 * Where an answer keeps its rows' JSON: a symbol, which JSON.stringify and structured cloning
 * pass over. (A WeakMap cost more: one short-lived key per call made every GC slower.)
 */
const ROWS_JSON = Symbol("rowsJson");

/** The stand-in for the rows while the rest of a message is serialised. */
const ROWS_STAND_IN = '"rows":0';

/**
 * Remembers `rowsJson`, which must be exactly `JSON.stringify(answer.structuredContent.rows)`,
 * for `answer`. The answer itself stays whole, so any transport may still serialise it.
 */
export function withRowsJson<T extends { structuredContent?: { rows?: unknown } }>(
  answer: T,
  rowsJson: string,
): T {
  (answer as { [ROWS_JSON]?: string })[ROWS_JSON] = rowsJson;
  return answer;
}

/**
 * `JSON.stringify(message)`, byte for byte, except that the rows of a response's answer made
 * by withRowsJson are not serialised again: the rest of the message is serialised around a
 * stand-in (one native pass that also escapes the text), and their JSON is spliced in.
 */
export function messageJson(message: JSONRPCMessage): string {
  const answer = (message as { result?: { structuredContent?: object; [ROWS_JSON]?: string } })
    .result;
  const rows = typeof answer === "object" && answer !== null ? answer[ROWS_JSON] : undefined;
  if (rows === undefined) return JSON.stringify(message);
  // Same members in the same order, with rows standing in as 0. No other object of an MCP
  // response has a member called rows, and a quote inside a string is escaped, so the first
  // `"rows":0` is the stand-in.
  const shell = JSON.stringify({
    ...message,
    result: { ...answer, structuredContent: { ...answer!.structuredContent, rows: 0 } },
  });
  const at = shell.indexOf(ROWS_STAND_IN);
  return `${shell.slice(0, at)}"rows":${rows}${shell.slice(at + ROWS_STAND_IN.length)}`;
}
