import { z } from "zod";
import { duration, flag, patterned, requiredText, stringList } from "./fields.ts";
import { section, type Warn } from "./section.ts";

const NO_SCOPES =
  "must map at least one scope ([[server.http.oauth.scopes]]): a token without a mapped scope can do nothing";

/** An absolute http(s) URL. */
const url = patterned(/^https?:\/\/[^\s/]+/, "must be an absolute http(s) URL");

/** One `[[server.http.oauth.scopes]]`: what holding an OAuth scope lets a client do. */
function scopeSchema(warn: Warn) {
  return section({
    /** The scope as the authorization server writes it in a token's `scope` claim. */
    scope: patterned(/^[\x21\x23-\x5b\x5d-\x7e]+$/, "must be one OAuth scope token"),
    datasources: stringList.optional(),
    readOnly: flag.default(false),
    tools: stringList.optional(),
  }, { warn, where: (raw) => `oauth scope ${JSON.stringify(raw.scope ?? "?")}` })
    .transform(({ scope, ...grants }) => ({ scope, grants: callerGrants(grants) }));
}

/** What a token or an OAuth scope allows, with only the limits actually set. */
export function callerGrants<List extends readonly string[]>(
  { datasources, readOnly, tools }: { datasources?: List; readOnly?: boolean; tools?: List },
) {
  return {
    ...(datasources !== undefined ? { datasources } : {}),
    ...(readOnly ? { readOnly } : {}),
    ...(tools !== undefined ? { tools } : {}),
  };
}

/**
 * `[server.http.oauth]`: this server as an OAuth 2.1 resource server. Access tokens are JWTs
 * checked for issuer, audience, expiry and signature against the issuer's JWKS; the token's
 * scopes map to caller scopes through `[[server.http.oauth.scopes]]`.
 */
export function oauthSchema(warn: Warn) {
  return section({
    /** The `iss` every token must carry; listed as the authorization server. */
    issuer: url,
    /** The `aud` every token must carry: this server's resource identifier (its /mcp URL). */
    audience: requiredText,
    /** Where the issuer publishes its signing keys. */
    jwksUri: url,
    /** The claim that names the client in logs, metrics and stream ownership. */
    clientClaim: requiredText.default("sub"),
    /** Leeway for `exp` and `nbf` between this server's clock and the issuer's. */
    clockToleranceMs: duration.prefault("30s"),
    scopes: z.array(scopeSchema(warn), {
      error: (issue) => issue.input === undefined ? NO_SCOPES : "must be an array of tables",
    }).min(1, { error: NO_SCOPES }),
  }, { warn, where: "oauth" }).readonly();
}
