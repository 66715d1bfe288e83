import { ToolError } from "../errors/tool_error.ts";

type Driver = typeof import("mysql2");
type AuthPlugin = Driver["authPlugins"]["mysql_native_password"] extends
  (options?: never) => infer P ? P : never;

/** The connection as a plugin sees it: what carries its bytes now. */
export interface PluginConnection {
  readonly stream?: { readonly encrypted?: boolean };
}

/** The plugin our first handshake answer uses when the server does not switch to another. */
export const INITIAL_AUTH_PLUGIN = "mysql_native_password";

export interface AuthPluginOptions {
  /**
   * True when the password may travel as plain text: a unix socket, or a connection whose
   * stream says it is `encrypted` (Node's TLSSocket, if mysql2 did the TLS; our DenoSocket's
   * flag, if we did). Asked when the server asks for the password, after any TLS upgrade.
   */
  readonly isSecure: (connection: PluginConnection) => boolean;
  /** Told the plugin the server switched the handshake to. */
  readonly used: (plugin: string) => void;
}

/**
 * mysql2's own authentication plugins (its public `authPlugins`), each behind a wrapper that
 * records which one the server asked for, so `check` can show it. Two of our own rules on top:
 * - caching_sha2_password's full authentication sends the password as is over a secure
 *   transport (a unix socket or TLS), and encrypts it with the server's RSA public key over
 *   plain TCP. mysql2 decides "secure" from its own `ssl`/`socketPath` options, which our
 *   own streams do not set, so we tell it through its `overrideIsSecure` option.
 * - mysql_clear_password is refused unless the transport is secure.
 *
 * Registering a plugin under the server's default name makes mysql2 answer the first
 * handshake with mysql_native_password and let the server switch (one more round trip per
 * new connection against a MySQL 8 default of caching_sha2_password); the switch is what
 * tells us the plugin.
 */
export function authPlugins(mysql: Driver, options: AuthPluginOptions): Record<string, AuthPlugin> {
  const recorded = (name: string, plugin: AuthPlugin): AuthPlugin => (metadata) => {
    options.used(name);
    return plugin(metadata);
  };
  const secure = (metadata: Parameters<AuthPlugin>[0]) =>
    options.isSecure(metadata.connection as unknown as PluginConnection);
  const standard = mysql.authPlugins;
  const cachingSha2: AuthPlugin = (metadata) =>
    standard.caching_sha2_password({
      // Read when full authentication starts: plain password if secure, else RSA.
      get overrideIsSecure() {
        return secure(metadata);
      },
    })(metadata);
  const clear = standard.mysql_clear_password({});
  return {
    mysql_native_password: recorded("mysql_native_password", standard.mysql_native_password({})),
    caching_sha2_password: recorded("caching_sha2_password", cachingSha2),
    sha256_password: recorded("sha256_password", standard.sha256_password({})),
    mysql_clear_password: recorded("mysql_clear_password", (metadata) => {
      if (!secure(metadata)) {
        throw Object.assign(new Error("mysql_clear_password over an insecure transport"), {
          code: CLEAR_PASSWORD_REFUSED,
        });
      }
      return clear(metadata);
    }),
  };
}

const CLEAR_PASSWORD_REFUSED = "CLEAR_PASSWORD_NEEDS_TLS";
const CHANGE_PLUGIN =
  "or give the account caching_sha2_password or mysql_native_password (ALTER USER ... IDENTIFIED WITH ...)";

/**
 * The CONNECTION_FAILED error for a handshake that failed over authentication plugins,
 * saying what to change; undefined for any other failure. mysql2's messages are not copied
 * (a plugin name from the server is, once checked to be a plain name).
 */
export function authFailure(error: unknown): ToolError | undefined {
  const e = (typeof error === "object" && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
  };
  const refuse = (what: string, code: string) =>
    new ToolError("CONNECTION_FAILED", `Cannot connect: ${what}`, { code, transient: false });
  if (e.code === CLEAR_PASSWORD_REFUSED) {
    return refuse(
      "the account authenticates with mysql_clear_password, which would send the password " +
        "unencrypted over plain TCP: connect over TLS or the server's unix socket, " +
        CHANGE_PLUGIN,
      CLEAR_PASSWORD_REFUSED,
    );
  }
  if (e.code === "AUTH_SWITCH_PLUGIN_ERROR" && typeof e.message === "string") {
    const unknown = /unknown plugin ([A-Za-z0-9_]{1,64})\b/.exec(e.message);
    if (unknown) {
      return refuse(
        `the account authenticates with ${unknown[1]}, which mysql-mcp does not support: ` +
          CHANGE_PLUGIN.replace(/^or g/, "g"),
        "AUTH_PLUGIN_UNSUPPORTED",
      );
    }
    return refuse(
      "the authentication exchange with the server failed (for caching_sha2_password over " +
        "plain TCP the server must offer its RSA public key): connect over TLS, " + CHANGE_PLUGIN,
      "AUTH_SWITCH_PLUGIN_ERROR",
    );
  }
  return undefined;
}
