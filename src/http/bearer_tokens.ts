import type { HttpConfig } from "../config/config.ts";
import type { Caller } from "../gate/caller_scope.ts";

type TokenConfig = HttpConfig["tokens"][number];

/**
 * The static bearer tokens of `[[server.http.tokens]]`, each mapped to a caller (the token's
 * name and scope). Tokens are compared as SHA-256 digests in constant time, against every
 * configured token without stopping at a match, so the time taken says nothing about how
 * much of a token was right or which one matched.
 */
export class BearerTokens {
  readonly #entries: Promise<{ digest: Uint8Array; caller: Caller }[]>;

  constructor(tokens: readonly TokenConfig[]) {
    this.#entries = Promise.all(tokens.map(async (token) => ({
      digest: await sha256(token.token.reveal()),
      caller: Object.freeze({ id: token.name, scope: token.scope }),
    })));
  }

  /**
   * The caller an `Authorization` header's bearer token belongs to; undefined for an absent,
   * malformed or unknown token.
   */
  async authenticate(authorization: string | null): Promise<Caller | undefined> {
    const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(authorization ?? "");
    if (!match) return undefined;
    const presented = await sha256(match[1]);
    let found: Caller | undefined;
    for (const entry of await this.#entries) {
      if (equalDigests(presented, entry.digest) && !found) found = entry.caller;
    }
    return found;
  }
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** Every byte is looked at whatever the others hold. */
function equalDigests(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ (b[i] ?? 0);
  return difference === 0;
}
