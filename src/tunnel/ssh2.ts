import type { Buffer } from "node:buffer";
import type { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";

/** The part of ssh2's Client the tunnel uses (ssh2 ships no types of its own). */
export interface Ssh2Client extends EventEmitter {
  connect(config: Record<string, unknown>): this;
  forwardOut(
    sourceIp: string,
    sourcePort: number,
    destinationHost: string,
    destinationPort: number,
    callback: (error: (Error & { reason?: number }) | undefined, channel: Duplex) => void,
  ): boolean;
  end(): this;
  destroy(): this;
  setNoDelay(noDelay: boolean): this;
}

interface ParsedKey {
  isPrivateKey(): boolean;
}

export interface Ssh2Module {
  Client: new () => Ssh2Client;
  utils: { parseKey(data: Buffer, passphrase?: string): ParsedKey | ParsedKey[] | Error };
}

let ssh2: Promise<Ssh2Module> | undefined;

/**
 * ssh2 is loaded on first use: most configs have no bastion, and its module
 * evaluation need not delay startup. Its optional native parts (cpu-features,
 * the sshcrypto addon) are not built under Deno; ssh2 then uses its pure-JS
 * and node:crypto paths, which is what runs here.
 */
export function loadSsh2(): Promise<Ssh2Module> {
  ssh2 ??= import("ssh2").then((module) => (module as { default: Ssh2Module }).default);
  return ssh2;
}
