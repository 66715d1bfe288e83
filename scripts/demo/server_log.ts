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
  readonly problems: string[] = [];

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
    const level = String(record.level ?? "raw");
    this.counts[level] = (this.counts[level] ?? 0) + 1;
    const text = format(record);
    if (level === "warn" || level === "error" || level === "raw") this.problems.push(text);
    this.#unseen.push(text);
  }

  /**
   * Lines logged since the last call, ready to print: all of them when
   * `verbose`, else only warnings and errors (info lines are counted).
   */
  drain(verbose: boolean): string[] {
    const lines = this.#unseen;
    this.#unseen = [];
    const shown = verbose ? lines : lines.filter((l) => !/^info |^debug /.test(l));
    return shown.map((line) => style.dim(`    server │ ${line}`));
  }

  summary(): string {
    const parts = Object.entries(this.counts).map(([level, n]) => `${n} ${level}`);
    return parts.length ? parts.join(", ") : "nothing";
  }
}

function format(record: Record): string {
  const { level, msg, time: _time, ...fields } = record;
  const extra = Object.entries(fields).map(([k, v]) =>
    `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`
  );
  const text = `${level} ${msg ?? ""}${extra.length ? "  " + extra.join(" ") : ""}`;
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
