import { type ErrorCode, ToolError } from "../errors/tool_error.ts";
import type { StatementInfo } from "../gate/hooks.ts";
import type { Logger } from "../log/logger.ts";
import { RenderedResult, type StatementRequest, type ToolContext } from "../tools/tool.ts";
import { encodeFrame, readFrames } from "./frames.ts";
import {
  describedPlugin,
  fromWire,
  idOf,
  logFields,
  logText,
  MAX_PLUGIN_FRAME_BYTES,
  type PluginDescription,
} from "./plugin_messages.ts";
import { ByteBudget, describeExit, RestartBackoff, StderrTail } from "./plugin_exit.ts";
import { runPluginSql, StatementAllowance } from "./plugin_sql.ts";
import { type PluginLaunch, pluginLaunch } from "./plugin_launch.ts";
import type { HookName, HostMessage, LogLevel, WorkerMessage } from "./protocol.ts";

export type { PluginDescription } from "./plugin_messages.ts";

export interface PluginProcessOptions {
  /** A tool call that takes longer ends its process; a fresh one is started. */
  timeLimitMs: number;
  /** A plugin whose module takes longer to load is skipped (default 30 s). */
  loadLimitMs?: number;
  /** The same for one hook call (a hook runs inside every statement's time). */
  hookTimeLimitMs: number;
  /** The V8 heap of one plugin's process; a plugin that needs more is stopped (default 256). */
  memoryLimitMb?: number;
  log: Logger;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: ReturnType<typeof setTimeout>;
  /** The call's server-side context: its SQL and log lines go through it. */
  ctx?: ToolContext;
  what: string;
}

const LEVELS = new Set(["debug", "info", "warn", "error"]);
/** Statements of one plugin's calls running at once (the pool is everyone's). */
const MAX_STATEMENTS_IN_FLIGHT = 8;
/** An idle process is asked this often whether it still answers; one that does not is stopped. */
const HEARTBEAT_MS = 5_000;
/** Restarts within a minute before the next start waits (1 s, 2 s, ... at most 60 s). */
const RESTARTS_BEFORE_BACKOFF = 3;
/** What a plugin may write to stderr per second; beyond that its lines are dropped. */
const STDERR_BYTES_PER_SECOND = 256 * 1024;

/**
 * One plugin file running in a process of its own, started without any
 * permission and with its own V8 heap limit. Its tools and hooks are messages
 * to that process; its context's SQL and log lines are messages back, run
 * here through the call's own context (the SQL gate, the logger and its
 * scrubber). A call or hook that outlives its time limit, or a process that
 * crashes, exits or runs out of memory, ends that process: its calls in flight
 * fail with a clear error and a fresh process serves the next.
 */
export class PluginProcess {
  readonly #launch: PluginLaunch;
  readonly #log: Logger;
  #child?: Deno.ChildProcess;
  #writer?: WritableStreamDefaultWriter<Uint8Array>;
  #ready: Promise<PluginDescription>;
  /** Set while the last start failed: the next call tries again. */
  #failed = false;
  #pending = new Map<number, Pending>();
  #nextId = 0;
  #closed = false;
  readonly #sql = new StatementAllowance(MAX_STATEMENTS_IN_FLIGHT);
  #awaitingPong = false;
  /** Whether the current process said it is ready (pings wait for that). */
  #loaded = false;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  readonly #stderrBudget = new ByteBudget(STDERR_BYTES_PER_SECOND);
  readonly #backoff = new RestartBackoff(RESTARTS_BEFORE_BACKOFF);

  private constructor(
    /** The file name, as shown to operators (never the full path). */
    readonly file: string,
    path: string,
    private readonly options: PluginProcessOptions,
  ) {
    this.#log = options.log.child({ plugin: file });
    this.#launch = pluginLaunch(path, file, options.memoryLimitMb ?? 256);
    this.#ready = this.#spawn();
    // A process that spins outside any call (a timer in an endless loop) answers no ping.
    this.#heartbeat = setInterval(() => this.#beat(), HEARTBEAT_MS);
    Deno.unrefTimer(this.#heartbeat);
  }

  /** Starts `path`'s process; rejects with the reason when the file does not load as a plugin. */
  static async start(
    path: string,
    file: string,
    options: PluginProcessOptions,
  ): Promise<{ child: PluginProcess; description: PluginDescription }> {
    const child = new PluginProcess(file, path, options);
    try {
      return { child, description: await child.#ready };
    } catch (error) {
      child.close();
      throw error;
    }
  }

  /** Calls tool `name` in the plugin; resolves with its result and rendered text. */
  async call(name: string, args: unknown, ctx: ToolContext): Promise<RenderedResult> {
    await this.#whenReady();
    const id = ++this.#nextId;
    const limit = this.options.timeLimitMs;
    const onAbort = () => this.#post({ t: "cancel", id });
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    try {
      return await this.#request(id, `tool "${name}"`, limit, ctx, {
        t: "call",
        id,
        tool: name,
        args,
        requestId: ctx.requestId,
      }) as RenderedResult;
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
    }
  }

