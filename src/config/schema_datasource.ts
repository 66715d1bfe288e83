import { z } from "zod";
import {
  duration,
  flag,
  MISSING,
  patterned,
  requiredText,
  show,
  size,
  stringList,
  text,
  wholeNumber,
} from "./fields.ts";
import { resolveBeside } from "./schema_server.ts";
import { Secret } from "./secret.ts";
import { section, tomlName, type Warn } from "./section.ts";
import { sshSchema } from "./schema_ssh.ts";

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `[datasources.pool]`: sizing and timing of each (data source, database) pool. */
export function poolSchema(warn: Warn) {
  return section({
    maxConnections: wholeNumber(1).default(10),
    minConnections: wholeNumber(0).default(0),
    acquireTimeoutMs: duration.prefault("30s"),
    connectTimeoutMs: duration.prefault("10s"),
    idleTimeoutMs: duration.prefault("5m"),
    maxLifetimeMs: duration.prefault("30m"),
    healthCheckIntervalMs: duration.prefault("30s"),
    /** Bound on callers waiting for a connection; one more is refused at once. */
    maxQueue: wholeNumber().default(1000),
  }, { warn, where: "pool" }).superRefine((pool, ctx) => {
    if (pool.minConnections > pool.maxConnections) {
      ctx.addIssue({
        code: "custom",
        path: ["minConnections"],
        message: `must be between 0 and max_connections (${pool.maxConnections})`,
      });
    }
  }).readonly();
}

/** The MySQL client's --ssl-mode values, with the same meanings. */
export const TLS_MODES = [
  "disabled",
  "preferred",
  "required",
  "verify_ca",
  "verify_identity",
] as const;

export const TLS_VERSIONS = ["TLSv1.2", "TLSv1.3"] as const;

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, {
    error: (issue) =>
      issue.input === undefined
        ? MISSING
        : `must be one of ${values.map((v) => `"${v}"`).join(", ")}, got ${show(issue.input)}`,
  });

/**
 * `[datasources.tls]`: how the connection is encrypted, as the MySQL client's --ssl-mode:
 * `preferred` (default) encrypts when the server offers TLS, without verifying it; `required`
 * insists on TLS, without verifying; `verify_ca` also checks the certificate chain against `ca`;
 * `verify_identity` also checks that the certificate names the host (or `server_name`).
 * File paths are resolved beside the config file.
 */
export function tlsSchema(warn: Warn, configPath: string) {
  const file = requiredText.transform((path) => resolveBeside(configPath, path));
  return section({
    mode: oneOf(TLS_MODES).default("preferred"),
    /** PEM file of the certificate authorities to trust; Deno's root store when absent. */
    ca: file.optional(),
    /** PEM client certificate (chain) and its key, for accounts created REQUIRE X509. */
    cert: file.optional(),
    key: file.optional(),
    /** The name the server's certificate must carry under verify_identity; the host when absent. */
    serverName: requiredText.optional(),
    minVersion: oneOf(TLS_VERSIONS).optional(),
  }, { warn, where: "tls" }).superRefine((tls, ctx) => {
    if ((tls.cert === undefined) !== (tls.key === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [tls.cert === undefined ? "cert" : "key"],
        message: "is needed too: a client certificate takes both cert and key",
      });
    }
    const unused = (["ca", "cert", "key", "serverName", "minVersion"] as const)
      .filter((field) => tls[field] !== undefined);
    if (tls.mode === "disabled" && unused.length > 0) {
      warn(`tls: mode "disabled" ignores ${unused.map(tomlName).join(", ")}`);
    }
  }).readonly();
}

/** `password_command`: a program and its arguments, each a non-empty string, in order. */
const commandLine = z.unknown()
  .refine(
    (value) =>
      Array.isArray(value) && value.length > 0 &&
      value.every((item) => typeof item === "string" && item.trim() !== ""),
    { error: 'must be a list like ["program", "arg", ...] of non-empty strings' },
  )
  .transform((value): readonly string[] => value as string[]);

/** Where a data source's password comes from: exactly one of these may be set. */
const PASSWORD_SOURCES = ["password", "passwordEnv", "passwordCommand"] as const;

