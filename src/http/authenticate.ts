import type { HttpConfig } from "../config/config.ts";
import type { Caller } from "../gate/caller_scope.ts";
import type { Logger } from "../log/logger.ts";
import { jsonRpcError } from "../mcp/http_sessions.ts";
import { BearerTokens } from "./bearer_tokens.ts";
import { OAuthVerifier } from "./oauth_verifier.ts";

/** Who sent a request (undefined: anonymous, no credentials configured), or the refusal. */
export type Authentication = { readonly caller: Caller | undefined } | {
  readonly refusal: Response;
};

/** Where OAuth clients learn how to get a token for this server (RFC 9728). */
export const PROTECTED_RESOURCE_PATH = "/.well-known/oauth-protected-resource";

export interface Authenticator {
  /** True when requests must carry a credential (tokens or OAuth configured). */
  readonly required: boolean;
  authenticate(request: Request): Promise<Authentication>;
  /** The Protected Resource Metadata, or undefined when OAuth is not configured. */
  resourceMetadata(): Response | undefined;
}

/**
 * Bearer credentials for the HTTP transport: static tokens from `[[server.http.tokens]]`, and
 * JWT access tokens when `[server.http.oauth]` is set. Refusals follow RFC 6750 and the MCP
 * authorization spec: 401 with `WWW-Authenticate: Bearer` (pointing OAuth clients at the
 * resource metadata), 403 `insufficient_scope`. No refusal or log line carries the token.
 */
export function createAuthenticator(http: HttpConfig, log: Logger): Authenticator {
  const tokens = http.tokens.length > 0 ? new BearerTokens(http.tokens) : undefined;
  const oauth = http.oauth ? new OAuthVerifier(http.oauth) : undefined;
  const metadataUrl = (request: Request) =>
    `${new URL(request.url).origin}${PROTECTED_RESOURCE_PATH}${http.path}`;

  const challenge = (request: Request, fields: Record<string, string>) => {
    const all = {
      realm: "mysql-mcp",
      ...(oauth ? { resource_metadata: metadataUrl(request) } : {}),
      ...fields,
    };
    return `Bearer ${Object.entries(all).map(([k, v]) => `${k}="${v}"`).join(", ")}`;
  };
  const refuse = (status: number, message: string, wwwAuthenticate: string) => ({
    refusal: jsonRpcError(status, -32001, message, { "www-authenticate": wwwAuthenticate }),
  });

  return {
    required: tokens !== undefined || oauth !== undefined,
    async authenticate(request) {
      if (!tokens && !oauth) return { caller: undefined };
      const header = request.headers.get("authorization");
      // RFC 6750: no error code when no credentials were sent.
      if (header === null) {
        return refuse(
          401,
          "Unauthorized: send Authorization: Bearer <token>",
          challenge(request, {}),
        );
      }
      const caller = await tokens?.authenticate(header);
      if (caller) return { caller };
      const jwt = /^Bearer +([\w-]+\.[\w-]+\.[\w-]+) *$/i.exec(header)?.[1];
      if (oauth && jwt) {
        const outcome = await oauth.verify(jwt);
        if (outcome.ok) return { caller: outcome.caller };
        log.warn("access token refused", { error: outcome.error, reason: outcome.reason });
        if (outcome.error === "unavailable") {
          return { refusal: jsonRpcError(503, -32000, "Cannot check access tokens right now") };
        }
        if (outcome.error === "insufficient_scope") {
          return refuse(
            403,
            "Forbidden: the access token holds no scope this server grants",
            challenge(request, {
              error: "insufficient_scope",
              scope: oauth.scopesSupported.join(" "),
            }),
          );
        }
        return refuse(
          401,
          `Unauthorized: the access token is not valid (${outcome.reason})`,
          challenge(request, { error: "invalid_token" }),
        );
      }
      return refuse(
        401,
        "Unauthorized: the token is not valid",
        challenge(request, { error: "invalid_token" }),
      );
    },
    resourceMetadata() {
      if (!oauth || !http.oauth) return undefined;
      return Response.json({
        resource: http.oauth.audience,
        authorization_servers: [http.oauth.issuer],
        scopes_supported: oauth.scopesSupported,
        bearer_methods_supported: ["header"],
        resource_name: "mysql-mcp",
      }, { headers: { "cache-control": "max-age=300" } });
    },
  };
}
