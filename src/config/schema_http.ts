import { z } from "zod";
import { duration, flag, patterned, size, stringList, wholeNumber } from "./fields.ts";
import { type ListenAddress, parseListenAddress } from "./listen_address.ts";
import { callerGrants, oauthSchema } from "./schema_oauth.ts";
import { Secret } from "./secret.ts";
import { section, type Warn } from "./section.ts";

/** A bearer token shorter than this is refused: it could be guessed. */
export const MIN_TOKEN_LENGTH = 16;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface HttpSchemaContext {
  warn: Warn;
  /** Reads the variable a token's `env` names. */
  env: (name: string) => string | undefined;
  /** "names": tokens are not read (as for passwords: `permissions`, `compile`). */
  secrets?: "read" | "names";
}

/** `"[host:]port"` as a listen address. */
const listen = z.unknown().transform((value, ctx): ListenAddress => {
  try {
    if (typeof value === "number") return parseListenAddress(String(value));
    if (typeof value === "string") return parseListenAddress(value);
    throw new TypeError(`must be "[host:]port", got ${JSON.stringify(value)}`);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message, params: { sentence: true } });
    return z.NEVER;
  }
});

/** One `[[server.http.tokens]]`: a static bearer token and the scope it grants. */
function tokenSchema({ warn, env, secrets = "read" }: HttpSchemaContext) {
  return section({
    /** Names the client in logs and metrics, and owns its streams; default: `env`. */
    name: patterned(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1-64 letters, digits, _ . or -")
      .optional(),
    /** The variable holding the token, read once at start-up. */
    env: patterned(VARIABLE_NAME, "is not a valid variable name"),
    /** Datasource keys this token may use; absent: all. */
    datasources: stringList.optional(),
    /** true: no writes (mysql_execute, and writing [[tools]]) with this token. */
    readOnly: flag.default(false),
    /** Tools this token may call and see; absent: all. */
    tools: stringList.optional(),
  }, { warn, where: (raw) => `tokens entry ${JSON.stringify(raw.name ?? raw.env ?? "?")}` })
    .transform(({ name, env: variable, datasources, readOnly, tools }, ctx) => {
      const value = secrets === "names" ? "" : env(variable) ?? "";
      if (secrets !== "names" && value.length < MIN_TOKEN_LENGTH) {
        ctx.addIssue({
          code: "custom",
          path: ["env"],
          message: value === ""
            ? `names ${variable}, which is not set`
            : `names ${variable}, whose token is shorter than ${MIN_TOKEN_LENGTH} characters`,
        });
        return z.NEVER;
      }
      return {
        name: name ?? variable,
        env: variable,
        token: new Secret(value),
        scope: callerGrants({ datasources, readOnly, tools }),
      };
    });
}

/**
 * `[server.http]`: Streamable HTTP. `listen` (or `--http`) turns it on; tokens are required to
 * listen beyond the loopback address (checked where the listener starts, since `--http` can
 * change the address).
 */
export function httpSchema(context: HttpSchemaContext) {
  return section({
    /** `[host:]port`; the host defaults to 127.0.0.1. */
    listen: listen.optional(),
    /** Browser origins allowed besides the server's own (DNS-rebinding defence). */
    allowedOrigins: stringList.default([]),
    /** Host header values accepted besides the listen address and loopback names. */
    allowedHosts: stringList.default([]),
    /** Largest request body accepted. */
    maxBodySize: size.prefault("1MB"),
    /** MCP requests handled at once; more are answered 503. */
    maxConcurrentRequests: wholeNumber(1).default(64),
    /** Open MCP sessions; a new one beyond this is answered 503. */
    maxSessions: wholeNumber(1).default(100),
    /** A session unused this long is closed. */
    sessionIdleTimeoutMs: duration.prefault("30m"),
    /** Path of the MCP endpoint. */
    path: patterned(/^\/[A-Za-z0-9_.\/-]*$/, "must be a path starting with /").default("/mcp")
      .refine((path) => path !== "/healthz" && path !== "/metrics", {
        error: "must not be /healthz or /metrics",
      }),
    /** OAuth 2.1 resource server: JWT access tokens, besides or instead of static tokens. */
    oauth: oauthSchema(context.warn).optional(),
    tokens: z.array(tokenSchema(context), { error: "must be an array of tables" }).default([])
      .superRefine((tokens, ctx) => {
        const seen = new Set<string>();
        for (const token of tokens) {
          if (seen.has(token.name)) {
            ctx.addIssue({ code: "custom", message: `name "${token.name}" is used twice` });
          }
          seen.add(token.name);
        }
      }),
  }, { warn: context.warn, where: "http" }).readonly();
}