export interface DatasourceSchemaContext {
  /** Reads the variable a `password_env` names. */
  env: (name: string) => string | undefined;
  /**
   * "names": the passwords are not read (an unset `password_env` is no error and the password
   * is left empty), for commands that only need the config's shape, e.g. `permissions` and
   * `deno task compile`, which run where the secrets are absent. Default "read".
   */
  secrets?: "read" | "names";
  warn: Warn;
  /** `[server] max_result_bytes`, the default of the data source's own. */
  maxResultBytes: number;
  /** The config file's path: relative file paths are read beside it. */
  path: string;
}

/** One `[[datasources]]` entry: a MySQL server the agent may address by `key`. */
export function datasourceSchema(
  { env, warn, maxResultBytes, secrets = "read", path }: DatasourceSchemaContext,
) {
  return section({
    key: patterned(
      KEY,
      "must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit",
    ),
    /** Human description; the key when absent. */
    name: text.optional(),
    /** TCP: required unless `socket` is set. */
    host: requiredText.optional(),
    port: wholeNumber(1, 65535).optional(),
    /** Absolute path of the server's unix socket, instead of host and port. */
    socket: patterned(/^\//, "must be an absolute path").optional(),
    username: requiredText,
    password: text.optional(),
    /** Preferred to `password`: the variable holding it, read once at start-up. */
    passwordEnv: patterned(VARIABLE_NAME, "is not a valid variable name").optional(),
    /** A program printing the password, run for every new connection (short-lived tokens). */
    passwordCommand: commandLine.optional(),
    /** Allow-list; empty means every database the server shows. */
    databases: stringList.default([]),
    /** true: mysql_execute refuses everything. */
    readOnly: flag.default(false),
    /** Cap on a non-streamed result's rows. */
    maxRows: wholeNumber(1).default(10_000),
    /**
     * Lets mysql_query call stored functions and UDFs (refused by default: they can write or
     * change server settings); the connection is reset after every such call.
     */
    allowStoredFunctions: flag.default(false),
    /** Bound on a result's size (and a stream chunk's), measured as rows are read. */
    maxResultBytes: size.default(maxResultBytes),
    pool: poolSchema(warn).prefault({}),
    tls: tlsSchema(warn, path).prefault({}),
    /** The SSH bastion the server is reached through; `host` and `port` are then as the bastion sees them. */
    ssh: sshSchema({ path, warn }).optional(),
  }, { warn, aliases: { user: "username" } }).superRefine((source, ctx) => {
    if (source.socket !== undefined) {
      if (source.host !== undefined || source.port !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["socket"],
          message: "and host/port are both set: use socket for a local server, or host and port",
        });
      }
      if (source.ssh !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["socket"],
          message:
            "cannot be reached through an SSH bastion: use host and port as the bastion sees them",
        });
      }
    } else {
      for (const field of ["host", "port"] as const) {
        if (source[field] === undefined) {
          ctx.addIssue({ code: "custom", path: [field], message: MISSING });
        }
      }
    }
    const given = PASSWORD_SOURCES.filter((field) => source[field] !== undefined);
    if (given.length > 1) {
      ctx.addIssue({
        code: "custom",
        message: `sets ${given.map(tomlName).join(" and ")}: choose one password source`,
      });
    }
  }).transform(
    ({ name, password, passwordEnv, passwordCommand, ...source }, ctx) => {
      let secret: Secret;
      if (passwordCommand !== undefined) {
        // Asked for each new connection (pool/password_command.ts); nothing to read now.
        secret = new Secret("");
      } else if (passwordEnv !== undefined) {
        const value = secrets === "names" ? "" : env(passwordEnv);
        if (value === undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["passwordEnv"],
            message: `names ${passwordEnv}, which is not set`,
          });
          return z.NEVER;
        }
        secret = new Secret(value);
      } else if (password !== undefined) {
        secret = new Secret(password);
      } else {
        ctx.addIssue({
          code: "custom",
          message:
            "missing a password source: set password_env (preferred), password_command or password",
        });
        return z.NEVER;
      }
      return {
        ...source,
        name: name ?? source.key,
        password: secret,
        /** Name of the environment variable the password came from, if any. */
        ...(passwordEnv !== undefined ? { passwordEnv } : {}),
        /** The program and arguments printing the password, if that is its source. */
        ...(passwordCommand !== undefined ? { passwordCommand } : {}),
      };
    },
  ).readonly();
}
