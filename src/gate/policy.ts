/**
 * The gate's policy: the one module that turns what the parser found in a statement, the
 * datasource and the tool into "admit" or "refuse, because ...". Every refusal rule of the
 * SQL gate is here, in the order it is checked; `src/sql/` only reports facts.
 *
 * @module
 */

import { type ErrorDetails, ToolError } from "../errors/tool_error.ts";
import { type CallerScope, checkScope } from "./caller_scope.ts";
import { GRAMMAR_FUNCTIONS, type SqlAnalysis, type TableRef } from "../sql/classify.ts";
import mariadb from "../sql/data/mariadb.json" with { type: "json" };
import mysql from "../sql/data/mysql.json" with { type: "json" };
import variables from "../sql/data/system_variables.json" with { type: "json" };
import type { ViewReach } from "./view_reach.ts";

/** Which tool runs the statement: mysql_query (reads) or mysql_execute (writes). */
export type ToolKind = "query" | "execute";

/** Server flavour, which decides the names of built-in functions. */
export type Flavor = "mariadb" | "mysql";

/** What the policy needs to know about the datasource. */
export interface PolicySource {
  readonly key: string;
  /** Allow-list; empty means every database the server shows (system schemas excepted). */
  readonly databases: readonly string[];
  readonly readOnly: boolean;
  readonly allowStoredFunctions: boolean;
}

/** How an admitted statement must be run. */
export interface Admission {
  /**
   * The statement may leave state on its connection: reset it, and answer only once that is
   * done. (Every write's connection is reset too, by the runner, without holding the answer.)
   */
  readonly resetAfter: boolean;
  /** SHOW VARIABLES: drop the rows of variables that are not readable. */
  readonly filterVariables: boolean;
  /** Check each result column's database against the allow-list (the second layer). */
  readonly checkColumns: boolean;
  /** JSON_TABLE columns come back in MariaDB's placeholder database "*any*": not a database. */
  readonly jsonTable: boolean;
}

const BUILTINS: Readonly<Record<Flavor, ReadonlySet<string>>> = {
  mariadb: new Set([...mariadb.functions, ...GRAMMAR_FUNCTIONS]),
  mysql: new Set([...mysql.functions, ...GRAMMAR_FUNCTIONS]),
};
/** Built-ins that an older server of the flavour resolves to stored functions: name → version. */
const FUNCTIONS_SINCE: Readonly<Record<Flavor, ReadonlyMap<string, string>>> = {
  mariadb: sinceMap(mariadb),
  mysql: sinceMap(mysql),
};

function sinceMap(data: { functions_since?: Record<string, string[]> }): Map<string, string> {
  const map = new Map<string, string>();
  for (const [version, names] of Object.entries(data.functions_since ?? {})) {
    for (const name of names) map.set(name, version);
  }
  return map;
}

/** True when `version` ("10.11.19-MariaDB-...") is at least `since` ("11.8"). */
function atLeast(version: string, since: string): boolean {
  const have = version.split(/[.-]/).map(Number);
  const want = since.split(".").map(Number);
  for (let i = 0; i < want.length; i++) {
    const a = have[i] || 0;
    if (a !== want[i]) return a > want[i];
  }
  return true;
}

const REFUSED_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ...Object.entries(mysql.refused_functions as Record<string, string>),
  ...Object.entries(mariadb.refused_functions as Record<string, string>),
]);
const READABLE_VARIABLES: ReadonlySet<string> = new Set(variables.readable);

/** Schemas of server internals: accounts, other sessions' statements, replication state. */
const INTERNAL_SCHEMAS = new Set(["mysql", "performance_schema", "sys"]);
/** information_schema tables that describe objects and server facts, not sessions or accounts. */
const DESCRIPTIVE_INFORMATION_SCHEMA = new Set([
  "CHARACTER_SETS",
  "CHECK_CONSTRAINTS",
  "COLLATIONS",
  "COLLATION_CHARACTER_SET_APPLICABILITY",
  "COLUMNS",
  "ENGINES",
  "EVENTS",
  "KEYWORDS",
  "KEY_COLUMN_USAGE",
  "PARAMETERS",
  "PARTITIONS",
  "REFERENTIAL_CONSTRAINTS",
  "ROUTINES",
  "SCHEMATA",
  "SQL_FUNCTIONS",
  "STATISTICS",
  "TABLES",
  "TABLE_CONSTRAINTS",
  "TRIGGERS",
  "VIEWS",
]);

function refuse(message: string, details?: ErrorDetails): never {
  throw new ToolError("STATEMENT_NOT_ALLOWED", message, details);
}

