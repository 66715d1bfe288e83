import { parse as parseToml, TomlError } from "smol-toml";
import type { z } from "zod";
import type { Config } from "./config.ts";
import { describeIssues } from "./describe_issues.ts";
import { datasourceSchema } from "./schema_datasource.ts";
import { serverSchema } from "./schema_server.ts";
import { toolSchema } from "./schema_tools.ts";
import { isTable, type Table, type Warn } from "./section.ts";

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
  /** "names": read no password (see DatasourceSchemaContext.secrets); default "read". */
  secrets?: "read" | "names";
}

export interface ParsedConfig {
  config: Config;
  /** Problems that did not stop start-up: skipped sources and tools, unknown keys. */
  warnings: string[];
}

const SECTIONS = ["server", "datasources", "tools"];

/** A config is read once: compiling zod's fast path for it would cost more than it saves. */
const ONCE = { jitless: true };

/**
 * Parses and validates `datasources.toml` text into a frozen Config.
 * Invalid data sources and tools are skipped with a warning; a file with
 * no valid data source, or a malformed file, throws ConfigError.
 */
export function parseConfig(text: string, options: ParseConfigOptions): ParsedConfig {
  const doc = readToml(text, options.path);
  const warnings: string[] = [];
  const warnIn = (label: string): Warn => (message) => warnings.push(`${label}: ${message}`);
  for (const key of Object.keys(doc)) {
    if (!SECTIONS.includes(key)) warnings.push(`top level: unknown field "${key}" ignored`);
  }

  const rawServer = doc.server ?? {};
  const parsedServer = serverSchema({
    path: options.path,
    warn: warnIn("[server]"),
    env: options.env,
    secrets: options.secrets,
  })
    .safeParse(rawServer, ONCE);
  if (!parsedServer.success) {
    const problems = describeIssues(parsedServer.error, rawServer);
    throw new ConfigError(problems.map((problem) => `[server] ${problem}`).join("; "));
  }
  const server = parsedServer.data;

  const rawSources = entries(doc.datasources, "[[datasources]]");
  const datasources = parseEntries(
    rawSources,
    "datasource",
    "key",
    warnings,
    (warn) =>
      datasourceSchema({
        env: options.env,
        warn,
        maxResultBytes: server.maxResultBytes,
        secrets: options.secrets,
        path: options.path,
      }),
    (key) => `key "${key}" is already used by another data source`,
  );
  if (datasources.length === 0) {
    const why = rawSources.length === 0
      ? "it defines no [[datasources]]"
      : `none of its ${rawSources.length} data source(s) is valid`;
    throw new ConfigError(`${options.path}: no usable data source: ${why}`);
  }

  // A token scoped to a key no source has: a typo that would lock its client out.
  for (const token of server.http?.tokens ?? []) {
    for (const key of token.scope.datasources ?? []) {
      if (!datasources.some((source) => source.key === key)) {
        warnings.push(
          `[server.http] token "${token.name}": datasources names "${key}", which is no data source`,
        );
      }
    }
  }

  const tools = parseEntries(
    entries(doc.tools, "[[tools]]"),
    "tool",
    "name",
    warnings,
    (warn) => toolSchema({ datasources, warn }),
    (name) => `name "${name}" is already used by another [[tools]] entry`,
  );

  const config: Config = deepFreeze({ path: options.path, server, datasources, tools });
  return { config, warnings };
}

function readToml(text: string, path: string): Table {
  try {
    return parseToml(text) as Table;
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = error.message.split("\n")[0].replace(/^Invalid TOML document:\s*/, "");
      throw new ConfigError(`${path}:${error.line}:${error.column}: invalid TOML: ${reason}`);
    }
    throw new ConfigError(`${path}: invalid TOML: ${String(error)}`);
  }
}

function entries(value: unknown, label: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigError(`${label} must be an array of tables`);
  return value;
}

/**
 * Validates each entry of an array of tables with its own schema: an invalid
 * entry, or one whose `id` field repeats an earlier one, is skipped with its
 * reason, and the rest are kept.
 */
function parseEntries<T extends Record<K, string>, K extends string>(
  raws: unknown[],
  noun: string,
  id: K,
  warnings: string[],
  schemaFor: (warn: Warn) => z.ZodType<T>,
  repeated: (id: string) => string,
): T[] {
  const kept: T[] = [];
  // One schema for all entries (building one costs more than parsing with it).
  let label = "";
  const schema = schemaFor((message) => warnings.push(`${label}: ${message}`));
  raws.forEach((raw, index) => {
    const named = isTable(raw) && typeof raw[id] === "string" ? ` "${raw[id]}"` : "";
    label = `${noun} #${index + 1}${named}`;
    const result = schema.safeParse(raw, ONCE);
    if (!result.success) {
      warnings.push(`${label} skipped: ${describeIssues(result.error, raw).join("; ")}`);
    } else if (kept.some((entry) => entry[id] === result.data[id])) {
      warnings.push(`${label} skipped: ${repeated(result.data[id])}`);
    } else {
      kept.push(result.data);
    }
  });
  return kept;
}

function deepFreeze<T>(value: T): T {
  // Recurse even into frozen objects: a schema's .readonly() freezes only its own level.
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
