/**
 * The validated configuration's types. Each is what its section's zod schema
 * produces (`z.output`), so a field is declared, defaulted and checked in one
 * place: the schema in schema_server.ts, schema_datasource.ts or schema_tools.ts.
 */
import type { z } from "zod";
import { type datasourceSchema, poolSchema, type tlsSchema } from "./schema_datasource.ts";
import { httpSchema } from "./schema_http.ts";
import { serverSchema } from "./schema_server.ts";
import type { sshSchema } from "./schema_ssh.ts";
import type { PARAMETER_TYPES, parameterSchema, toolSchema } from "./schema_tools.ts";

export { STREAM_CHUNK_CAP } from "./schema_server.ts";

/** `[server]`, durations in ms. */
export type ServerConfig = z.output<ReturnType<typeof serverSchema>>;

/** `[server.http]`: Streamable HTTP, its limits and bearer tokens; durations in ms. */
export type HttpConfig = NonNullable<ServerConfig["http"]>;

/** `[server.http.oauth]`: JWT access tokens from one issuer; durations in ms. */
export type OAuthConfig = NonNullable<HttpConfig["oauth"]>;

/** Pool sizing and timing for one (datasource, database) pool; durations in ms. */
export type PoolConfig = z.output<ReturnType<typeof poolSchema>>;

/** `[datasources.tls]`, file paths absolute. */
export type TlsConfig = z.output<ReturnType<typeof tlsSchema>>;

/** One configured MySQL server the agent may address by `key`. */
export type DatasourceConfig = z.output<ReturnType<typeof datasourceSchema>>;

/** `[datasources.ssh]`: the bastion a data source is reached through; durations in ms. */
export type SshConfig = z.output<ReturnType<typeof sshSchema>>;

export type ParameterType = (typeof PARAMETER_TYPES)[number];

/** One `[[tools.parameters]]` entry. */
export type ToolParameterConfig = z.output<ReturnType<typeof parameterSchema>>;

/** A declarative SQL tool from `[[tools]]`. */
export type DeclarativeToolConfig = z.output<ReturnType<typeof toolSchema>>;

/** The whole validated configuration: frozen, plain data. */
export interface Config {
  /** Absolute path of the file it was read from. */
  readonly path: string;
  readonly server: ServerConfig;
  readonly datasources: readonly DatasourceConfig[];
  readonly tools: readonly DeclarativeToolConfig[];
}

const ignore = () => {};

/** Every `[datasources.pool]` default, as the schema gives them. */
export const POOL_DEFAULTS: PoolConfig = poolSchema(ignore).parse({}, { jitless: true });

/** Every `[server]` default, as the schema gives them. */
export const SERVER_DEFAULTS: ServerConfig = serverSchema({ path: "", warn: ignore }).parse({}, {
  jitless: true,
});

/** Every `[server.http]` default (no listen address, no tokens), for `--http` alone. */
export const HTTP_DEFAULTS: HttpConfig = httpSchema({ warn: ignore, env: () => undefined })
  .parse({}, { jitless: true });