/**
 * Admits or refuses a classified statement for `kind` on `source`, with `database` the one the
 * request runs in, for a caller with `scope`. Throws a STATEMENT_NOT_ALLOWED ToolError naming
 * the rule that refused it (PERMISSION_DENIED when the caller's scope refuses it).
 */
export function decide(
  analysis: SqlAnalysis,
  source: PolicySource,
  database: string,
  kind: ToolKind,
  scope: CallerScope = {},
): Admission {
  const verb = analysis.verb || "(empty)";
  // 0. The caller's own scope, before anything about the statement.
  checkScope(scope, { datasource: source.key, write: kind === "execute" });
  // 1. What the parser refused: not understood, or understood to be unsafe.
  if (analysis.refusal !== undefined) refuse(`Refused: ${analysis.refusal}`, { verb });

  // 2. Statement kind, per tool.
  if (kind === "execute") {
    if (source.readOnly) {
      refuse(`Datasource "${source.key}" is read-only: mysql_execute is not allowed on it`);
    }
    if (analysis.category !== "write") {
      refuse(
        analysis.category === "read"
          ? `${verb} is a read statement: use mysql_query`
          : `${verb} is not allowed: only INSERT, UPDATE, DELETE and REPLACE can be executed`,
        { verb },
      );
    }
  } else if (analysis.category !== "read") {
    refuse(
      analysis.category === "write"
        ? `${verb} changes data: mysql_query runs read statements only (use mysql_execute)`
        : `${verb} is not allowed: mysql_query runs SELECT, WITH, VALUES, TABLE, DESCRIBE, EXPLAIN of a query and harmless SHOW forms only`,
      { verb },
    );
  }

  // 3. Every database the statement reaches, named or implied by the request's database.
  for (const name of analysis.databases) checkDatabase(name, source);
  checkDatabase(database, source);
  for (const table of analysis.tables) {
    checkInformationSchemaTable(table.db ?? database, table.name, source);
  }
  if (analysis.listsDatabases && source.databases.length > 0) {
    refuse(
      "SHOW DATABASES is not available on a datasource with a database allow-list: use mysql_list_databases",
    );
  }

  // 4. System variables: only settings whose values are harmless.
  for (const name of analysis.systemVariables) {
    if (!READABLE_VARIABLES.has(name)) {
      refuse(
        `The system variable @@${name} is not readable through the gate: its value may be a path, a host or a secret`,
        { variable: name },
      );
    }
  }

  // 5. Functions: refused built-ins, then anything that is not a built-in of either flavour.
  let resetAfter = analysis.leavesSessionState;
  for (const name of analysis.functions) {
    const why = REFUSED_FUNCTIONS.get(name);
    if (why !== undefined) refuse(`${name}() ${why}`, { function: name });
  }
  const loose = analysis.looseCalls[0];
  if (loose !== undefined && !source.allowStoredFunctions) {
    refuse(
      `${loose}(...) written quoted, with a space before "(", or (for a geometry constructor) with another number of arguments calls a stored function of that name, not the built-in: write ${loose}( unquoted with no space (stored functions are refused unless datasource "${source.key}" sets allow_stored_functions = true)`,
      { function: loose },
    );
  }
  const stored = [
    ...analysis.storedFunctions,
    ...analysis.looseCalls,
    ...analysis.functions.filter((name) => !isBuiltin(name)),
  ];
  if (stored.length > 0) {
    if (!source.allowStoredFunctions) refuseStoredFunction(stored[0], source);
    resetAfter = true;
  }

  return {
    resetAfter,
    filterVariables: analysis.listsVariables,
    checkColumns: analysis.show === undefined,
    jsonTable: analysis.jsonTable,
  };
}

/**
 * Views the statement names must not reach a database the datasource does not allow, nor call
 * a stored function it does not allow: a view in an allowed database over a hidden one would
 * otherwise read (or write) it by proxy.
 */
export function checkViews(
  analysis: SqlAnalysis,
  source: PolicySource,
  database: string,
  reach: ViewReach,
): void {
  for (const table of analysis.tables) {
    const db = table.db ?? database;
    const view = `${db}.${table.name}`;
    const reached = reach(db, table.name);
    if (reached === undefined) {
      refuse(
        `The statement names view "${view}", whose definition the gate cannot read or does not understand, so it cannot tell which databases the view reaches (grant the account SHOW VIEW, or query the underlying tables)`,
        { view },
      );
    }
    for (const name of reached.databases) {
      if (!databaseAllowed(name, source)) {
        refuse(
          `The statement names view "${view}", which reads database "${name}", not available on datasource "${source.key}"`,
          { view, database: name },
        );
      }
    }
    if (reached.callsStoredFunctions && !source.allowStoredFunctions) {
      refuse(
        `The statement names view "${view}", which calls a stored function: refused unless datasource "${source.key}" sets allow_stored_functions = true`,
        { view },
      );
    }
  }
}

