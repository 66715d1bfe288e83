import { z } from "zod";
import {
  duration,
  flag,
  patterned,
  requiredText,
  size,
  stringList,
  text,
  wholeNumber,
} from "./fields.ts";
import { Secret } from "./secret.ts";
import { section, type Warn } from "./section.ts";
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

export interface DatasourceSchemaContext {
  /** Reads the variable a `password_env` names. */
  env: (name: string) => string | undefined;
  warn: Warn;
  /** `[server] max_result_bytes`, the default of the data source's own. */
  maxResultBytes: number;
  /** The config file's path: relative file paths are read beside it. */
  path: string;
}

/** One `[[datasources]]` entry: a MySQL server the agent may address by `key`. */
export function datasourceSchema({ env, warn, maxResultBytes, path }: DatasourceSchemaContext) {
  return section({
    key: patterned(
      KEY,
      "must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit",
    ),
    /** Human description; the key when absent. */
    name: text.optional(),
    host: requiredText,
    port: wholeNumber(1, 65535),
    username: requiredText,
    password: text.optional(),
    /** Preferred to `password`: the variable holding it, read once at start-up. */
    passwordEnv: patterned(VARIABLE_NAME, "is not a valid variable name").optional(),
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
    /** The SSH bastion the server is reached through; `host` and `port` are then as the bastion sees them. */
    ssh: sshSchema({ path, warn }).optional(),
  }, { warn, aliases: { user: "username" } }).transform(
    ({ name, password, passwordEnv, ...source }, ctx) => {
      let secret: Secret;
      if (passwordEnv !== undefined) {
        const value = env(passwordEnv);
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
          message: "missing a password source: set password_env (preferred) or password",
        });
        return z.NEVER;
      }
      return {
        ...source,
        name: name ?? source.key,
        password: secret,
        /** Name of the environment variable the password came from, if any. */
        ...(passwordEnv !== undefined ? { passwordEnv } : {}),
      };
    },
  ).readonly();
}
