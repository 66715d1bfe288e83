/**
 * Queries: WITH, SELECT, set operations, VALUES and TABLE, and the table references of FROM
 * (joins, aliases, index hints, PARTITION, FOR SYSTEM_TIME, derived tables, LATERAL,
 * JSON_TABLE, ODBC `{OJ ...}`). Every table a query names is recorded with its database.
 *
 * @module
 */

import { type Cursor, MAX_CTE_EXPANSION, MAX_WITH_NESTING } from "./_cursor.ts";
import { bitExpression, columnReference, expression, expressionList } from "./_expression.ts";
import { limitValue } from "./_functions.ts";
import { atName, dottedName, identifier, nameList, optionalAlias, tableName } from "./_names.ts";
import { tableReferences } from "./_tables.ts";

const SELECT_OPTIONS = [
  "ALL",
  "DISTINCT",
  "DISTINCTROW",
  "HIGH_PRIORITY",
  "STRAIGHT_JOIN",
  "SQL_SMALL_RESULT",
  "SQL_BIG_RESULT",
  "SQL_BUFFER_RESULT",
  "SQL_CACHE",
  "SQL_NO_CACHE",
  "SQL_CALC_FOUND_ROWS",
];

/** `(query)` at the cursor. */
export function parenthesizedQuery(c: Cursor): void {
  c.expectOp("(");
  c.nested(() => queryExpression(c));
  c.expectOp(")");
}

/**
 * A whole query: `[WITH ...] body [ORDER BY] [LIMIT]`, refusing the clauses that lock rows or
 * write files and variables wherever they stand.
 */
export function queryExpression(c: Cursor): void {
  withScope(c, () => {
    queryBody(c);
    tail(c);
  });
}

/** `[WITH ...] main`: the CTEs are in scope for `main`, and counted when it names them. */
export function withScope(c: Cursor, main: () => void): void {
  if (!c.isWord("WITH")) return main();
  withClause(c);
  try {
    const from = c.facts.tables.length;
    main();
    c.cteCopies(from);
  } finally {
    c.cteScopes.pop();
  }
}

/** `WITH [RECURSIVE] name [(cols)] AS (query), ...`; leaves its scope open for the caller. */
function withClause(c: Cursor): void {
  c.expectWord("WITH");
  if (c.cteScopes.length >= MAX_WITH_NESTING) {
    c.refuse(`WITH clauses are nested too deeply (more than ${MAX_WITH_NESTING} levels)`);
  }
  const scope = new Map<string, number>();
  c.cteScopes.push(scope);
  c.acceptWord("RECURSIVE");
  const bodies = new Map<string, { from: number; to: number }>();
  do {
    const name = identifier(c, "a common table expression name").toLowerCase();
    if (c.isOp("(")) nameList(c);
    c.expectWord("AS");
    if (!c.isOp("(")) c.fail('"(" after AS');
    const from = c.facts.tables.length;
    parenthesizedQuery(c);
    bodies.set(name, { from, to: c.facts.tables.length });
    c.facts.cteNames.push(name);
  } while (c.acceptOp(","));
  weighCtes(c, bodies, scope);
}

/**
 * How many copies each CTE expands to: 1, plus the copies of every CTE its body names, in this
 * WITH (also further down it, as WITH RECURSIVE allows) or an outer one. The server copies a
 * CTE for each reference, so copies multiply: refused past MAX_CTE_EXPANSION.
 */
function weighCtes(
  c: Cursor,
  bodies: ReadonlyMap<string, { from: number; to: number }>,
  scope: Map<string, number>,
): void {
  const weighing = new Set<string>();
  const weigh = (name: string): number => {
    const known = scope.get(name);
    if (known !== undefined) return known;
    if (weighing.has(name)) {
      c.refuse("common table expressions that refer to each other in a cycle are not supported");
    }
    weighing.add(name);
    const body = bodies.get(name)!;
    let copies = 1;
    for (let i = body.from; i < body.to; i++) {
      const ref = c.facts.tables[i];
      const other = ref.db === undefined ? ref.name.toLowerCase() : undefined;
      if (other === undefined || other === name) continue; // a table, or recursion on itself
      copies += bodies.has(other) ? weigh(other) : c.outerCteCopies(other);
      if (copies > MAX_CTE_EXPANSION) {
        c.refuse(
          `the statement's common table expressions expand to more than ${MAX_CTE_EXPANSION} copies`,
        );
      }
    }
    weighing.delete(name);
    scope.set(name, copies);
    return copies;
  };
  for (const name of bodies.keys()) weigh(name);
}

function queryBody(c: Cursor): void {
  queryPrimary(c);
  while (c.acceptWord("UNION", "EXCEPT", "INTERSECT")) {
    c.acceptWord("ALL", "DISTINCT");
    queryPrimary(c);
  }
}

function queryPrimary(c: Cursor): void {
  if (c.isOp("(")) {
    if (!c.opensQuery()) c.fail("a query in parentheses");
    c.pos++;
    c.nested(() => queryExpression(c));
    c.expectOp(")");
    return;
  }
  const word = c.expectWord("SELECT", "VALUES", "TABLE");
  if (word === "SELECT") return select(c);
  if (word === "VALUES") return valuesRows(c);
  tableName(c);
}

/** `VALUES (...), (...)` or `VALUES ROW(...), ROW(...)`: rows of expressions. */
export function valuesRows(c: Cursor): void {
  do {
    c.acceptWord("ROW");
    c.expectOp("(");
    if (!c.acceptOp(")")) {
      do {
        if (!c.acceptWord("DEFAULT")) expression(c);
      } while (c.acceptOp(","));
      c.expectOp(")");
    }
  } while (c.acceptOp(","));
}

