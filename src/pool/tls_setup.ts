import type { Connection as RawConnection, ConnectionOptions } from "mysql2";
import type { Duplex } from "node:stream";
import type { TlsConfig } from "../config/config.ts";
import { ToolError } from "../errors/tool_error.ts";
import { DenoSocket, type SocketAddress } from "./deno_socket.ts";

/**
 * Which TLS engine encrypts a connection:
 * - `deno`: Deno.startTls on our own TCP socket. It always checks the chain, can skip the
 *   host name check, and takes no client certificate and no minimum version: so it serves
 *   verify_ca and verify_identity without a client certificate and without `min_version =
 *   "TLSv1.3"`.
 * - `node`: mysql2's own TLS (node:tls), still over our Deno TCP socket: everything else
 *   (preferred and required, which must not verify; client certificates; TLSv1.3 only).
 * A statement costs ~7-20 µs more CPU through Deno.startTls and ~20-45 µs through node:tls
 * (docs/performance.md), hence Deno wherever it can.
 */
export type TlsEngine = "none" | "deno" | "node";

/** What connect() needs to open one connection with `tls`. */
export interface TlsSetup {
  readonly engine: TlsEngine;
  /** mysql2 options to merge: `ssl` and, for the node engine, the name to verify. */
  readonly driverOptions: Pick<ConnectionOptions, "ssl" | "host">;
  /** Our socket to the server, ready for the engine. */
  socket(address: SocketAddress): DenoSocket;
  /**
   * Wires the engine into the connection mysql2 just created, before its handshake starts;
   * `stream` is our socket, or a tunnel's stream (node engine only).
   */
  attach(raw: RawConnection, stream: DenoSocket | Duplex): void;
}

const NO_TLS: TlsSetup = {
  engine: "none",
  driverOptions: {},
  socket: (address) => new DenoSocket(address),
  attach: () => {},
};

/** The engine that serves `tls`; see TlsEngine. */
export function tlsEngine(tls: TlsConfig | undefined): TlsEngine {
  if (!tls || tls.mode === "disabled") return "none";
  const verifies = tls.mode === "verify_ca" || tls.mode === "verify_identity";
  return verifies && tls.cert === undefined && tls.minVersion !== "TLSv1.3" ? "deno" : "node";
}

/**
 * Reads the PEM files of `tls` (each new connection reads them again, so a renewed
 * certificate is used without a restart) and prepares the engine for `host`.
 */
export async function tlsSetup(
  tls: TlsConfig | undefined,
  host: string,
  options: { overStream?: boolean } = {},
): Promise<TlsSetup> {
  // Deno.startTls needs our own TCP socket: over another stream (an SSH tunnel's) only
  // node:tls can encrypt.
  const engine = options.overStream && tlsEngine(tls) === "deno" ? "node" : tlsEngine(tls);
  if (!tls || engine === "none") return NO_TLS;
  const [ca, cert, key] = await Promise.all([
    readPem(tls.ca, "ca"),
    readPem(tls.cert, "cert"),
    readPem(tls.key, "key"),
  ]);
  const serverName = tls.serverName ?? host;
  if (engine === "deno") {
    return {
      engine,
      // mysql2 only needs to know TLS is wanted: it then sends SSLRequest, calls startTLS
      // (replaced below) and treats the channel as secure for authentication.
      driverOptions: { ssl: {} },
      socket: (address) => new DenoSocket(address, { holdAfterGreeting: true }),
      attach(raw, socket) {
        const startTls: TlsHandover = (onSecure) => {
          (socket as DenoSocket).startTls({
            hostname: serverName,
            caCerts: ca === undefined ? [] : [ca],
            unsafelyDisableHostnameVerification: tls.mode === "verify_ca",
          }).then(() => onSecure(), (error) => onSecure(error));
        };
        handOverTls(raw, startTls);
      },
    };
  }
  const verifies = tls.mode === "verify_ca" || tls.mode === "verify_identity";
  return {
    engine,
    driverOptions: {
      // mysql2 takes the name the certificate must carry (and SNI) from `host`; the socket
      // connects to the real host either way.
      host: serverName,
      ssl: {
        ca,
        cert,
        key,
        rejectUnauthorized: verifies,
        verifyIdentity: tls.mode === "verify_identity",
        minVersion: tls.minVersion,
      },
    },
    socket: (address) => new DenoSocket(address),
    attach(raw, stream) {
      if (tls.mode !== "preferred") return;
      // mysql2 refuses a server without TLS when `ssl` is set, and reads `config.ssl` only
      // once the greeting is in: clearing it there is how preferred goes on in plain TCP.
      const preferPlain = (greeting: Uint8Array) => {
        if (!offersTls(greeting)) (raw.config as { ssl?: unknown }).ssl = false;
      };
      if (stream instanceof DenoSocket) stream.onGreeting = preferPlain;
      else watchGreeting(stream, preferPlain);
    },
  };
}

/** Calls `seen` with the server's greeting on a stream that is not ours, before mysql2 reads it. */
function watchGreeting(stream: Duplex, seen: (greeting: Uint8Array) => void) {
  let bytes = new Uint8Array(0);
  const listener = (chunk: Uint8Array) => {
    const more = new Uint8Array(bytes.length + chunk.length);
    more.set(bytes);
    more.set(chunk, bytes.length);
    bytes = more;
    const size = bytes.length >= 4 ? 4 + (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16)) : Infinity;
    if (bytes.length < size) return;
    stream.removeListener("data", listener);
    seen(bytes.subarray(0, size));
  };
  // First in line, so the decision is made before mysql2's handshake reads the same bytes.
  stream.prependListener("data", listener);
}

/** CLIENT_SSL in the capability flags of a protocol-10 greeting (header included). */
export function offersTls(greeting: Uint8Array): boolean {
  // header (4), protocol version (1), server version (NUL-terminated), thread id (4),
  // scramble part 1 (8), filler (1), then the low 16 capability bits.
  const versionEnd = greeting.indexOf(0, 5);
  const flags = versionEnd + 1 + 4 + 8 + 1;
  if (greeting[4] !== 10 || versionEnd < 0 || flags + 2 > greeting.length) return false;
  return ((greeting[flags] | (greeting[flags + 1] << 8)) & 0x0800) !== 0;
}

type TlsHandover = (onSecure: (error?: unknown) => void) => void;

/**
 * mysql2 hands its stream over to TLS in Connection#startTLS, called right after it sent
 * SSLRequest; replacing it on our own connection keeps mysql2's handshake (capability flags,
 * SSLRequest, authentication over a secure channel) and swaps only the TLS engine.
 */
function handOverTls(raw: RawConnection, startTls: TlsHandover) {
  const connection = raw as unknown as { startTLS?: TlsHandover };
  if (typeof connection.startTLS !== "function") {
    throw new ToolError(
      "CONNECTION_FAILED",
      "Cannot connect: this mysql2 version has no TLS hand-over (Connection#startTLS)",
    );
  }
  connection.startTLS = startTls;
}

async function readPem(path: string | undefined, field: string): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "does not exist"
      : error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
      ? "may not be read (Deno permissions)"
      : "cannot be read";
    throw new ToolError(
      "CONNECTION_FAILED",
      `Cannot connect: the TLS ${field} file ${why}; check [datasources.tls] ${field}`,
      { transient: false, code: "TLS_FILE" },
    );
  }
}
