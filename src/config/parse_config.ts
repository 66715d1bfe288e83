import { parse as parseToml, TomlError } from "smol-toml";
import {
  type Config,
  type DatasourceConfig,
  type DeclarativeToolConfig,
  type ParameterType,
  POOL_DEFAULTS,
  type PoolConfig,
  SERVER_DEFAULTS,
  type ServerConfig,
  STREAM_CHUNK_CAP,
  type ToolParameterConfig,
} from "./config.ts";
import { parseDuration } from "./duration.ts";
import { Secret } from "./secret.ts";

/** A configuration that cannot start the server at all. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export interface ParseConfigOptions {
  /** Shown in messages and used to resolve relative paths. */
  path: string;
  /** Reads an environment variable (injected so tests stay pure). */
  env: (name: string) => string | undefined;
}

export interface ParsedConfig {
  config: Config;
  /** Problems that did not stop start-up: skipped sources and tools, unknown keys. */
  warnings: string[];
}

type Table = Record<string, unknown>;

const SERVER_KEYS = [
  "query_timeout",
  "stream_chunk_size",
  "max_concurrent_streams",
  "stream_idle_timeout",
  "max_result_bytes",
  "plugins_dir",
];
const SOURCE_KEYS = [
  "key",
  "name",
  "host",
  "port",
  "username",
  "user",
  "password",
  "password_env",
  "databases",
  "read_only",
  "max_rows",
  "allow_stored_functions",
  "max_result_bytes",
  "pool",
];
const POOL_KEYS = [
  "max_connections",
  "min_connections",
  "acquire_timeout",
  "connect_timeout",
  "idle_timeout",
  "max_lifetime",
  "health_check_interval",
  "max_queue",
];
const TOOL_KEYS = [
  "name",
  "description",
  "datasource",
  "database",
  "statement",
  "writes",
  "parameters",
];
const PARAM_KEYS = ["name", "type", "description", "required", "default", "enum"];
const PARAM_TYPES: readonly ParameterType[] = ["string", "integer", "number", "boolean"];
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const TOOL_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * Parses and validates `datasources.toml` text into a frozen Config.
 * Invalid data sources and tools are skipped with a warning; a file with
 * no valid data source, or a malformed file, throws ConfigError.
 */
export function parseConfig(text: string, options: ParseConfigOptions): ParsedConfig {
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = error.message.split("\n")[0].replace(/^Invalid TOML document:\s*/, "");
      throw new ConfigError(
        `${options.path}:${error.line}:${error.column}: invalid TOML: ${reason}`,
      );
    }
    throw new ConfigError(`${options.path}: invalid TOML: ${String(error)}`);
  }

  const warnings: string[] = [];
  warnUnknown(doc, ["server", "datasources", "tools"], "top level", warnings);
  const server = parseServer(asTable(doc.server ?? {}, "[server]"), options, warnings);

  const rawSources = asArray(doc.datasources ?? [], "[[datasources]]");
  const datasources: DatasourceConfig[] = [];
  const seenKeys = new Set<string>();
  rawSources.forEach((raw, index) => {
    const label = `datasource #${index + 1}${
      isTable(raw) && typeof raw.key === "string" ? ` "${raw.key}"` : ""
    }`;
    try {
      const source = parseSource(asTable(raw, label), options, warnings, label, server);
      if (seenKeys.has(source.key)) {
        throw new ConfigError(`key "${source.key}" is already used by another data source`);
      }
      seenKeys.add(source.key);
      datasources.push(source);
    } catch (error) {
      warnings.push(`${label} skipped: ${messageOf(error)}`);
    }
  });
  if (datasources.length === 0) {
    const why = rawSources.length === 0
      ? "it defines no [[datasources]]"
      : `none of its ${rawSources.length} data source(s) is valid`;
    throw new ConfigError(`${options.path}: no usable data source: ${why}`);
  }

  const tools: DeclarativeToolConfig[] = [];
  asArray(doc.tools ?? [], "[[tools]]").forEach((raw, index) => {
    const label = `tool #${index + 1}${
      isTable(raw) && typeof raw.name === "string" ? ` "${raw.name}"` : ""
    }`;
    try {
      const tool = parseTool(asTable(raw, label), datasources, warnings, label);
      if (tools.some((t) => t.name === tool.name)) {
        throw new ConfigError(`name "${tool.name}" is already used by another [[tools]] entry`);
      }
      tools.push(tool);
    } catch (error) {
      warnings.push(`${label} skipped: ${messageOf(error)}`);
    }
  });

  const config: Config = deepFreeze({
    path: options.path,
    server,
    datasources,
    tools,
  });
  return { config, warnings };
}

