/**
 * A protocol-level stand-in for a MySQL 8 server's login, for the authentication paths no
 * MariaDB here can show: it speaks the handshake (protocol 10), switches the client to the
 * account's plugin, and checks the answer as MySQL 8 does:
 * - caching_sha2_password: the scramble (fast path, when the password's hash is cached),
 *   else full authentication: the password as is over a secure transport (here a unix
 *   socket), or RSA-encrypted with the server's public key over plain TCP (the key is sent
 *   when the client asks for it). Decryption uses WebCrypto, an implementation independent
 *   of the node:crypto the client encrypts with.
 * - mysql_clear_password: the password as is.
 * - any other name (e.g. client_ed25519): announced; no client of ours can answer it.
 * After login every command is answered OK, which is all connect()'s session init needs.
 * Packets are written here from the protocol documentation, not with mysql2's server code,
 * so the client is not checked against itself.
 */

export interface FakeMysql8Options {
  /** Where to listen: a loopback TCP port (0: any free one) or a unix socket path. */
  readonly listen: { readonly port: number } | { readonly path: string };
  /** The account's plugin; the greeting always advertises caching_sha2_password, as MySQL 8 does. */
  readonly plugin: "caching_sha2_password" | "mysql_clear_password" | string;
  readonly user: string;
  readonly password: string;
  /** caching_sha2_password: the password's hash is already in the server's cache (fast path). */
  readonly cached?: boolean;
}

export interface FakeMysql8Server {
  /** The TCP port, when listening on TCP. */
  readonly port?: number;
  /** What each login went through, e.g. "switch:caching_sha2_password", "fast-auth", "rsa-key-sent", "full-auth:rsa", "ok". */
  readonly events: string[];
  close(): Promise<void>;
}

type Bytes = Uint8Array<ArrayBuffer>;

const CAPABILITIES = 0x1 | 0x8 | 0x200 | 0x2000 | 0x8000 | 0x20000 | 0x80000 | 0x100000 |
  0x200000;
const PLUGIN_AUTH_LENENC = 0x200000;
const SECURE_CONNECTION = 0x8000;
const CONNECT_WITH_DB = 0x8;
const PLUGIN_AUTH = 0x80000;

export async function startFakeMysql8(options: FakeMysql8Options): Promise<FakeMysql8Server> {
  const listener = "port" in options.listen
    ? Deno.listen({ hostname: "127.0.0.1", port: options.listen.port })
    : Deno.listen({ transport: "unix", path: options.listen.path });
  const keys = await crypto.subtle.generateKey(
    {
      name: "RSA-OAEP",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-1",
    },
    true,
    ["encrypt", "decrypt"],
  );
  const publicPem = pem(new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey)));
  const events: string[] = [];
  let cached = options.cached ?? false;
  const conns = new Set<Deno.Conn>();
  const serving = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      void login(new Wire(conn)).catch(() => {}).finally(() => {
        conns.delete(conn);
        try {
          conn.close();
        } catch { /* closed */ }
      });
    }
  })().catch(() => {});

  async function login(wire: Wire) {
    const nonce = scramble();
    await wire.send(greeting(nonce));
    const response = parseHandshakeResponse(await wire.receive());
    if (response.user !== options.user) return await wire.send(error(1045, "Access denied"));
    let authData = response.authData;
    let seed = nonce;
    if (response.plugin !== options.plugin) {
      events.push(`switch:${options.plugin}`);
      seed = scramble();
      const data = options.plugin === "caching_sha2_password" ? [...seed, 0] : [];
      await wire.send(concat(
        [0xfe],
        text(options.plugin),
        [0],
        data,
      ));
      authData = await wire.receive();
    }
    let accepted: boolean;
    if (options.plugin === "caching_sha2_password") {
      accepted = await cachingSha2(wire, authData, seed);
    } else if (options.plugin === "mysql_clear_password") {
      accepted = decode(authData) === `${options.password}\0`;
      events.push("clear-password");
    } else {
      return; // the client gives up on a plugin it does not know
    }
    if (!accepted) return await wire.send(error(1045, "Access denied"));
    events.push("ok");
    await wire.send(ok());
    for (;;) {
      wire.reset();
      const command = await wire.receive();
      if (command[0] === 0x01) return; // COM_QUIT
      await wire.send(ok());
    }
  }

  async function cachingSha2(wire: Wire, token: Bytes, seed: Bytes) {
    const expected = await sha2Token(options.password, seed);
    if (cached) {
      if (!equal(token, expected)) return false;
      events.push("fast-auth");
      await wire.send([0x01, 0x03]);
      return true;
    }
    await wire.send([0x01, 0x04]); // perform full authentication
    let answer = await wire.receive();
    let how = "cleartext";
    if (answer.length === 1 && answer[0] === 0x02) {
      events.push("rsa-key-sent");
      await wire.send(concat([0x01], text(publicPem)));
      answer = await wire.receive();
      const plain = new Uint8Array(
        await crypto.subtle.decrypt({ name: "RSA-OAEP" }, keys.privateKey, answer),
      );
      answer = plain.map((byte, i) => byte ^ seed[i % seed.length]);
      how = "rsa";
    }
    if (decode(answer) !== `${options.password}\0`) return false;
    events.push(`full-auth:${how}`);
    cached = true; // as MySQL 8 does: the next login takes the fast path
    return true;
  }

  return {
    port: "port" in options.listen ? (listener.addr as Deno.NetAddr).port : undefined,
    events,
    async close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed */ }
      }
      await serving;
    },
  };
}

