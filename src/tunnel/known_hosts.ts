import { Buffer } from "node:buffer";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** One usable line of an OpenSSH known_hosts file. */
interface KnownHostLine {
  /** Comma-separated patterns, or one `|1|salt|hash` hashed name. */
  readonly hosts: string;
  /** `@revoked`: this key is refused for the hosts it names. */
  readonly revoked: boolean;
  /** e.g. `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`. */
  readonly keyType: string;
  /** The public key blob, as the server sends it in the key exchange. */
  readonly key: Uint8Array;
}

/** What known_hosts says about the key a bastion showed. */
export type HostKeyVerdict =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly why: "unknown" | "changed" | "revoked" };

/**
 * The parsed known_hosts of one bastion: which keys it may show. Only the
 * host names are matched (as OpenSSH writes them: `host` on port 22,
 * `[host]:port` otherwise; plain, wildcard, negated or hashed); there is no
 * CheckHostIP and no `@cert-authority` (lines with it are skipped).
 */
export class KnownHosts {
  readonly #lines: readonly KnownHostLine[];

  private constructor(lines: readonly KnownHostLine[]) {
    this.#lines = lines;
  }

  /** Parses known_hosts text; lines it cannot use are skipped, like OpenSSH does. */
  static parse(text: string): KnownHosts {
    const lines: KnownHostLine[] = [];
    for (const raw of text.split(/\r?\n/)) {
      const fields = raw.trim().split(/\s+/);
      if (fields[0] === "" || fields[0].startsWith("#")) continue;
      const marker = fields[0].startsWith("@") ? fields.shift() : undefined;
      if (marker !== undefined && marker !== "@revoked") continue;
      const [hosts, keyType, base64] = fields;
      if (!hosts || !keyType || !base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) continue;
      lines.push({
        hosts,
        revoked: marker === "@revoked",
        keyType,
        key: Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)),
      });
    }
    return new KnownHosts(lines);
  }

  /** Whether `key` (the blob the bastion showed) is the one listed for `host`:`port`. */
  verdict(host: string, port: number, key: Uint8Array): HostKeyVerdict {
    const lines = this.#linesFor(host, port);
    if (lines.some((line) => line.revoked && sameBytes(line.key, key))) {
      return { accepted: false, why: "revoked" };
    }
    const listed = lines.filter((line) => !line.revoked);
    if (listed.some((line) => sameBytes(line.key, key))) return { accepted: true };
    return { accepted: false, why: listed.length === 0 ? "unknown" : "changed" };
  }

  /** The key types listed for `host`:`port`, so the key exchange can ask for one of those. */
  keyTypes(host: string, port: number): string[] {
    return [
      ...new Set(this.#linesFor(host, port).filter((l) => !l.revoked).map((l) => l.keyType)),
    ];
  }

  #linesFor(host: string, port: number): KnownHostLine[] {
    const name = port === 22 ? host.toLowerCase() : `[${host.toLowerCase()}]:${port}`;
    return this.#lines.filter((line) => namesHost(line.hosts, name));
  }
}

/** `SHA256:` and the unpadded base64 of the key's SHA-256, as `ssh-keygen -l` shows it. */
export function fingerprint(key: Uint8Array): string {
  const digest = createHash("sha256").update(key).digest("base64");
  return `SHA256:${digest.replace(/=+$/, "")}`;
}

/** Whether a known_hosts host field names `name`: a negated match wins over any other. */
function namesHost(hosts: string, name: string): boolean {
  if (hosts.startsWith("|1|")) return hashedNameMatches(hosts, name);
  let matched = false;
  for (const pattern of hosts.toLowerCase().split(",")) {
    const negated = pattern.startsWith("!");
    if (!globMatches(negated ? pattern.slice(1) : pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** `|1|salt|hash`: HMAC-SHA1 of the name, keyed with the salt (`HashKnownHosts yes`). */
function hashedNameMatches(field: string, name: string): boolean {
  const [, , salt, hash] = field.split("|");
  if (!salt || !hash) return false;
  try {
    const expected = Buffer.from(hash, "base64");
    const actual = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest();
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  } catch {
    return false;
  }
}

/** OpenSSH patterns: `*` any run of characters, `?` one character. */
function globMatches(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === name;
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(
    /\?/g,
    ".",
  );
  return new RegExp(`^${source}$`).test(name);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