function parseServer(raw: Table, options: ParseConfigOptions, warnings: string[]): ServerConfig {
  warnUnknown(raw, SERVER_KEYS, "[server]", warnings);
  let chunk = optionalInt(raw, "stream_chunk_size", "[server]") ??
    SERVER_DEFAULTS.streamChunkSize;
  if (chunk < 1) {
    throw new ConfigError(`[server] stream_chunk_size must be at least 1, got ${chunk}`);
  }
  if (chunk > STREAM_CHUNK_CAP) {
    // The cap is a hard limit, but no reason to refuse to start: serve at the cap.
    warnings.push(
      `[server] stream_chunk_size ${chunk} is over the hard cap; using ${STREAM_CHUNK_CAP}`,
    );
    chunk = STREAM_CHUNK_CAP;
  }
  const streams = optionalInt(raw, "max_concurrent_streams", "[server]") ??
    SERVER_DEFAULTS.maxConcurrentStreams;
  if (streams < 1) throw new ConfigError(`[server] max_concurrent_streams must be at least 1`);
  const pluginsDir = optionalString(raw, "plugins_dir", "[server]");
  return {
    queryTimeoutMs: optionalDuration(raw, "query_timeout", "[server]") ??
      SERVER_DEFAULTS.queryTimeoutMs,
    streamChunkSize: chunk,
    maxConcurrentStreams: streams,
    streamIdleTimeoutMs: optionalDuration(raw, "stream_idle_timeout", "[server]") ??
      SERVER_DEFAULTS.streamIdleTimeoutMs,
    maxResultBytes: optionalBytes(raw, "max_result_bytes", "[server]") ??
      SERVER_DEFAULTS.maxResultBytes,
    ...(pluginsDir ? { pluginsDir: resolveBeside(options.path, pluginsDir) } : {}),
  };
}

function parseSource(
  raw: Table,
  options: ParseConfigOptions,
  warnings: string[],
  label: string,
  server: ServerConfig,
): DatasourceConfig {
  warnUnknown(raw, SOURCE_KEYS, label, warnings);
  const key = requiredString(raw, "key");
  if (!KEY_PATTERN.test(key)) {
    throw new ConfigError(
      `key "${key}" must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit`,
    );
  }
  const host = requiredString(raw, "host");
  if (raw.port === undefined) throw new ConfigError("missing required field port");
  const port = optionalInt(raw, "port", label)!;
  if (port < 1 || port > 65535) throw new ConfigError(`port must be 1-65535, got ${port}`);
  const username = raw.username !== undefined
    ? requiredString(raw, "username")
    : raw.user !== undefined
    ? requiredString(raw, "user")
    : missing("username");

  let password: Secret;
  let passwordEnv: string | undefined;
  if (raw.password_env !== undefined) {
    passwordEnv = requiredString(raw, "password_env");
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(passwordEnv)) {
      throw new ConfigError(`password_env "${passwordEnv}" is not a valid variable name`);
    }
    const value = options.env(passwordEnv);
    if (value === undefined) {
      throw new ConfigError(`password_env names ${passwordEnv}, which is not set`);
    }
    password = new Secret(value);
  } else if (raw.password !== undefined) {
    if (typeof raw.password !== "string") throw new ConfigError("password must be a string");
    password = new Secret(raw.password);
  } else {
    throw new ConfigError("missing a password source: set password_env (preferred) or password");
  }

  const databases = raw.databases === undefined ? [] : stringList(raw.databases, "databases");
  const readOnly = optionalBool(raw, "read_only") ?? false;
  const allowStoredFunctions = optionalBool(raw, "allow_stored_functions") ?? false;
  const maxRows = optionalInt(raw, "max_rows", label) ?? 10_000;
  if (maxRows < 1) throw new ConfigError(`max_rows must be at least 1`);
  const maxResultBytes = optionalBytes(raw, "max_result_bytes", label) ?? server.maxResultBytes;
  const name = optionalString(raw, "name", label) ?? key;

  return {
    key,
    name,
    host,
    port,
    username,
    password,
    ...(passwordEnv ? { passwordEnv } : {}),
    databases,
    readOnly,
    maxRows,
    allowStoredFunctions,
    maxResultBytes,
    pool: parsePool(asTable(raw.pool ?? {}, `${label} [pool]`), warnings, `${label} [pool]`),
  };
}