/** Storage engines whose tables read other tables (MERGE, FEDERATED, CONNECT, SPIDER). */
const REACHING_ENGINES = new Set([
  "MRG_MYISAM",
  "MERGE",
  "FEDERATED",
  "CONNECT",
  "SPIDER",
  // A view the gate could not find the definition of, even after reading them again.
  "VIEW",
]);

/**
 * Tables must not be of an engine that reads other tables: a MERGE table over a hidden database
 * looks like a table of the allowed one, even to the column check. `tables` are the base tables
 * the statement reaches (through views too); `enginesOf` gives every engine a name may denote.
 */
export function checkTableEngines(
  tables: readonly Required<TableRef>[],
  enginesOf: (db: string, table: string) => readonly string[],
): void {
  for (const table of tables) {
    for (const engine of enginesOf(table.db, table.name)) {
      if (REACHING_ENGINES.has(engine.toUpperCase())) {
        refuse(
          `The statement reaches table "${table.db}.${table.name}", whose ${engine.toUpperCase()} engine reads other tables the gate cannot check`,
          { table: `${table.db}.${table.name}` },
        );
      }
    }
  }
}

/** A built-in function of either flavour (the server decides later which one it is). */
export function isBuiltin(name: string): boolean {
  return BUILTINS.mariadb.has(name) || BUILTINS.mysql.has(name);
}

/**
 * The flavour-specific half of the function check, once the server is known: a name that is a
 * built-in on the other flavour only would call a stored function of that name here.
 */
export function checkFunctionsOn(
  analysis: SqlAnalysis,
  flavor: Flavor,
  serverVersion: string,
  source: PolicySource,
): void {
  if (source.allowStoredFunctions) return;
  const builtins = BUILTINS[flavor];
  const since = FUNCTIONS_SINCE[flavor];
  const stored = analysis.functions.find((name) => {
    if (!builtins.has(name)) return true;
    const version = since.get(name);
    return version !== undefined && !atLeast(serverVersion, version);
  });
  if (stored !== undefined) refuseStoredFunction(stored, source);
}

function refuseStoredFunction(name: string, source: PolicySource): never {
  refuse(
    `${name}() is not a built-in function of the server: stored functions and UDFs can write or change server settings, so they are refused unless datasource "${source.key}" sets allow_stored_functions = true`,
    { function: name },
  );
}

function isInternalSchema(name: string): boolean {
  return INTERNAL_SCHEMAS.has(name.toLowerCase());
}

function isInformationSchema(name: string): boolean {
  return name.toLowerCase() === "information_schema";
}

/** On the allow-list; with none, anything but the internal schemas (unless listed). */
function databaseAllowed(name: string, source: PolicySource): boolean {
  const listed = source.databases.includes(name);
  return source.databases.length === 0 ? !isInternalSchema(name) || listed : listed;
}

/** A database the statement reaches must be on the allow-list; internals only if listed. */
function checkDatabase(name: string, source: PolicySource): void {
  if (!databaseAllowed(name, source)) {
    refuse(
      `The statement names database "${name}", which is not available on datasource "${source.key}"` +
        (isInformationSchema(name)
          ? ": for tables and columns use mysql_list_tables, mysql_describe_table or the mysql://" +
            `${source.key}/{database}/schema resource`
          : ""),
      { database: name },
    );
  }
}

/** information_schema is admitted only for its descriptive tables (no sessions, no accounts). */
function checkInformationSchemaTable(db: string, table: string, source: PolicySource): void {
  if (!isInformationSchema(db)) return;
  if (!DESCRIPTIVE_INFORMATION_SCHEMA.has(table.toUpperCase())) {
    refuse(
      `information_schema.${table} is not available through the gate: it describes sessions, accounts or server state`,
      { table },
    );
  }
  void source;
}

/**
 * The second layer, after execution: the database of every result column (the metadata every
 * MySQL result carries) must be one the statement could name. Returns the offending database.
 */
export function foreignColumnSchema(
  schemas: readonly (string | undefined)[],
  source: PolicySource,
  jsonTable = false,
): string | undefined {
  for (const schema of schemas) {
    if (schema === undefined || schema === "") continue;
    if (jsonTable && schema === "*any*") continue;
    if (!databaseAllowed(schema, source)) return schema;
  }
  return undefined;
}

/** SHOW VARIABLES rows an agent may see. */
export function isReadableVariable(name: string): boolean {
  return READABLE_VARIABLES.has(name.toLowerCase());
}
