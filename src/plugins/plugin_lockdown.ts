/**
 * Runs first in every plugin's process, before the plugin's own module: the
 * process was started without permissions, and this takes away what needs
 * none. stdin and stdout are the channel to the server (plugin_channel.ts
 * captured them), so a plugin gets neither; its stderr writes and console
 * output become messages the server writes through its secret scrubber.
 * `Deno.exit` throws instead of ending the process (a tool error is clearer
 * than a restart). Deno's internals are removed and the shared prototypes made
 * tamper-proof, so a plugin cannot break its own validation and hooks.
 *
 * Whatever a plugin does beyond this (allocating without end, a process-wide
 * V8 flag, killing itself) ends only its own process; the server starts a
 * fresh one. Only the plugin process imports this module.
 */
import { CONSOLE_LEVELS } from "../log/route_console.ts";
import process from "node:process";
import { dropPermissions, post } from "./plugin_channel.ts";

const inspect = Deno.inspect;
const decoder = new TextDecoder();

/** Every kind but read, which loading the plugin's modules needs (plugin_runtime.ts drops it). */
const ALL_BUT_READ = ["write", "net", "env", "run", "ffi", "sys", "import"] as const;

dropAllButRead();
lockDown();

/**
 * Started by `deno run` the process holds only read of the plugin's folder
 * and the server's source; a compiled server starts it as itself, with the
 * server's own grants, which go here, before any plugin code runs. Anything
 * still granted afterwards ends the process.
 */
function dropAllButRead(): void {
  dropPermissions(ALL_BUT_READ);
}

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
  // Storage that outlives the process and is shared by every plugin (Deno keeps it under its
  // cache folder, needing no permission): a plugin gets none.
  const global = globalThis as unknown as Record<string, unknown>;
  for (const name of ["localStorage", "sessionStorage", "caches", "CacheStorage", "Cache"]) {
    Object.defineProperty(global, name, { value: undefined, configurable: false });
  }
  // Node's streams write to the same file descriptors: the channel would get stray bytes.
  for (const stream of [process.stdout, process.stderr]) {
    Object.defineProperty(stream, "write", {
      value: (chunk: unknown, ...rest: unknown[]) => {
        const text = typeof chunk === "string" ? chunk : decoder.decode(chunk as Uint8Array);
        post({ t: "stderr", text });
        const done = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
        done?.();
        return true;
      },
      configurable: false,
    });
  }
  process.exit = (() => {
    throw new Error("process.exit is not available to plugins: return or throw from the handler");
  }) as typeof process.exit;

  // A plugin's stray rejection or timer throw is logged; the process keeps serving.
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
      TextDecoder,
      TextEncoder,
      DataView,
      ArrayBuffer,
    ]
  ) {
    tamperProof(intrinsic.prototype);
  }
  for (const namespace of [JSON, Math, Reflect]) tamperProof(namespace);
}
