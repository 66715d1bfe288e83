/**
 * What a view reaches, read from its definition with the gate's own parser and followed through
 * the views it names in turn. A result column of an expression over a view carries no database,
 * so the check after execution cannot see through one: this can.
 *
 * @module
 */

import { classifySql, type Flavor } from "../sql/classify.ts";

/** Databases a view reads, and whether it calls functions that are not built-ins. */
export interface Reach {
  readonly databases: readonly string[];
  readonly callsStoredFunctions: boolean;
}

/** What a view reaches; `[]`-like for a plain table; undefined when it cannot be told. */
export type ViewReach = (db: string, name: string) => Reach | undefined;

/** Deepest chain of views over views that is followed. */
const MAX_VIEW_CHAIN = 16;
const TABLE: Reach = { databases: [], callsStoredFunctions: false };

/** The key of a view in `definitions`: case folded, as servers with lower_case_table_names do. */
export function viewKey(db: string, name: string): string {
  return `${db.toLowerCase()}\u0000${name.toLowerCase()}`;
}

/**
 * Builds the reach of the views in `definitions` (viewKey → definition text), memoised for as
 * long as the caller keeps it. A definition that is empty (not visible to the account) or not
 * understood reaches "unknown"; `builtin` tells a built-in function from a stored one.
 */
export function viewReach(
  definitions: ReadonlyMap<string, string>,
  builtin: (name: string) => boolean,
  flavor?: Flavor,
): ViewReach {
  const memo = new Map<string, Reach | undefined>();
  const reach = (db: string, name: string, depth: number): Reach | undefined => {
    const key = viewKey(db, name);
    if (memo.has(key)) return memo.get(key);
    const definition = definitions.get(key);
    if (definition === undefined) return TABLE;
    memo.set(key, undefined); // a cycle or a chain too deep stays unknown
    if (definition === "" || depth > MAX_VIEW_CHAIN) return undefined;
    const analysis = classifySql(definition, { flavor });
    if (analysis.refusal !== undefined) return undefined;
    const databases = new Set([db, ...analysis.databases]);
    let callsStoredFunctions = analysis.storedFunctions.length > 0 ||
      analysis.looseCalls.length > 0 || !analysis.functions.every(builtin);
    for (const table of analysis.tables) {
      const inner = reach(table.db ?? db, table.name, depth + 1);
      if (inner === undefined) return undefined;
      for (const name of inner.databases) databases.add(name);
      callsStoredFunctions ||= inner.callsStoredFunctions;
    }
    const result = { databases: [...databases], callsStoredFunctions };
    memo.set(key, result);
    return result;
  };
  return (db, name) => reach(db, name, 0);
}
