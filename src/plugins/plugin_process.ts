import { toToolError } from "../errors/sanitize.ts";
import { type ErrorCode, ToolError } from "../errors/tool_error.ts";
import type { QueryHooks, StatementInfo } from "../gate/hooks.ts";
import type { Logger } from "../log/logger.ts";
import { RenderedResult, type StatementRequest, type ToolContext } from "../tools/tool.ts";
import { encodeFrame, FrameReader } from "./frames.ts";
import { type PluginLaunch, pluginLaunch } from "./plugin_launch.ts";
import type {
  HookName,
  HostMessage,
  ToolDescription,
  WireError,
  WorkerMessage,
} from "./protocol.ts";

/** What a plugin's worker said about itself once its module loaded. */
export interface PluginDescription {
  name: string;
  tools: ToolDescription[];
  hooks: HookName[];
}

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
const ERROR_CODES = new Set<string>([
  "AUTHENTICATION_ERROR",
  "DATABASE_NOT_FOUND",
  "TABLE_NOT_FOUND",
  "INVALID_ARGUMENT",
  "STATEMENT_NOT_ALLOWED",
  "CONNECTION_FAILED",
  "POOL_EXHAUSTED",
  "QUERY_TIMEOUT",
  "QUERY_EXECUTION_ERROR",
  "STREAM_NOT_FOUND",
  "STREAM_CANCELLED",
  "CONFIGURATION_ERROR",
  "PERMISSION_DENIED",
  "INTERNAL_ERROR",
]);

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

  private constructor(
    /** The file name, as shown to operators (never the full path). */
    readonly file: string,
    path: string,
    private readonly options: PluginProcessOptions,
  ) {
    this.#log = options.log.child({ plugin: file });
    this.#launch = pluginLaunch(path, file, options.memoryLimitMb ?? 256);
    this.#ready = this.#spawn();
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

  /** The plugin's hooks as the gate calls them: each one a request to this process. */
  hooks(names: readonly HookName[]): QueryHooks | undefined {
    if (names.length === 0) return undefined;
    const hooks: QueryHooks = {};
    if (names.includes("beforeQuery")) {
      hooks.beforeQuery = async (info) => {
        const refusal = await this.hook("beforeQuery", info);
        return typeof refusal === "string" ? refusal : undefined;
      };
    }
    if (names.includes("afterQuery")) {
      hooks.afterQuery = async (info, result) =>
        (await this.hook("afterQuery", info, result) ?? undefined) as typeof result | undefined;
    }
    if (names.includes("onError")) {
      hooks.onError = async (info, error) => {
        await this.hook("onError", info, toWire(error));
      };
    }
    return hooks;
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
    this.#ready = this.#spawn();
    this.#ready.catch((error) =>
      this.#log.error("plugin process did not restart", {
        reason: String(error?.message ?? error),
      })
    );
  }

  close(): void {
    this.#closed = true;
    this.#stop();
    this.#failPending(new ToolError("INTERNAL_ERROR", `Plugin ${this.file} is shutting down`));
  }

  #whenReady(): Promise<PluginDescription> {
    if (this.#failed && !this.#closed) this.#ready = this.#spawn();
    return this.#ready;
  }

  #stop(): void {
    const child = this.#child;
    this.#child = undefined;
    this.#writer = undefined;
    try {
      child?.kill("SIGKILL");
    } catch {
      // already gone
    }
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
          clearTimeout(timer);
          resolve({
            name: String(message.name),
            tools: Array.isArray(message.tools) ? message.tools : [],
            hooks: Array.isArray(message.hooks) ? message.hooks : [],
          });
        } else if (message.t === "failed" && !loaded) {
          clearTimeout(timer);
          this.#stop();
          reject(new Error(String(message.reason)));
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

  /** The process's messages, until it ends or sends something that is not a frame. */
  async #readFrames(child: Deno.ChildProcess, onMessage: (m: WorkerMessage) => void) {
    const frames = new FrameReader();
    try {
      for await (const chunk of child.stdout) {
        for (const message of frames.push(chunk)) {
          if (typeof message !== "object" || message === null) throw new TypeError("not a message");
          onMessage(message as WorkerMessage);
        }
      }
    } catch (error) {
      if (child !== this.#child) return;
      this.#log.warn("plugin process sent an unreadable message", {
        reason: error instanceof Error ? error.message : "unknown",
      });
      try {
        child.kill("SIGKILL"); // its exit status restarts it
      } catch {
        // already gone
      }
    }
  }

  #onMessage(message: WorkerMessage): void {
    switch (message.t) {
      case "result":
        this.#settle(message.id)?.resolve(new RenderedResult(message.value, String(message.text)));
        return;
      case "error":
        this.#settle(message.id)?.reject(fromWire(message.error));
        return;
      case "hook-done": {
        const pending = this.#settle(message.id);
        if (message.error) pending?.reject(fromWire(message.error));
        else pending?.resolve(message.value);
        return;
      }
      case "sql":
        void this.#runSql(message.id, message.call, message.kind, message.request);
        return;
      case "log": {
        const level = LEVELS.has(message.level) ? message.level : "info";
        const fields = typeof message.fields === "object" && message.fields !== null
          ? message.fields
          : undefined;
        const ctx = message.call === undefined ? undefined : this.#pending.get(message.call)?.ctx;
        const msg = String(message.msg).slice(0, 10_000);
        if (ctx) ctx.log[level](msg, fields);
        else this.#log.log(level, msg, fields);
        return;
      }
      case "stderr":
        this.options.log.writeRaw(String(message.text));
        return;
    }
  }

  /** A statement from a call in progress, through that call's context (and so the gate). */
  async #runSql(id: number, call: number, kind: "query" | "execute", request: StatementRequest) {
    const ctx = this.#pending.get(call)?.ctx;
    try {
      if (!ctx) {
        throw new ToolError(
          "INVALID_ARGUMENT",
          "A plugin may run SQL only while one of its tool calls is in progress",
        );
      }
      if (kind !== "query" && kind !== "execute") throw new TypeError("unknown statement kind");
      const value = await ctx[kind](request);
      this.#post({ t: "sql-done", id, value });
    } catch (error) {
      this.#post({ t: "sql-done", id, error: toWire(toToolError(error)) });
    }
  }
}

