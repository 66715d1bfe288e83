/**
 * Inside a plugin's process: the one line to the server. Messages come in on
 * stdin and go out on stdout as frames (frames.ts). The real stdio handles are
 * captured here, before the lockdown takes them from the plugin, so that a
 * plugin's writes can only become messages, never bytes in the channel.
 */
import { encodeFrame, FrameReader } from "./frames.ts";
import type { HostMessage, WorkerMessage } from "./protocol.ts";

/** Kept before the plugin runs: a plugin that replaces the global breaks only itself. */
export const stringify = JSON.stringify;
const stdout = Deno.stdout;
const stdin = Deno.stdin;
const writeSync = stdout.writeSync.bind(stdout);
const read = stdin.read.bind(stdin);
/** The real exit: the process ends when the server closes the channel. */
export const exitProcess: (code?: number) => never = Deno.exit.bind(Deno);

/**
 * Sends `message` to the server. Throws when it cannot be sent as JSON (a
 * BigInt, a cycle), so the caller can answer with an error instead.
 */
export function post(message: WorkerMessage): void {
  let frame = encodeFrame(message);
  // Blocking writes keep frames whole and in order; the server always reads.
  while (frame.byteLength > 0) frame = frame.subarray(writeSync(frame));
}

/** Calls `handler` with every message from the server; ends the process when the server goes. */
export async function receive(handler: (message: HostMessage) => void): Promise<void> {
  const reader = new FrameReader();
  const buffer = new Uint8Array(256 * 1024);
  for (;;) {
    let n: number | null;
    try {
      n = await read(buffer);
    } catch {
      n = null;
    }
    if (n === null) exitProcess(0);
    for (const message of reader.push(buffer.slice(0, n))) handler(message as HostMessage);
  }
}

/** Gives up each of `names`; one still granted afterwards ends the process, reason sent. */
export function dropPermissions(names: readonly Deno.PermissionDescriptor["name"][]): void {
  for (const name of names) Deno.permissions.revokeSync({ name });
  const left = names.filter((name) => Deno.permissions.querySync({ name }).state === "granted");
  if (left.length > 0) {
    post({ t: "failed", reason: `the plugin process could not drop ${left.join(", ")}` });
    exitProcess(1);
  }
}
