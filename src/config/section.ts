import { z } from "zod";

/** Collects a problem that does not stop start-up. */
export type Warn = (message: string) => void;

/** A TOML table as smol-toml hands it over. */
export type Table = Record<string, unknown>;

export function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Date);
}

/**
 * The TOML name of a schema field: snake_case, and a duration drops its unit,
 * so `queryTimeoutMs` is written `query_timeout`.
 */
export function tomlName(field: string): string {
  return field.replace(/Ms$/, "").replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export interface SectionOptions {
  /** Told about every key the section does not know (the key is then ignored). */
  warn: Warn;
  /** Names a nested table in that warning, e.g. "pool"; may look at the raw table. */
  where?: string | ((raw: Table) => string);
  /** Other TOML names accepted for a field, e.g. `{ user: "username" }`; the field's own wins. */
  aliases?: Readonly<Record<string, string>>;
}

/**
 * One TOML table as a zod object. The shape is written with the names the code
 * uses (`queryTimeoutMs`); the TOML keys follow from them (`query_timeout`), so a
 * new option is one line here. Unknown keys are warned about, never silently dropped.
 */
export function section<Shape extends z.ZodRawShape>(shape: Shape, options: SectionOptions) {
  const fields = new Map(Object.keys(shape).map((field) => [tomlName(field), field]));
  return z.preprocess(
    (raw) => {
      if (!isTable(raw)) return raw;
      const where = typeof options.where === "function" ? options.where(raw) : options.where;
      const out: Table = {};
      const aliased: [string, unknown][] = [];
      for (const [key, value] of Object.entries(raw)) {
        const field = fields.get(key);
        const alias = Object.hasOwn(options.aliases ?? {}, key)
          ? options.aliases?.[key]
          : undefined;
        if (field) out[field] = value;
        else if (alias) aliased.push([alias, value]);
        else options.warn(`${where ? `${where}: ` : ""}unknown field "${key}" ignored`);
      }
      for (const [field, value] of aliased) if (!(field in out)) out[field] = value;
      return out;
    },
    z.object(shape, { error: "must be a table" }),
  );
}