/** Packet framing: 3-byte length, 1-byte sequence id, payload. */
class Wire {
  #sequence = 0;
  #buffer: Bytes = new Uint8Array(0);
  constructor(readonly conn: Deno.Conn) {}

  reset() {
    this.#sequence = 0;
  }

  async send(payload: ArrayLike<number>) {
    const packet = new Uint8Array(4 + payload.length);
    packet.set([payload.length & 0xff, (payload.length >> 8) & 0xff, payload.length >> 16]);
    packet[3] = this.#sequence++ & 0xff;
    packet.set(payload, 4);
    for (let offset = 0; offset < packet.length;) {
      offset += await this.conn.write(packet.subarray(offset));
    }
  }

  async receive(): Promise<Bytes> {
    for (;;) {
      if (this.#buffer.length >= 4) {
        const length = this.#buffer[0] | (this.#buffer[1] << 8) | (this.#buffer[2] << 16);
        if (this.#buffer.length >= 4 + length) {
          this.#sequence = this.#buffer[3] + 1;
          const payload = this.#buffer.slice(4, 4 + length);
          this.#buffer = this.#buffer.slice(4 + length);
          return payload;
        }
      }
      const chunk = new Uint8Array(65536);
      const n = await this.conn.read(chunk);
      if (n === null) throw new Error("client closed");
      this.#buffer = concat(this.#buffer, chunk.subarray(0, n));
    }
  }
}

function greeting(nonce: Bytes): Bytes {
  const caps = CAPABILITIES;
  return concat(
    [10],
    text("8.0.36-fake"),
    [0],
    [7, 0, 0, 0], // connection id
    nonce.subarray(0, 8),
    [0],
    [caps & 0xff, (caps >> 8) & 0xff],
    [255], // utf8mb4_0900_ai_ci
    [2, 0], // status: autocommit
    [(caps >> 16) & 0xff, (caps >> 24) & 0xff],
    [21],
    new Uint8Array(10),
    nonce.subarray(8, 20),
    [0],
    text("caching_sha2_password"),
    [0],
  );
}

function parseHandshakeResponse(payload: Bytes) {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const caps = view.getUint32(0, true);
  let at = 32;
  const nulTerminated = () => {
    const end = payload.indexOf(0, at);
    const value = decode(payload.subarray(at, end));
    at = end + 1;
    return value;
  };
  const user = nulTerminated();
  let authLength: number;
  if (caps & PLUGIN_AUTH_LENENC) {
    authLength = payload[at++]; // short answers only: lengths below 251 are one byte
  } else if (caps & SECURE_CONNECTION) {
    authLength = payload[at++];
  } else {
    authLength = payload.indexOf(0, at) - at;
  }
  const authData = payload.slice(at, at + authLength);
  at += authLength;
  if (caps & CONNECT_WITH_DB) nulTerminated();
  const plugin = caps & PLUGIN_AUTH ? nulTerminated() : "mysql_native_password";
  return { user, authData, plugin };
}

async function sha2Token(password: string, seed: Bytes): Promise<Bytes> {
  const sha256 = async (data: Bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  const stage1 = await sha256(new TextEncoder().encode(password));
  const stage2 = await sha256(stage1);
  const stage3 = await sha256(concat(stage2, seed));
  return stage1.map((byte, i) => byte ^ stage3[i]);
}

function ok(): Uint8Array {
  return new Uint8Array([0x00, 0, 0, 2, 0, 0, 0]);
}

function error(code: number, message: string): Uint8Array {
  return concat([0xff, code & 0xff, code >> 8], text("#28000"), text(message));
}

/** 20 random bytes without NUL, which would end the greeting's second part early. */
function scramble(): Bytes {
  return crypto.getRandomValues(new Uint8Array(20)).map((byte) => (byte % 126) + 1);
}

function pem(spki: Uint8Array): string {
  const base64 = btoa(String.fromCharCode(...spki)).match(/.{1,64}/g)!.join("\n");
  return `-----BEGIN PUBLIC KEY-----\n${base64}\n-----END PUBLIC KEY-----\n`;
}

function text(value: string): Bytes {
  return new TextEncoder().encode(value);
}

function decode(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function concat(...parts: ArrayLike<number>[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
