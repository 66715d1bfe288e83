import { createRemoteJWKSet, errors, jwtVerify } from "jose";
import type { OAuthConfig } from "../config/config.ts";
import type { Caller, CallerScope } from "../gate/caller_scope.ts";

/** What checking an access token found. */
export type OAuthOutcome =
  | { readonly ok: true; readonly caller: Caller }
  /** `reason` is a fixed phrase, never the token or a claim's value. */
  | {
    readonly ok: false;
    /** `unavailable`: the issuer's keys could not be fetched; not the client's fault. */
    readonly error: "invalid_token" | "insufficient_scope" | "unavailable";
    readonly reason: string;
  };

/**
 * Checks JWT access tokens as an OAuth 2.1 resource server: signature against the issuer's
 * JWKS (fetched on first use and again for an unknown key id, by `jose`), issuer, audience,
 * expiry and not-before; then maps the token's scopes to a caller scope. A token holding
 * several mapped scopes gets what any of them grants.
 */
export class OAuthVerifier {
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly config: OAuthConfig) {
    this.#jwks = createRemoteJWKSet(new URL(config.jwksUri));
  }

  /** The scopes this server maps, for the Protected Resource Metadata. */
  get scopesSupported(): string[] {
    return this.config.scopes.map((s) => s.scope);
  }

  async verify(token: string): Promise<OAuthOutcome> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.#jwks, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        clockTolerance: Math.round(this.config.clockToleranceMs / 1000),
        requiredClaims: ["exp"],
      }));
    } catch (error) {
      if (!(error instanceof errors.JOSEError) || error instanceof errors.JWKSTimeout) {
        return {
          ok: false,
          error: "unavailable",
          reason: "the issuer's keys could not be fetched",
        };
      }
      return { ok: false, error: "invalid_token", reason: whyInvalid(error) };
    }
    const held = new Set(scopesOf(payload));
    const grants = this.config.scopes.filter((s) => held.has(s.scope)).map((s) => s.grants);
    if (grants.length === 0) {
      return { ok: false, error: "insufficient_scope", reason: "no scope this server maps" };
    }
    const client = payload[this.config.clientClaim];
    if (typeof client !== "string" || client === "") {
      return { ok: false, error: "invalid_token", reason: `no ${this.config.clientClaim} claim` };
    }
    return { ok: true, caller: { id: `oauth:${client}`, client, scope: unionOf(grants) } };
  }
}

/** `scope` (space-separated, RFC 9068) or `scp` (a list, as some issuers write it). */
function scopesOf(payload: Record<string, unknown>): string[] {
  if (typeof payload.scope === "string") return payload.scope.split(" ").filter(Boolean);
  if (Array.isArray(payload.scp)) return payload.scp.filter((s) => typeof s === "string");
  return [];
}

/** What any of the scopes grants: a field absent in one grant allows everything. */
function unionOf(grants: readonly CallerScope[]): CallerScope {
  const any = <T>(pick: (g: CallerScope) => readonly T[] | undefined) =>
    grants.some((g) => pick(g) === undefined)
      ? undefined
      : [...new Set(grants.flatMap((g) => pick(g) ?? []))];
  const datasources = any((g) => g.datasources);
  const tools = any((g) => g.tools);
  return {
    ...(datasources ? { datasources } : {}),
    ...(grants.every((g) => g.readOnly === true) ? { readOnly: true } : {}),
    ...(tools ? { tools } : {}),
  };
}

/** A fixed phrase for a failed check: never jose's message, which may quote a claim. */
function whyInvalid(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWTExpired) return "expired";
  if (error instanceof errors.JWTClaimValidationFailed) return `${error.claim} claim rejected`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return "signature does not verify";
  if (error instanceof errors.JWKSNoMatchingKey) {
    return "signed with a key the issuer does not list";
  }
  return error.code;
}