function toWire(error: ToolError): WireError {
  return {
    code: error.code,
    message: error.message,
    ...(error.details ? { details: error.details } : {}),
  };
}

/** A worker's failure as the server's: a known code stays a ToolError, the rest is internal. */
function fromWire(error: WireError): Error {
  if (error && "code" in error && ERROR_CODES.has(error.code)) {
    return new ToolError(
      error.code,
      String(error.message),
      error.details && typeof error.details === "object" ? error.details : undefined,
    );
  }
  const text = error && "internal" in error ? String(error.internal) : "unknown failure";
  return new PluginFailure(text.slice(0, 2_000));
}

/** Whatever a plugin threw that is not a ToolError: logged with its text, answered as internal. */
class PluginFailure extends Error {
  override name = "PluginFailure";
}

/**
 * Why a plugin's process ended, for the caller and the log: V8's heap limit,
 * a signal, or an exit code. The process's own stderr is read for the first
 * only; its text (paths, stack traces) is never shown.
 */
function describeExit(status: Deno.CommandStatus, stderr: string, limitMb: number): string {
  if (/out of memory|heap limit|allocation failed/i.test(stderr)) {
    return `ran out of memory (its limit is ${limitMb} MB); its process was stopped`;
  }
  if (status.signal) return `stopped with signal ${status.signal}`;
  const detail = firstUsefulLine(stderr);
  return `exited with code ${status.code}${detail ? `: ${detail}` : ""}`;
}

/** Deno's one-line reason for a module that does not load, without paths or colour codes. */
function firstUsefulLine(stderr: string): string {
  // deno-lint-ignore no-control-regex
  const plain = stderr.replace(/\x1b\[[0-9;]*m/g, "");
  const line = plain.split("\n").map((l) => l.trim()).find((l) => /^error:/i.test(l)) ?? "";
  return line.replace(/^error:\s*/i, "").replace(/(file|data):\/\/\S+/g, "<module>").slice(0, 300);
}

/** The last few KB a process wrote to stderr: read for the exit reason, never shown whole. */
class StderrTail {
  text = "";
  done: Promise<void> = Promise.resolve();

  collect(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    this.done = (async () => {
      try {
        for await (const chunk of stream) {
          this.text = (this.text + decoder.decode(chunk, { stream: true })).slice(-8_192);
        }
      } catch {
        // the process is gone
      }
    })();
    return this.done;
  }
}
