/**
 * What a view reaches, read from its definition with the gate's own parser and followed through
 * the views it names in turn. A result column of an expression over a view carries no database,
 * so the check after execution cannot see through one: this can.
 *
 * @module
 */

import { classifySql, type Flavor, type TableRef } from "../sql/classify.ts";

/** What a name in a statement reaches: databases, the base tables behind it, stored calls. */
export interface Reach {
  readonly databases: readonly string[];
  /** Base tables (not views) read, with their database. */
  readonly tables: readonly Required<TableRef>[];
  readonly callsStoredFunctions: boolean;
}

/** What `db.name` reaches (itself, for a table); undefined when it cannot be told. */
export type ViewReach = (db: string, name: string) => Reach | undefined;

/** Deepest chain of views over views that is followed. */
const MAX_VIEW_CHAIN = 16;

/** The exact key of an object in `definitions`. */
export function objectKey(db: string, name: string): string {
  return `${db}\u0000${name}`;
}

/**
 * Keys a name may denote. The exact spelling when an object has it; otherwise every object
 * whose name differs only in case (a server with lower_case_table_names folds names; one
 * without never matches them, so checking them all is only stricter).
 */
export function keysFor(
  exact: ReadonlySet<string> | ReadonlyMap<string, unknown>,
  folded: ReadonlyMap<string, readonly string[]>,
  db: string,
  name: string,
): readonly string[] {
  const key = objectKey(db, name);
  if (exact.has(key)) return [key];
  return folded.get(key.toLowerCase()) ?? [];
}

/** Index of keys by their case-folded form. */
export function foldKeys(keys: Iterable<string>): Map<string, string[]> {
  const folded = new Map<string, string[]>();
  for (const key of keys) {
    const lower = key.toLowerCase();
    folded.set(lower, [...folded.get(lower) ?? [], key]);
  }
  return folded;
}

/**
 * Builds the reach of names over the views in `definitions` (objectKey → definition text),
 * memoised for as long as the caller keeps it. A definition that is empty (not visible to the
 * account) or not understood reaches "unknown"; `builtin` tells a built-in function from a
 * stored one.
 */
export function viewReach(
  definitions: ReadonlyMap<string, string>,
  builtin: (name: string) => boolean,
  flavor?: Flavor,
): ViewReach {
  const folded = foldKeys(definitions.keys());
  const memo = new Map<string, Reach | undefined>();

  const reachView = (key: string, db: string, depth: number): Reach | undefined => {
    if (memo.has(key)) return memo.get(key);
    memo.set(key, undefined); // a cycle or a chain too deep stays unknown
    const definition = definitions.get(key)!;
    if (definition === "" || depth > MAX_VIEW_CHAIN) return undefined;
    const analysis = classifySql(definition, { flavor });
    if (analysis.refusal !== undefined) return undefined;
    const parts: (Reach | undefined)[] = analysis.tables.map((table) =>
      reach(table.db ?? db, table.name, depth + 1)
    );
    const result = combine(parts, {
      databases: [db, ...analysis.databases],
      tables: [],
      callsStoredFunctions: analysis.storedFunctions.length > 0 ||
        analysis.looseCalls.length > 0 || !analysis.functions.every(builtin),
    });
    memo.set(key, result);
    return result;
  };

  const reach = (db: string, name: string, depth: number): Reach | undefined => {
    const keys = keysFor(definitions, folded, db, name);
    if (keys.length === 0) {
      return { databases: [], tables: [{ db, name }], callsStoredFunctions: false };
    }
    return combine(keys.map((key) => reachView(key, key.split("\u0000")[0], depth)));
  };
  return (db, name) => reach(db, name, 0);
}

/** The union of several reaches; unknown when any is. */
function combine(parts: readonly (Reach | undefined)[], base?: Reach): Reach | undefined {
  const databases = new Set(base?.databases);
  const tables = [...base?.tables ?? []];
  let callsStoredFunctions = base?.callsStoredFunctions ?? false;
  for (const part of parts) {
    if (part === undefined) return undefined;
    for (const name of part.databases) databases.add(name);
    tables.push(...part.tables);
    callsStoredFunctions ||= part.callsStoredFunctions;
  }
  return { databases: [...databases], tables, callsStoredFunctions };
}
