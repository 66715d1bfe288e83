/**
 * Collects the server's stderr (JSON log lines) so the walk can show them
 * dimmed between calls instead of interleaving them with the results.
 */
import { style } from "./ui.ts";

interface Record {
  level?: string;
  msg?: string;
  [field: string]: unknown;
}

export class ServerLog {
  #pending = "";
  #unseen: string[] = [];
  readonly counts: { [level: string]: number } = {};

  /** Feeds a chunk of stderr; complete lines are parsed and queued. */
  push(chunk: string): void {
    const lines = (this.#pending + chunk).split("\n");
    this.#pending = lines.pop() ?? "";
    for (const line of lines) if (line.trim() !== "") this.#take(line);
  }

  #take(line: string) {
    let record: Record;
    try {
      record = JSON.parse(line);
    } catch {
      record = { level: "raw", msg: line };
    }
    // Lines without a level (e.g. the audit_log plugin's records) are ordinary output.
    const level = typeof record.level === "string"
      ? record.level
      : record.audit
      ? "audit"
      : "other";
    if (record.level === undefined) record.level = level;
    this.counts[level] = (this.counts[level] ?? 0) + 1;
    const text = format(record);
    this.#unseen.push(text);
  }

  /**
   * Lines logged since the last call, ready to print: all of them when
   * `verbose`, else only errors and unparsable output (the rest is counted).
   */
  drain(verbose: boolean): string[] {
    const lines = this.#unseen;
    this.#unseen = [];
    const shown = verbose ? lines : lines.filter((l) => /^(error|raw) /.test(l));
    return shown.map((line) => style.dim(`    server │ ${line}`));
  }

  summary(): string {
    const parts = Object.entries(this.counts).map(([level, n]) => `${n} ${level}`);
    return parts.length ? parts.join(", ") : "nothing";
  }
}

function format(record: Record): string {
  const { level, msg: text0, time: _time, ...fields } = record;
  // An audit record's event is its message.
  let msg = text0;
  if (level === "audit" && msg === undefined) {
    msg = String(fields.event ?? "");
    delete fields.audit;
    delete fields.event;
  }
  const extra = Object.entries(fields).map(([k, v]) =>
    `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`
  );
  const text = `${level} ${msg ?? ""}${extra.length ? "  " + extra.join(" ") : ""}`;
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