function select(c: Cursor): void {
  // An option word followed by a dot is a name (`SELECT sql_cache.id FROM t sql_cache`).
  while (SELECT_OPTIONS.includes(c.word()) && !c.isOp(".", 1)) {
    if (c.next().upper === "SQL_CALC_FOUND_ROWS") c.facts.leavesSessionState = true;
  }
  selectList(c);
  refuseInto(c);
  if (c.acceptWord("FROM")) {
    if (!c.acceptWord("DUAL")) tableReferences(c);
  }
  if (c.acceptWord("WHERE")) expression(c);
  if (c.acceptWords("GROUP", "BY")) {
    orderByList(c);
    c.acceptWords("WITH", "ROLLUP");
  }
  if (c.acceptWord("HAVING")) expression(c);
  if (c.acceptWord("WINDOW")) {
    do {
      identifier(c, "a window name");
      c.expectWord("AS");
      windowSpecification(c);
    } while (c.acceptOp(","));
  }
}

/** `*`, `t.*`, `db.t.*`, or `expr [[AS] alias]`, separated by commas. */
export function selectList(c: Cursor): void {
  do {
    if (c.acceptOp("*")) continue;
    if (atName(c) && c.isOp(".", 1) && (c.isOp("*", 2) || (c.isOp(".", 3) && c.isOp("*", 4)))) {
      const parts = dottedName(c, 3, true);
      if (parts.length === 3) c.addDatabase(parts[0]);
      continue;
    }
    expression(c);
    optionalAlias(c, true);
  } while (c.acceptOp(","));
}

/** What may end a query: ORDER BY, LIMIT, OFFSET/FETCH; locks and INTO are refused. */
function tail(c: Cursor): void {
  if (c.acceptWords("ORDER", "BY")) orderByList(c);
  if (c.acceptWord("LIMIT")) {
    // MariaDB: `LIMIT [n [, m | OFFSET m]] [ROWS EXAMINED n]`.
    if (!(c.isWord("ROWS") && c.isWord("EXAMINED", 1))) {
      limitValue(c);
      if (c.acceptOp(",") || c.acceptWord("OFFSET")) limitValue(c);
    }
    if (c.acceptWords("ROWS", "EXAMINED")) limitValue(c);
  }
  if (c.acceptWord("OFFSET")) {
    limitValue(c);
    c.expectWord("ROW", "ROWS");
  }
  if (c.acceptWord("FETCH")) {
    c.expectWord("FIRST", "NEXT");
    if (!c.isWord("ROW") && !c.isWord("ROWS")) limitValue(c);
    c.expectWord("ROW", "ROWS");
    if (!c.acceptWord("ONLY")) {
      c.expectWord("WITH");
      c.expectWord("TIES");
    }
  }
  refuseInto(c);
  if (c.isWord("FOR") && ["UPDATE", "SHARE"].includes(c.word(1))) {
    c.refuse(`FOR ${c.word(1)} takes row locks`);
  }
  if (c.isWord("LOCK") && c.isWord("IN", 1)) c.refuse("LOCK IN SHARE MODE takes row locks");
  if (c.isWord("PROCEDURE")) c.refuse("PROCEDURE ANALYSE is not allowed");
}

function refuseInto(c: Cursor): void {
  if (!c.isWord("INTO")) return;
  const what = c.word(1);
  if (what === "OUTFILE") c.refuse("INTO OUTFILE writes a file on the server");
  if (what === "DUMPFILE") c.refuse("INTO DUMPFILE writes a file on the server");
  if (c.peek(1)?.kind === "variable") c.refuse("INTO @variable assigns a user variable");
  c.refuse("SELECT ... INTO assigns variables");
}

/** `expr [ASC|DESC], ...` (ORDER BY, GROUP BY, PARTITION BY). */
export function orderByList(c: Cursor): void {
  do {
    expression(c);
    c.acceptWord("ASC", "DESC");
  } while (c.acceptOp(","));
}

/** `( [name] [PARTITION BY ...] [ORDER BY ...] [frame] )` */
export function windowSpecification(c: Cursor): void {
  c.expectOp("(");
  if (atName(c) && !c.isWord("PARTITION") && !c.isWord("ORDER")) identifier(c);
  if (c.acceptWords("PARTITION", "BY")) expressionList(c);
  if (c.acceptWords("ORDER", "BY")) orderByList(c);
  if (c.acceptWord("ROWS", "RANGE", "GROUPS")) {
    if (c.acceptWord("BETWEEN")) {
      frameBound(c);
      c.expectWord("AND");
    }
    frameBound(c);
    if (c.acceptWord("EXCLUDE")) {
      if (c.acceptWord("CURRENT")) c.expectWord("ROW");
      else if (c.acceptWord("NO")) c.expectWord("OTHERS");
      else c.expectWord("GROUP", "TIES");
    }
  }
  c.expectOp(")");
}

function frameBound(c: Cursor): void {
  if (c.acceptWord("UNBOUNDED")) {
    c.expectWord("PRECEDING", "FOLLOWING");
  } else if (c.acceptWord("CURRENT")) {
    c.expectWord("ROW");
  } else {
    bitExpression(c);
    c.expectWord("PRECEDING", "FOLLOWING");
  }
}

export { columnReference, expression };
