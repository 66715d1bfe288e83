/**
 * Runs first in every plugin worker, before the plugin's own module: the
 * worker already has no permissions, and this takes away what needs none.
 * stdout belongs to MCP and stdin carries the client's requests, so a plugin
 * gets neither; its stderr writes and console output become messages the
 * server writes through its secret scrubber. `Deno.exit` would end the worker
 * silently; it throws instead. Deno's internals (raw ops) are removed, and the
 * shared prototypes made tamper-proof.
 *
 * The server imports this module too, so that it is part of the module graph
 * Deno lets a worker load without read permission; it does nothing outside a
 * worker.
 */
import { CONSOLE_LEVELS } from "../log/route_console.ts";
import type { WorkerMessage } from "./protocol.ts";

const IN_WORKER = "WorkerGlobalScope" in globalThis;
// A worker's global scope; typed by hand, since this module is checked with the server's lib.
const scope = globalThis as unknown as { postMessage?(message: unknown): void };
const postMessage = IN_WORKER ? scope.postMessage!.bind(scope) : () => {};
const inspect = Deno.inspect;
/** Kept before the plugin runs: a plugin that replaces the global breaks only itself. */
export const stringify = JSON.stringify;
const decoder = new TextDecoder();

/** Posts to the server; captured before the plugin could replace the global. */
export function post(message: WorkerMessage): void {
  postMessage(message);
}

if (IN_WORKER) lockDown();

function lockDown(): void {
  const console = globalThis.console as unknown as Record<string, unknown>;
  for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
    console[method] = (...args: unknown[]) => {
      const msg = args.map((a) => typeof a === "string" ? a : inspect(a)).join(" ");
      post({ t: "log", level, msg, fields: { source: "console" } });
    };
  }

  /** stderr (and stdout, which is not the plugin's) as text for the server to write. */
  function forwardingWriter() {
    const forward = (bytes: Uint8Array) => {
      post({ t: "stderr", text: decoder.decode(bytes) });
      return bytes.byteLength;
    };
    return {
      writeSync: forward,
      write: (bytes: Uint8Array) => Promise.resolve(forward(bytes)),
      isTerminal: () => false,
      close() {},
    };
  }

  const deno = Deno as unknown as Record<string | symbol, unknown>;
  Object.defineProperty(Deno, "stderr", { value: forwardingWriter(), configurable: false });
  Object.defineProperty(Deno, "stdout", { value: forwardingWriter(), configurable: false });
  Object.defineProperty(Deno, "stdin", { value: undefined, configurable: false });
  Object.defineProperty(Deno, "exit", {
    value: () => {
      throw new Error("Deno.exit is not available to plugins: return or throw from the handler");
    },
    configurable: false,
  });
  delete deno[(Deno as unknown as { internal: symbol }).internal];

  // A plugin's stray rejection or timer throw is logged; the worker keeps serving.
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    post({
      t: "log",
      level: "error",
      msg: "unhandled rejection in a plugin",
      fields: { error: String(event.reason) },
    });
  });
  globalThis.addEventListener("error", (event) => {
    event.preventDefault();
    post({
      t: "log",
      level: "error",
      msg: "uncaught error in a plugin",
      fields: { error: String(event.error ?? event.message) },
    });
  });

  // Shared prototypes are tamper-proof: a plugin that adds to or replaces what they hold
  // (by accident or not) gets a TypeError instead of breaking its own validation, hooks
  // and later calls. Each method becomes an accessor whose setter refuses a change to
  // the prototype but still lets an instance get its own property (`error.name = ...`),
  // which plain freezing would break (JavaScript's "override mistake").
  function tamperProof(target: object): void {
    for (const key of Reflect.ownKeys(target)) {
      const descriptor = Object.getOwnPropertyDescriptor(target, key);
      if (!descriptor || !("value" in descriptor) || !descriptor.configurable) continue;
      const value = descriptor.value;
      Object.defineProperty(target, key, {
        get: () => value,
        set(this: object, replacement: unknown) {
          if (this === target) {
            throw new TypeError(`Plugins cannot change ${String(key)} of a shared prototype`);
          }
          Object.defineProperty(this, key, {
            value: replacement,
            writable: true,
            enumerable: true,
            configurable: true,
          });
        },
        enumerable: descriptor.enumerable,
        configurable: false,
      });
    }
    Object.preventExtensions(target);
  }
  for (
    const intrinsic of [
      Object,
      Function,
      Array,
      String,
      Number,
      Boolean,
      Symbol,
      BigInt,
      Date,
      RegExp,
      Error,
      Promise,
      Map,
      Set,
      Object.getPrototypeOf(Uint8Array),
    ]
  ) {
    tamperProof(intrinsic.prototype);
  }
  for (const namespace of [JSON, Math, Reflect]) tamperProof(namespace);
}
