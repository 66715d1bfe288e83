import { Buffer } from "node:buffer";
import type { Duplex } from "node:stream";
import type { SshConfig } from "../config/config.ts";
import { ToolError } from "../errors/tool_error.ts";
import type { Tunnel } from "../pool/types.ts";
import { fingerprint } from "./known_hosts.ts";
import type { SshKeys } from "./load_ssh_keys.ts";
import { loadSsh2, type Ssh2Client } from "./ssh2.ts";
import {
  bastionAuthRefused,
  bastionUnreachable,
  databaseUnreachableFromBastion,
  forwardTimedOut,
  hostKeyRefused,
  keysUnavailable,
  TUNNEL_LOST,
} from "./ssh_failures.ts";

export interface SshTunnelOptions {
  /** Data source key, for log lines only. */
  readonly name: string;
  readonly ssh: SshConfig;
  /** From loadSshKeys(); a problem (or nothing) fails every connect with that reason. */
  readonly keys: SshKeys | { readonly problem: string } | undefined;
  /** Bounds the SSH handshake and each forward. */
  readonly connectTimeoutMs: number;
  readonly log?: (
    level: "debug" | "info" | "warn" | "error",
    message: string,
    fields?: Record<string, unknown>,
  ) => void;
}

/** One SSH connection and the forwarded channels (database connections) riding on it. */
interface Session {
  readonly client: Ssh2Client;
  readonly channels: Set<Duplex>;
  gone: boolean;
}

// ssh2's preference order; a key type in known_hosts selects these algorithms.
const HOST_KEY_ALGORITHMS: Record<string, readonly string[]> = {
  "ssh-ed25519": ["ssh-ed25519"],
  "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
  "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
  "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
};

/**
 * The SSH tunnel of one data source, shared by all its pools: one SSH
 * connection to the bastion, opened on the first connect, with one forwarded
 * channel (ssh2's forwardOut) per database connection, handed to mysql2 as its
 * stream, so no local port is opened. When the SSH connection drops (bastion
 * restarted, keepalives unanswered), every channel on it fails with
 * SSH_TUNNEL_LOST and the next connect opens a new SSH connection.
 */
export class SshTunnel implements Tunnel {
  readonly kind = "ssh";
  readonly #options: SshTunnelOptions;
  readonly #log: NonNullable<SshTunnelOptions["log"]>;
  #session: Promise<Session> | undefined;
  /** The session #session resolved to, known synchronously so a drop forgets it at once. */
  #live: Session | undefined;
  #closed = false;

  constructor(options: SshTunnelOptions) {
    this.#options = options;
    this.#log = options.log ?? (() => {});
  }