  /** Runs hook `hook` in the plugin; resolves with what the hook returned. */
  async hook(hook: HookName, info: StatementInfo, payload?: unknown): Promise<unknown> {
    await this.#whenReady();
    const id = ++this.#nextId;
    return await this.#request(
      id,
      `${hook} hook`,
      this.options.hookTimeLimitMs,
      undefined,
      { t: "hook", id, hook, info, payload },
    );
  }

  /** Whether a call or hook is waiting on this plugin. */
  get busy(): boolean {
    return this.#pending.size > 0;
  }

  /**
   * Ends the current process: what waits on it fails with `message`, and a
   * fresh process (the plugin's module loaded anew) serves what comes next.
   */
  restart(message: string, code: ErrorCode = "INTERNAL_ERROR"): void {
    if (this.#closed) return;
    this.#log.warn("plugin process restarted", { reason: message });
    this.#stop();
    this.#failPending(new ToolError(code, message));
    const wait = this.#backoff.record();
    if (wait > 0) {
      // A plugin that keeps dying is started again less and less often, not in a loop.
      this.#failed = true;
      this.#log.warn("plugin keeps failing; next start delayed", { wait_ms: wait });
      return;
    }
    this.#ready = this.#spawn();
    this.#ready.catch((error) =>
      this.#log.error("plugin process did not restart", {
        reason: String(error?.message ?? error),
      })
    );
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#stop();
    this.#failPending(new ToolError("INTERNAL_ERROR", `Plugin ${this.file} is shutting down`));
  }

  #whenReady(): Promise<PluginDescription> {
    if (this.#failed && !this.#closed) {
      const wait = this.#backoff.waitLeft();
      if (wait > 0) {
        return Promise.reject(
          new ToolError(
            "INTERNAL_ERROR",
            `Plugin ${this.file} keeps failing; it is started again in ${Math.ceil(wait / 1000)} s`,
          ),
        );
      }
      this.#ready = this.#spawn();
    }
    return this.#ready;
  }

  /** Pings an idle process; one that did not answer the last ping is stopped. */
  #beat(): void {
    if (this.#closed || this.#failed || !this.#child || !this.#loaded) return;
    if (this.#awaitingPong) {
      this.#awaitingPong = false;
      this.restart(`plugin ${this.file} stopped answering (busy outside any call)`);
      return;
    }
    if (this.#pending.size > 0) return; // calls have their own time limits
    this.#awaitingPong = true;
    this.#post({ t: "ping" });
  }

  #stop(): void {
    const child = this.#child;
    this.#child = undefined;
    this.#writer = undefined;
    if (child) killQuietly(child);
  }

  #request(
    id: number,
    what: string,
    limit: number,
    ctx: ToolContext | undefined,
    message: HostMessage,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const text = `${what} of plugin ${this.file} did not finish within ${limit} ms; ` +
          "its process was stopped and a fresh one started";
        const pending = this.#pending.get(id);
        this.#pending.delete(id);
        pending?.reject(new ToolError("QUERY_TIMEOUT", text));
        this.restart(`another call to plugin ${this.file} (${what}) timed out`);
      }, limit);
      this.#pending.set(id, { resolve, reject, timer, ctx, what });
      this.#post(message);
    });
  }

  #post(message: HostMessage): void {
    // A process that died is noticed by its exit status; a write into it is not the error.
    this.#writer?.write(encodeFrame(message)).catch(() => {});
  }

  #failPending(error: ToolError): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(error);
    }
  }

  #settle(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    if (!pending) return undefined;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    return pending;
  }

  #spawn(): Promise<PluginDescription> {
    this.#failed = false;
    this.#awaitingPong = false;
    this.#loaded = false;
    let child: Deno.ChildProcess;
    try {
      child = this.#launch.spawn();
    } catch (error) {
      this.#failed = true;
      const denied = error instanceof Deno.errors.NotCapable ||
        error instanceof Deno.errors.PermissionDenied;
      const reason = denied
        ? "the server may not start Deno (run it with the flags `mysql-mcp permissions` prints)"
        : error instanceof Error
        ? error.name
        : "unknown";
      return Promise.reject(new Error(`its process could not be started: ${reason}`));
    }
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    const stderr = new StderrTail();
    void stderr.collect(child.stderr);
    const ready = new Promise<PluginDescription>((resolve, reject) => {
      let loaded = false;
      const limit = this.options.loadLimitMs ?? 30_000;
      const timer = setTimeout(() => {
        this.#stop();
        reject(new Error(`it did not load within ${limit} ms`));
      }, limit);
      const onMessage = (message: WorkerMessage) => {
        if (child !== this.#child) return;
        if (message.t === "ready" && !loaded) {
          loaded = true;
          this.#loaded = true;
          clearTimeout(timer);
          resolve(describedPlugin(message));
        } else if (message.t === "failed" && !loaded) {
          clearTimeout(timer);
          this.#stop();
          reject(new Error(logText(message.reason)));
        } else if (loaded) {
          this.#onMessage(message);
        }
      };
      void this.#readFrames(child, onMessage);
      child.status.then(async (status) => {
        if (child !== this.#child) return;
        await stderr.done;
        const reason = describeExit(status, stderr.text, this.#launch.memoryLimitMb);
        if (!loaded) {
          clearTimeout(timer);
          this.#child = undefined;
          reject(new Error(reason));
        } else {
          this.restart(`plugin ${this.file} ${reason}`);
        }
      });
    });
    ready.catch(() => {
      this.#failed = true;
    });
    return ready;
  }

  /** The process's messages, until it ends; one that is not a frame ends the process. */
  async #readFrames(child: Deno.ChildProcess, onMessage: (m: WorkerMessage) => void) {
    const error = await readFrames(child.stdout, MAX_PLUGIN_FRAME_BYTES, onMessage as never)
      .then(() => undefined, (error: Error) => error);
    if (!error || child !== this.#child) return;
    this.#log.warn("plugin process sent an unreadable message", { reason: error.message });
    killQuietly(child); // its exit status restarts it
  }

  /**
   * One message from the process. A pending call is settled only with a value
   * built without throwing (see plugin_messages.ts); a message of no known
   * shape ends the process, which fails what waits on it.
   */
  #onMessage(message: WorkerMessage): void {
    const raw = message as unknown as Record<string, unknown>;
    const id = idOf(raw.id);
    switch (raw.t) {
      case "result": {
        if (id === undefined || typeof raw.text !== "string") break;
        const result = new RenderedResult(raw.value, raw.text);
        const pending = this.#settle(id);
        // A process that serves is not crash-looping, whatever it did before.
        if (pending) this.#backoff.reset();
        pending?.resolve(result);
        return;
      }
      case "error": {
        if (id === undefined) break;
        const error = fromWire(raw.error);
        this.#settle(id)?.reject(error);
        return;
      }
      case "hook-done": {
        if (id === undefined) break;
        const error = raw.error === undefined ? undefined : fromWire(raw.error);
        const pending = this.#settle(id);
        if (error) pending?.reject(error);
        else pending?.resolve(raw.value);
        return;
      }
      case "pong":
        this.#awaitingPong = false;
        return;
      case "sql": {
        const call = idOf(raw.call);
        if (id === undefined || call === undefined) break;
        void this.#runSql(id, call, raw.kind, raw.request as StatementRequest);
        return;
      }
      case "log": {
        const level = typeof raw.level === "string" && LEVELS.has(raw.level)
          ? raw.level as LogLevel
          : "info";
        const call = idOf(raw.call);
        const ctx = call === undefined ? undefined : this.#pending.get(call)?.ctx;
        if (ctx) ctx.log[level](logText(raw.msg), logFields(raw.fields));
        else this.#log.log(level, logText(raw.msg), logFields(raw.fields));
        return;
      }
      case "stderr":
        // As a record of this plugin, never as raw bytes: a plugin cannot forge the server's lines.
        if (this.#stderrBudget.take(logText(raw.text).length)) {
          this.#log.info("plugin stderr", { text: logText(raw.text) });
        }
        return;
    }
    this.#log.warn("plugin process sent a message of no known shape; it is stopped");
    this.restart(`plugin ${this.file} sent a message the server cannot read`);
  }

  /** A statement from a call in progress, through that call's context (and so the gate). */
  async #runSql(id: number, call: number, kind: unknown, request: StatementRequest) {
    const child = this.#child;
    const answer = await runPluginSql(this.#pending.get(call)?.ctx, kind, request, this.#sql);
    if (child === this.#child) this.#post({ t: "sql-done", id, ...answer });
  }
}

function killQuietly(child: Deno.ChildProcess): void {
  try {
    child.kill("SIGKILL");
  } catch {
    // already gone
  }
}
