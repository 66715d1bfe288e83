import { toToolError } from "../errors/sanitize.ts";
import { type ErrorCode, ToolError } from "../errors/tool_error.ts";
import type { QueryHooks, StatementInfo } from "../gate/hooks.ts";
import type { Logger } from "../log/logger.ts";
import { RenderedResult, type StatementRequest, type ToolContext } from "../tools/tool.ts";
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

export interface PluginWorkerOptions {
  /** A tool call that takes longer ends its worker; a fresh one is started. */
  timeLimitMs: number;
  /** A plugin whose module takes longer to load is skipped (default 30 s). */
  loadLimitMs?: number;
  /** The same for one hook call (a hook runs inside every statement's time). */
  hookTimeLimitMs: number;
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

const LOCKDOWN = new URL("./worker_lockdown.ts", import.meta.url).href;
const RUNTIME = new URL("./plugin_worker.ts", import.meta.url).href;
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
 * One plugin file running in its own Web Worker with no permissions at all.
 * Its tools and hooks are messages to the worker; its context's SQL and log
 * lines are messages back, run here through the call's own context (the SQL
 * gate, the logger and its scrubber). A call or hook that outlives its time
 * limit, or a worker that crashes or grows too large, ends that worker: its
 * calls in flight fail with a clear error and a fresh worker serves the next.
 */
export class PluginWorker {
  readonly #entry: string;
  readonly #log: Logger;
  #worker?: Worker;
  #ready: Promise<PluginDescription>;
  #pending = new Map<number, Pending>();
  #nextId = 0;
  #closed = false;

  private constructor(
    /** The file name, as shown to operators (never the full path). */
    readonly file: string,
    fileUrl: string,
    private readonly options: PluginWorkerOptions,
  ) {
    this.#log = options.log.child({ plugin: file });
    const source = `import ${JSON.stringify(LOCKDOWN)};\n` +
      `import * as plugin from ${JSON.stringify(fileUrl)};\n` +
      `import { servePlugin } from ${JSON.stringify(RUNTIME)};\n` +
      `servePlugin(plugin.default, ${JSON.stringify(file)});\n`;
    // The entry's static imports load with the server's read permission (the plugins
    // folder); the plugin's code then runs with none. The lockdown module comes first, so
    // it runs before the plugin's. A data: URL is the same for the same file, so a type
    // check of it (deno test checks what workers load) is cached.
    this.#entry = `data:application/javascript,${encodeURIComponent(source)}`;
    this.#ready = this.#spawn();
  }

  /** Starts `path`'s worker; rejects with the reason when the file does not load as a plugin. */
  static async start(
    path: string,
    file: string,
    options: PluginWorkerOptions,
  ): Promise<{ worker: PluginWorker; description: PluginDescription }> {
    const worker = new PluginWorker(file, toFileUrl(path), options);
    try {
      return { worker, description: await worker.#ready };
    } catch (error) {
      worker.close();
      throw error;
    }
  }

  /** Calls tool `name` in the worker; resolves with its result and rendered text. */
  async call(name: string, args: unknown, ctx: ToolContext): Promise<RenderedResult> {
    await this.#ready;
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

  /** Runs hook `hook` in the worker; resolves with what the hook returned. */
  async hook(hook: HookName, info: StatementInfo, payload?: unknown): Promise<unknown> {
    await this.#ready;
    const id = ++this.#nextId;
    return await this.#request(
      id,
      `${hook} hook`,
      this.options.hookTimeLimitMs,
      undefined,
      { t: "hook", id, hook, info, payload },
    );
  }

  /** The plugin's hooks as the gate calls them: each one a request to this worker. */
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

  /** Whether a call or hook is waiting on this worker. */
  get busy(): boolean {
    return this.#pending.size > 0;
  }

  /**
   * Ends the current worker: what waits on it fails with `message`, and a
   * fresh worker (the plugin's module loaded anew) serves what comes next.
   */
  restart(message: string, code: ErrorCode = "INTERNAL_ERROR"): void {
    if (this.#closed) return;
    this.#log.warn("plugin worker restarted", { reason: message });
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#failPending(new ToolError(code, message));
    this.#ready = this.#spawn();
    this.#ready.catch((error) =>
      this.#log.error("plugin worker did not restart", { reason: String(error?.message ?? error) })
    );
  }

  close(): void {
    this.#closed = true;
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#failPending(new ToolError("INTERNAL_ERROR", `Plugin ${this.file} is shutting down`));
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
          "its worker was stopped and a fresh one started";
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
    this.#worker?.postMessage(message);
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
    const worker = new Worker(this.#entry, {
      type: "module",
      name: `plugin ${this.file}`,
      deno: { permissions: "none" },
    });
    this.#worker = worker;
    return new Promise<PluginDescription>((resolve, reject) => {
      let loaded = false;
      const limit = this.options.loadLimitMs ?? 30_000;
      const timer = setTimeout(() => {
        worker.terminate();
        reject(new Error(`it did not load within ${limit} ms`));
      }, limit);
      worker.onerror = (event) => {
        event.preventDefault();
        if (worker !== this.#worker) return;
        if (!loaded) {
          clearTimeout(timer);
          worker.terminate();
          reject(new Error(event.message || "its module failed to load"));
          return;
        }
        this.restart(`plugin ${this.file} crashed: ${event.message}`);
      };
      worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
        if (worker !== this.#worker) return;
        const message = event.data;
        if (message.t === "ready" && !loaded) {
          loaded = true;
          clearTimeout(timer);
          resolve({ name: message.name, tools: message.tools, hooks: message.hooks });
        } else if (message.t === "failed" && !loaded) {
          clearTimeout(timer);
          worker.terminate();
          reject(new Error(message.reason));
        } else {
          this.#onMessage(message);
        }
      };
    });
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

function toFileUrl(path: string): string {
  const absolute = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  return new URL(`file://${absolute.split("/").map(encodeURIComponent).join("/")}`).href;
}