function parsePool(raw: Table, warnings: string[], label: string): PoolConfig {
  warnUnknown(raw, POOL_KEYS, label, warnings);
  const pool: PoolConfig = {
    maxConnections: optionalInt(raw, "max_connections", label) ?? POOL_DEFAULTS.maxConnections,
    minConnections: optionalInt(raw, "min_connections", label) ?? POOL_DEFAULTS.minConnections,
    acquireTimeoutMs: optionalDuration(raw, "acquire_timeout", label) ??
      POOL_DEFAULTS.acquireTimeoutMs,
    connectTimeoutMs: optionalDuration(raw, "connect_timeout", label) ??
      POOL_DEFAULTS.connectTimeoutMs,
    idleTimeoutMs: optionalDuration(raw, "idle_timeout", label) ?? POOL_DEFAULTS.idleTimeoutMs,
    maxLifetimeMs: optionalDuration(raw, "max_lifetime", label) ?? POOL_DEFAULTS.maxLifetimeMs,
    healthCheckIntervalMs: optionalDuration(raw, "health_check_interval", label) ??
      POOL_DEFAULTS.healthCheckIntervalMs,
    maxQueue: optionalInt(raw, "max_queue", label) ?? POOL_DEFAULTS.maxQueue,
  };
  if (pool.maxConnections < 1) throw new ConfigError("pool max_connections must be at least 1");
  if (pool.minConnections < 0 || pool.minConnections > pool.maxConnections) {
    throw new ConfigError(
      `pool min_connections must be between 0 and max_connections (${pool.maxConnections})`,
    );
  }
  return pool;
}

function parseTool(
  raw: Table,
  datasources: readonly DatasourceConfig[],
  warnings: string[],
  label: string,
): DeclarativeToolConfig {
  warnUnknown(raw, TOOL_KEYS, label, warnings);
  const name = requiredString(raw, "name");
  if (!TOOL_NAME_PATTERN.test(name)) {
    throw new ConfigError(
      `name "${name}" must start with a letter and use only letters, digits, '_' or '-' (max 64)`,
    );
  }
  const datasource = requiredString(raw, "datasource");
  const source = datasources.find((s) => s.key === datasource);
  if (!source) throw new ConfigError(`datasource "${datasource}" is not a configured data source`);
  const database = requiredString(raw, "database");
  if (source.databases.length > 0 && !source.databases.includes(database)) {
    throw new ConfigError(
      `database "${database}" is not in the allow-list of data source "${datasource}"`,
    );
  }
  const writes = optionalBool(raw, "writes") ?? false;
  if (writes && source.readOnly) {
    throw new ConfigError(`writes = true, but data source "${datasource}" is read_only`);
  }
  const parameters = asArray(raw.parameters ?? [], `${label} parameters`).map((p, i) =>
    parseParameter(asTable(p, `${label} parameter #${i + 1}`), warnings, `${label} parameter`)
  );
  const names = new Set<string>();
  for (const p of parameters) {
    if (names.has(p.name)) throw new ConfigError(`parameter "${p.name}" is declared twice`);
    names.add(p.name);
  }
  return {
    name,
    description: optionalString(raw, "description", label) ?? name,
    datasource,
    database,
    statement: requiredString(raw, "statement"),
    writes,
    parameters,
  };
}

