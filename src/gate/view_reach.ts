/**
 * Which databases a view reaches, read from its definition with the gate's own parser and
 * followed through the views it names in turn. A result column of an expression over a view
 * carries no database, so the check after execution cannot see through one: this can.
 *
 * @module
 */

import { classifySql, type Flavor } from "../sql/classify.ts";

/** The databases a view reaches, or undefined when its definition cannot be read or parsed. */
export type ViewReach = (db: string, name: string) => readonly string[] | undefined;

/** Deepest chain of views over views that is followed. */
const MAX_VIEW_CHAIN = 16;

/**
 * Builds the reach of the views in `definitions` ("db.view" → definition text), memoised.
 * A definition that is empty (not visible to the account) or not understood reaches "unknown".
 */
export function viewReach(definitions: ReadonlyMap<string, string>, flavor?: Flavor): ViewReach {
  const memo = new Map<string, readonly string[] | undefined>();
  const reach = (db: string, name: string, depth: number): readonly string[] | undefined => {
    const key = `${db}.${name}`;
    if (memo.has(key)) return memo.get(key);
    const definition = definitions.get(key);
    if (definition === undefined) return [];
    memo.set(key, undefined); // a cycle or a chain too deep stays unknown
    if (definition === "" || depth > MAX_VIEW_CHAIN) return undefined;
    const analysis = classifySql(definition, { flavor });
    if (analysis.refusal !== undefined) return undefined;
    const databases = new Set([db, ...analysis.databases]);
    for (const table of analysis.tables) {
      const inner = reach(table.db ?? db, table.name, depth + 1);
      if (inner === undefined) return undefined;
      for (const name of inner) databases.add(name);
    }
    const result = [...databases];
    memo.set(key, result);
    return result;
  };
  return (db, name) => reach(db, name, 0);
}
