import type { JSONRPCMessage } from "./sdk.ts";

/**
 * Where an answer keeps its rows' JSON: a symbol, which JSON.stringify and structured cloning
 * pass over. (A WeakMap cost more: one short-lived key per call made every GC slower.)
 */
const ROWS_JSON = Symbol("rowsJson");

/**
 * The stand-in for the rows while the rest of a message is serialised: random per process, so
 * nothing else in a message can spell it (a hook may add members, even ones called rows).
 */
const STAND_IN = `rows:${crypto.randomUUID()}`;
const ROWS_STAND_IN = `"rows":${JSON.stringify(STAND_IN)}`;

/**
 * Remembers `rowsJson`, which must be each row's `JSON.stringify`, for the rows of
 * `answer.structuredContent`. The answer itself stays whole, so any transport may still
 * serialise it.
 */
export function withRowsJson<T extends { structuredContent?: { rows?: unknown } }>(
  answer: T,
  rowsJson: readonly string[],
): T {
  (answer as { [ROWS_JSON]?: readonly string[] })[ROWS_JSON] = rowsJson;
  return answer;
}

/**
 * `JSON.stringify(message)`, byte for byte, except that the rows of a response's answer made
 * by withRowsJson are not serialised again: the rest of the message is serialised around a
 * stand-in (one native pass that also escapes the text), and their JSON is spliced in.
 */
export function messageJson(message: JSONRPCMessage): string {
  const answer =
    (message as { result?: { structuredContent?: object; [ROWS_JSON]?: readonly string[] } })
      .result;
  const rows = typeof answer === "object" && answer !== null ? answer[ROWS_JSON] : undefined;
  if (rows === undefined) return JSON.stringify(message);
  // Same members in the same order, with the rows' place held by the stand-in.
  const shell = JSON.stringify({
    ...message,
    result: { ...answer, structuredContent: { ...answer!.structuredContent, rows: STAND_IN } },
  });
  const at = shell.indexOf(ROWS_STAND_IN);
  // One join into one flat string: no copy of all the rows joined, which for a 16 MB result
  // would be another 16 MB held at once.
  const parts = [shell.slice(0, at), '"rows":['];
  for (let i = 0; i < rows.length; i++) {
    if (i > 0) parts.push(",");
    parts.push(rows[i]);
  }
  parts.push("]", shell.slice(at + ROWS_STAND_IN.length));
  const json = parts.join("");
  // Written once: the rows' JSON need not outlive the message that holds them.
  answer![ROWS_JSON] = undefined;
  return json;
}