function parseParameter(raw: Table, warnings: string[], label: string): ToolParameterConfig {
  warnUnknown(raw, PARAM_KEYS, label, warnings);
  const name = requiredString(raw, "name");
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new ConfigError(`parameter name "${name}" must be a plain identifier`);
  }
  const type = (optionalString(raw, "type", label) ?? "string") as ParameterType;
  if (!PARAM_TYPES.includes(type)) {
    throw new ConfigError(
      `parameter "${name}" has type "${type}"; expected one of ${PARAM_TYPES.join(", ")}`,
    );
  }
  const check = (value: unknown, what: string) => {
    const ok = type === "string"
      ? typeof value === "string"
      : type === "boolean"
      ? typeof value === "boolean"
      : typeof value === "number" && (type === "number" || Number.isInteger(value));
    if (!ok) throw new ConfigError(`parameter "${name}": ${what} is not of type ${type}`);
  };
  let enumValues: (string | number)[] | undefined;
  if (raw.enum !== undefined) {
    if (!Array.isArray(raw.enum) || raw.enum.length === 0) {
      throw new ConfigError(`parameter "${name}": enum must be a non-empty list`);
    }
    raw.enum.forEach((v) => check(v, `enum value ${JSON.stringify(v)}`));
    enumValues = raw.enum as (string | number)[];
  }
  const def = raw.default as string | number | boolean | undefined;
  if (def !== undefined) {
    check(def, "default");
    if (enumValues && !enumValues.includes(def as string | number)) {
      throw new ConfigError(`parameter "${name}": default is not one of its enum values`);
    }
  }
  const required = optionalBool(raw, "required") ?? def === undefined;
  return {
    name,
    type,
    required,
    ...(raw.description !== undefined
      ? { description: optionalString(raw, "description", label) }
      : {}),
    ...(def !== undefined ? { default: def } : {}),
    ...(enumValues ? { enum: enumValues } : {}),
  };
}

function resolveBeside(configPath: string, path: string): string {
  if (path.startsWith("/")) return path;
  const dir = configPath.includes("/") ? configPath.slice(0, configPath.lastIndexOf("/")) : ".";
  return `${dir}/${path}`.replace(/\/\.\//g, "/");
}

function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asTable(value: unknown, label: string): Table {
  if (!isTable(value)) throw new ConfigError(`${label} must be a table`);
  return value;
}

function asArray(value: unknown, label: string): unknown[] {
  if (!Array.isArray(value)) throw new ConfigError(`${label} must be an array of tables`);
  return value;
}

function missing(field: string): never {
  throw new ConfigError(`missing required field ${field}`);
}

function requiredString(raw: Table, field: string): string {
  const value = raw[field];
  if (value === undefined) missing(field);
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigError(`${field} must be a non-empty string`);
  }
  return value;
}

function optionalString(raw: Table, field: string, label: string): string | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new ConfigError(`${label} ${field} must be a string`);
  return value;
}

function optionalBool(raw: Table, field: string): boolean | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") throw new ConfigError(`${field} must be true or false`);
  return value;
}

function optionalInt(raw: Table, field: string, label: string): number | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  const n = typeof value === "bigint" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n)) {
    throw new ConfigError(`${label} ${field} must be a whole number, got ${JSON.stringify(value)}`);
  }
  return n;
}

function optionalDuration(raw: Table, field: string, label: string): number | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  try {
    return parseDuration(value);
  } catch (error) {
    throw new ConfigError(`${label} ${field}: ${messageOf(error)}`);
  }
}

const BYTE_UNITS: Record<string, number> = { "": 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** A size: a whole number of bytes, or a string like "512KB", "16MB", "1GB" (powers of 1024). */
function optionalBytes(raw: Table, field: string, label: string): number | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  let bytes: number | undefined;
  if (typeof value === "number" || typeof value === "bigint") bytes = Number(value);
  else if (typeof value === "string") {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
    const unit = match ? BYTE_UNITS[match[2].toLowerCase()] : undefined;
    if (match && unit) bytes = Math.floor(Number(match[1]) * unit);
  }
  if (bytes === undefined || !Number.isSafeInteger(bytes)) {
    throw new ConfigError(
      `${label} ${field}: cannot read ${
        JSON.stringify(value)
      } as a size: expected bytes or a number followed by KB, MB or GB`,
    );
  }
  if (bytes < 1024) throw new ConfigError(`${label} ${field} must be at least 1KB, got ${bytes}`);
  return bytes;
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v === "")) {
    throw new ConfigError(`${field} must be a list of non-empty strings`);
  }
  return [...new Set(value as string[])];
}

function warnUnknown(raw: Table, known: string[], label: string, warnings: string[]): void {
  for (const field of Object.keys(raw)) {
    if (!known.includes(field)) warnings.push(`${label}: unknown field "${field}" ignored`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
