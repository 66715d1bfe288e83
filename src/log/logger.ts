import type { SecretScrubber } from "./secret_scrubber.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const encoder = new TextEncoder();

/** Where a log record goes besides stderr (e.g. MCP log notifications). */
export type LogSink = (record: LogFields & { level: LogLevel; msg: string; time: string }) => void;

/** What a logger shares with its children. */
export interface LoggerState {
  level: LogLevel;
  sinks: LogSink[];
  /** Every stderr line passes it (the last line of defence for secrets). */
  readonly scrubber?: Pick<SecretScrubber, "scrub">;
}

/**
 * Structured JSON lines on stderr (stdout belongs to MCP). Each record has
 * level, time and msg plus the bound and given fields.
 */
export class Logger {
  #sinks: LogSink[];

  constructor(
    private readonly state: LoggerState = { level: "info", sinks: [] },
    private readonly bound: LogFields = {},
  ) {
    this.#sinks = state.sinks;
  }

  get level(): LogLevel {
    return this.state.level;
  }

  set level(level: LogLevel) {
    this.state.level = level;
  }

  /** A logger that adds `fields` to every record; shares level and sinks. */
  child(fields: LogFields): Logger {
    return new Logger(this.state, { ...this.bound, ...fields });
  }

  addSink(sink: LogSink): () => void {
    this.#sinks.push(sink);
    return () => {
      const i = this.#sinks.indexOf(sink);
      if (i >= 0) this.#sinks.splice(i, 1);
    };
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.state.level];
  }

  debug(msg: string, fields?: LogFields) {
    this.log("debug", msg, fields);
  }
  info(msg: string, fields?: LogFields) {
    this.log("info", msg, fields);
  }
  warn(msg: string, fields?: LogFields) {
    this.log("warn", msg, fields);
  }
  error(msg: string, fields?: LogFields) {
    this.log("error", msg, fields);
  }

  log(level: LogLevel, msg: string, fields?: LogFields) {
    if (!this.enabled(level)) return;
    const record = { level, time: new Date().toISOString(), msg, ...this.bound, ...fields };
    try {
      const line = JSON.stringify(record);
      const safe = this.state.scrubber ? this.state.scrubber.scrub(line) : line;
      Deno.stderr.writeSync(encoder.encode(safe + "\n"));
    } catch { /* stderr closed: nothing useful to do */ }
    for (const sink of this.#sinks) {
      try {
        sink(record);
      } catch { /* a sink must never break logging */ }
    }
  }

  /** Text that is not a log record (a plugin's own stderr output), scrubbed like every line. */
  writeRaw(text: string) {
    try {
      const safe = this.state.scrubber ? this.state.scrubber.scrub(text) : text;
      Deno.stderr.writeSync(encoder.encode(safe));
    } catch { /* stderr closed: nothing useful to do */ }
  }
}

export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  const v = value?.toLowerCase();
  return v === "debug" || v === "info" || v === "warn" || v === "error" ? v : undefined;
}
