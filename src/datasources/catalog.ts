import { clip } from "../errors/clip.ts";
import { ToolError } from "../errors/tool_error.ts";
import type { Datasources } from "./datasources.ts";
import type { databaseInfo, tableInfo, tableSchema } from "./catalog_schemas.ts";
import type { z } from "zod";
import { TtlCache } from "./ttl_cache.ts";

export type DatabaseInfo = z.infer<typeof databaseInfo>;
export type TableInfo = z.infer<typeof tableInfo>;
export type TableSchema = z.infer<typeof tableSchema>;
export type ColumnSchema = TableSchema["columns"][number];
export type ForeignKeyInfo = TableSchema["foreign_keys"][number];
export type IndexInfo = TableSchema["indexes"][number];

/** Runs trusted, parameterised metadata SQL on a source's server-level pool. */
export type MetadataQuery = (
  key: string,
  sql: string,
  params: readonly unknown[],
) => Promise<unknown[][]>;

const DATABASE_TTL_MS = 60_000;
const SCHEMA_TTL_MS = 300_000;

/**
 * Databases, tables and table structures of every source, read from
 * information_schema with the allow-list applied, cached per SPEC
 * (database lists 60 s, structures 5 min, LRU-bounded).
 */
export class Catalog {
  readonly #databases = new TtlCache<DatabaseInfo[]>(DATABASE_TTL_MS, 256);
  readonly #tables = new TtlCache<TableInfo[]>(DATABASE_TTL_MS, 1024);
  readonly #schemas = new TtlCache<TableSchema>(SCHEMA_TTL_MS, 2048);
  readonly #views = new TtlCache<ReadonlyMap<string, string>>(DATABASE_TTL_MS, 256);

  constructor(private readonly datasources: Datasources, private readonly query: MetadataQuery) {}

  /** Databases of `key` the allow-list admits. */
  async databases(key: string, fresh = false): Promise<DatabaseInfo[]> {
    const config = this.datasources.get(key);
    const cached = fresh ? undefined : this.#databases.get(key);
    if (cached) return cached;
    const rows = await this.query(
      key,
      `SELECT s.SCHEMA_NAME, s.DEFAULT_CHARACTER_SET_NAME, s.DEFAULT_COLLATION_NAME,
              COALESCE(SUM(t.DATA_LENGTH + t.INDEX_LENGTH), 0)
         FROM information_schema.SCHEMATA s
         LEFT JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = s.SCHEMA_NAME
        GROUP BY s.SCHEMA_NAME, s.DEFAULT_CHARACTER_SET_NAME, s.DEFAULT_COLLATION_NAME
        ORDER BY s.SCHEMA_NAME`,
      [],
    );
    const allowed = config.databases;
    const list = rows
      .map(([name, charset, collation, size]) => ({
        name: String(name),
        size_bytes: Number(size),
        charset: String(charset),
        collation: String(collation),
      }))
      .filter((db) => allowed.length === 0 || allowed.includes(db.name));
    this.#databases.set(key, list);
    return list;
  }

  /**
   * Ensures `database` is on the allow-list and exists; DATABASE_NOT_FOUND
   * otherwise. A miss re-reads the list once, so a database created a
   * moment ago is found.
   */
  async requireDatabase(key: string, database: string): Promise<void> {
    const config = this.datasources.get(key);
    if (config.databases.length > 0 && !config.databases.includes(database)) {
      throw new ToolError(
        "DATABASE_NOT_FOUND",
        `Database "${clip(database)}" is not available on datasource "${key}"`,
        { allowed: config.databases.join(", ") },
      );
    }
    if ((await this.databases(key)).some((d) => d.name === database)) return;
    if ((await this.databases(key, true)).some((d) => d.name === database)) return;
    throw new ToolError(
      "DATABASE_NOT_FOUND",
      `Database "${clip(database)}" does not exist on datasource "${key}"`,
    );
  }

  /**
   * Every view the source's databases hold, `db\0view` → its definition ("" when the account
   * may not see it). The gate reads them to know what a view reaches.
   */
  async viewDefinitions(key: string, fresh = false): Promise<ReadonlyMap<string, string>> {
    const cached = fresh ? undefined : this.#views.get(key);
    if (cached) return cached;
    const allowed = this.datasources.get(key).databases;
    const rows = await this.query(
      key,
      `SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS` +
        (allowed.length > 0 ? ` WHERE TABLE_SCHEMA IN (${allowed.map(() => "?").join(", ")})` : ""),
      allowed,
    );
    const views = new Map(
      rows.map(([db, name, definition]) => [`${db}\u0000${name}`, String(definition ?? "")]),
    );
    this.#views.set(key, views);
    return views;
  }

  async tables(key: string, database: string, fresh = false): Promise<TableInfo[]> {
    await this.requireDatabase(key, database);
    const cacheKey = `${key}\u0000${database}`;
    const cached = fresh ? undefined : this.#tables.get(cacheKey);
    if (cached) return cached;
    const rows = await this.query(
      key,
      `SELECT TABLE_NAME, TABLE_TYPE, TABLE_ROWS, DATA_LENGTH + INDEX_LENGTH, ENGINE, TABLE_COMMENT
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`,
      [database],
    );
    const list: TableInfo[] = rows.map(([name, type, count, size, engine, comment]) => ({
      name: String(name),
      type: type === "VIEW" ? "view" : "table",
      row_count: count === null ? null : Number(count),
      size_bytes: size === null ? null : Number(size),
      engine: engine === null ? null : String(engine),
      ...(comment ? { comment: String(comment) } : {}),
    }));
    this.#tables.set(cacheKey, list);
    return list;
  }