  /** A stream to `host`:`port` as the bastion reaches it; rejects with CONNECTION_FAILED. */
  async openStream(host: string, port: number, signal?: AbortSignal): Promise<Duplex> {
    if (this.#closed) throw new ToolError("CONNECTION_FAILED", "Cannot connect: tunnel closed");
    // The handshake is shared: one caller giving up must not abort it for the others.
    const session = await abortable(this.#sessionPromise(), signal);
    const channel = await abortable(
      this.#forward(session, host, port),
      signal,
      (late) => late.destroy(),
    );
    return channel;
  }

  /** Closes the SSH connection and every channel on it. */
  close(): void {
    this.#closed = true;
    const session = this.#session;
    this.#session = undefined;
    session?.then((s) => {
      s.gone = true;
      s.client.end();
    }, () => {});
  }

  #sessionPromise(): Promise<Session> {
    const current = this.#session ?? this.#open();
    this.#session = current;
    // A failed attempt is forgotten, so the next connect tries again.
    current.catch(() => {
      if (this.#session === current) this.#session = undefined;
    });
    return current;
  }

  async #open(): Promise<Session> {
    const { ssh, keys, connectTimeoutMs } = this.#options;
    if (keys === undefined) throw keysUnavailable("they were not loaded at startup");
    if ("problem" in keys) throw keysUnavailable(keys.problem);
    const { Client } = await loadSsh2();
    const client = new Client();
    const session: Session = { client, channels: new Set(), gone: false };
    let refusal: ToolError | undefined;
    let settled = false;
    return await new Promise<Session>((resolve, reject) => {
      const failEarly = (error: ToolError) => {
        if (settled) return;
        settled = true;
        session.gone = true;
        client.destroy();
        reject(error);
      };
      client.on("ready", () => {
        if (settled) return;
        settled = true;
        // Request and answer are small packets: with Nagle's algorithm on, the second write of
        // a statement waits for the bastion's delayed ACK, ~40 ms per round trip (measured).
        client.setNoDelay(true);
        this.#log("info", "SSH tunnel to the bastion is up", { ssh_port: ssh.port });
        if (this.#closed) {
          client.end();
          return reject(new ToolError("CONNECTION_FAILED", "Cannot connect: tunnel closed"));
        }
        this.#live = session;
        resolve(session);
      });
      client.on("error", (error: { level?: string }) => {
        if (!settled) {
          failEarly(
            refusal ??
              (error.level === "client-authentication"
                ? bastionAuthRefused()
                : bastionUnreachable(error)),
          );
        } else this.#dropped(session, "error");
      });
      client.on("close", () => {
        if (!settled) failEarly(refusal ?? bastionUnreachable({ code: "ECONNRESET" }));
        else this.#dropped(session, "closed");
      });
      const knownTypes = keys.knownHosts.keyTypes(ssh.host, ssh.port);
      const serverHostKey = knownTypes.flatMap((type) => HOST_KEY_ALGORITHMS[type] ?? []);
      try {
        client.connect({
          host: ssh.host,
          port: ssh.port,
          username: ssh.user,
          privateKey: Buffer.from(keys.privateKey),
          passphrase: keys.passphrase?.reveal(),
          readyTimeout: connectTimeoutMs,
          keepaliveInterval: ssh.keepaliveIntervalMs,
          keepaliveCountMax: ssh.keepaliveCountMax,
          // Offer only the key types known_hosts lists, as OpenSSH does: a bastion with an RSA
          // and an Ed25519 key must show the one we can check.
          ...(serverHostKey.length > 0 ? { algorithms: { serverHostKey } } : {}),
          hostVerifier: (key: Buffer) => {
            const verdict = keys.knownHosts.verdict(ssh.host, ssh.port, key);
            if (!verdict.accepted) refusal = hostKeyRefused(verdict.why, fingerprint(key));
            return verdict.accepted;
          },
        });
      } catch {
        // A key that parsed at startup but that ssh2 refuses now: nothing the bastion did.
        failEarly(keysUnavailable("ssh private_key cannot be used"));
      }
    });
  }

  #forward(session: Session, host: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(forwardTimedOut());
      }, this.#options.connectTimeoutMs);
      try {
        session.client.forwardOut("127.0.0.1", 0, host, port, (error, channel) => {
          clearTimeout(timer);
          if (settled) return channel?.destroy();
          settled = true;
          // A forward pending when the SSH connection drops fails too: that is the bastion hop.
          if (session.gone) {
            channel?.destroy();
            return reject(bastionUnreachable({ code: "ECONNRESET" }));
          }
          if (error) return reject(databaseUnreachableFromBastion(error));
          session.channels.add(channel);
          channel.once("close", () => session.channels.delete(channel));
          resolve(channel);
        });
      } catch {
        // ssh2 throws when the connection is no longer open.
        clearTimeout(timer);
        settled = true;
        reject(bastionUnreachable({ code: "ECONNRESET" }));
      }
    });
  }

  /** The SSH connection is gone: fail its channels so their connections leave the pools. */
  #dropped(session: Session, how: string) {
    if (session.gone) return;
    session.gone = true;
    if (this.#live === session) {
      this.#live = undefined;
      this.#session = undefined;
    }
    if (!this.#closed) {
      this.#log("warn", "SSH tunnel to the bastion dropped; the next connect opens it again", {
        how,
        connections: session.channels.size,
      });
    }
    for (const channel of session.channels) {
      // ssh2's Channel.destroy() takes no error: it ends the stream, which mysql2 would report
      // as a plain lost connection. The error first, so the hop is named.
      // Unheard, an error event would throw: only a channel mysql2 holds has a listener.
      if (channel.listenerCount("error") > 0) {
        channel.emit("error", Object.assign(new Error("SSH tunnel lost"), { code: TUNNEL_LOST }));
      }
      channel.destroy();
    }
    session.channels.clear();
    session.client.destroy();
  }
}

/** `promise`, or a CONNECTION_FAILED "aborted" once `signal` fires; a late result goes to `discard`. */
function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  discard?: (late: T) => void,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.then(discard, () => {});
    return Promise.reject(new ToolError("CONNECTION_FAILED", "Cannot connect: aborted"));
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      promise.then(discard, () => {});
      reject(new ToolError("CONNECTION_FAILED", "Cannot connect: aborted"));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then((value) => {
      signal.removeEventListener("abort", onAbort);
      if (signal.aborted) return;
      resolve(value);
    }, (error) => {
      signal.removeEventListener("abort", onAbort);
      reject(error);
    });
  });
}