  /** The structure of one table; TABLE_NOT_FOUND when it does not exist. */
  async describe(key: string, database: string, table: string): Promise<TableSchema> {
    await this.requireDatabase(key, database);
    const cacheKey = `${key}\u0000${database}\u0000${table}`;
    const cached = this.#schemas.get(cacheKey);
    if (cached) return cached;
    const notFound = () =>
      new ToolError(
        "TABLE_NOT_FOUND",
        `Table "${clip(table)}" does not exist in database "${clip(database)}"`,
      );
    // Identifiers hold only BMP characters (utf8mb3): such a table cannot exist, and
    // information_schema would answer an "illegal mix of collations" error instead.
    if (/[\u{10000}-\u{10FFFF}]/u.test(table)) throw notFound();
    const schemas = await this.#readSchemas(key, database, table);
    const schema = schemas.get(table);
    if (!schema) throw notFound();
    this.#schemas.set(cacheKey, schema);
    return schema;
  }

  /** Every table's structure in `database`. */
  async schema(key: string, database: string): Promise<TableSchema[]> {
    await this.requireDatabase(key, database);
    const schemas = await this.#readSchemas(key, database);
    for (const [name, schema] of schemas) {
      this.#schemas.set(`${key}\u0000${database}\u0000${name}`, schema);
    }
    return [...schemas.values()];
  }

  /** Forgets cached structure, e.g. after a failed lookup or on request. */
  invalidate(key: string): void {
    this.#databases.deletePrefix(key);
    this.#tables.deletePrefix(`${key}\u0000`);
    this.#schemas.deletePrefix(`${key}\u0000`);
  }

  async #readSchemas(key: string, database: string, table?: string) {
    const filter = table === undefined ? "" : " AND TABLE_NAME = ?";
    const params = table === undefined ? [database] : [database, table];
    const [tables, columns, checks, stats, fks] = await Promise.all([
      this.query(
        key,
        `SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES
          WHERE TABLE_SCHEMA = ?${filter} ORDER BY TABLE_NAME`,
        params,
      ),
      this.query(
        key,
        // MariaDB reports "no default" on a nullable column as the bare word NULL (a string
        // default 'NULL' comes quoted): map it to null so NULL and "NULL" stay distinct.
        `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE,
                CASE WHEN COLUMN_DEFAULT = 'NULL' AND VERSION() LIKE '%MariaDB%' THEN NULL
                     ELSE COLUMN_DEFAULT END,
                COLUMN_COMMENT, EXTRA
           FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?${filter}
          ORDER BY TABLE_NAME, ORDINAL_POSITION`,
        params,
      ),
      // MariaDB stores JSON as LONGTEXT with a json_valid() check: report it as json.
      this.query(
        key,
        `SELECT TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
          WHERE CONSTRAINT_SCHEMA = ?${filter}`,
        params,
      ).catch(() => [] as unknown[][]),
      this.query(
        key,
        `SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME, NON_UNIQUE, INDEX_TYPE
           FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?${filter}
          ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
        params,
      ),
      this.query(
        key,
        `SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA,
                k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME
           FROM information_schema.KEY_COLUMN_USAGE k
          WHERE k.TABLE_SCHEMA = ?${filter.replace("TABLE_NAME", "k.TABLE_NAME")}
            AND k.REFERENCED_TABLE_NAME IS NOT NULL
          ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
        params,
      ),
    ]);

    const out = new Map<string, TableSchema>();
    for (const [name, comment] of tables) {
      out.set(String(name), {
        table_name: String(name),
        columns: [],
        primary_key: [],
        foreign_keys: [],
        indexes: [],
        ...(comment ? { comment: String(comment) } : {}),
      });
    }
    const jsonColumns = new Set<string>();
    for (const [name, clause] of checks) {
      const match = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(String(clause).trim());
      if (match) jsonColumns.add(`${name}\u0000${match[1].replaceAll("``", "`")}`);
    }
    for (const [tableName, name, type, nullable, def, comment, extra] of columns) {
      const schema = out.get(String(tableName));
      if (!schema) continue;
      const isJson = jsonColumns.has(`${tableName}\u0000${name}`);
      schema.columns.push({
        name: String(name),
        data_type: isJson ? "json" : String(type),
        nullable: nullable === "YES",
        default_value: def === null ? null : String(def),
        comment: comment ? String(comment) : null,
        ...(String(extra).includes("auto_increment") ? { auto_increment: true } : {}),
      });
    }
    for (const [tableName, indexName, column, nonUnique, indexType] of stats) {
      const schema = out.get(String(tableName));
      if (!schema) continue;
      if (String(indexName) === "PRIMARY") schema.primary_key.push(String(column));
      const index = named(schema.indexes, String(indexName), (name) => ({
        name,
        columns: [],
        unique: Number(nonUnique) === 0,
        index_type: String(indexType),
      }));
      index.columns.push(String(column));
    }
    for (const [tableName, constraint, column, refDb, refTable, refColumn] of fks) {
      const schema = out.get(String(tableName));
      if (!schema) continue;
      const fk = named(schema.foreign_keys, String(constraint), (name) => ({
        name,
        columns: [],
        ...(refDb !== database ? { referenced_database: String(refDb) } : {}),
        referenced_table: String(refTable),
        referenced_columns: [],
      }));
      fk.columns.push(String(column));
      fk.referenced_columns.push(String(refColumn));
    }
    return out;
  }
}

/** The entry of `list` called `name`, made and added by `make` the first time (one per index or key). */
function named<T extends { name: string }>(list: T[], name: string, make: (name: string) => T): T {
  let entry = list.find((e) => e.name === name);
  if (!entry) list.push(entry = make(name));
  return entry;
}
