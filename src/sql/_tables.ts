/**
 * Table references of FROM, UPDATE and DELETE: joins, aliases, index hints, PARTITION,
 * FOR SYSTEM_TIME, derived tables, LATERAL, JSON_TABLE and ODBC `{OJ ...}`. Every table named is
 * recorded with its database.
 *
 * @module
 */

import type { Cursor } from "./_cursor.ts";
import { bitExpression, expression } from "./_expression.ts";
import { dataType, onEmptyOrError } from "./_functions.ts";
import { nameList, tableName } from "./_names.ts";
import { parenthesizedQuery } from "./_query.ts";
import { isBareAlias } from "./_words.ts";

/** `table_reference, table_reference, ...` */
export function tableReferences(c: Cursor): void {
  do tableReference(c); while (c.acceptOp(","));
}

/** A table factor and the joins that follow it. */
export function tableReference(c: Cursor): void {
  c.nested(() => {
    tableFactor(c);
    while (join(c));
  });
}

/** One join onto what came before; false when none follows. */
function join(c: Cursor): boolean {
  if (c.acceptWord("STRAIGHT_JOIN")) {
    tableFactor(c);
    if (c.acceptWord("ON")) expression(c);
    return true;
  }
  if (c.acceptWord("NATURAL")) {
    if (c.acceptWord("LEFT", "RIGHT")) c.acceptWord("OUTER");
    else c.acceptWord("INNER");
    c.expectWord("JOIN");
    tableFactor(c);
    return true;
  }
  const outer = c.acceptWord("LEFT", "RIGHT");
  if (outer !== undefined) {
    c.acceptWord("OUTER");
    c.expectWord("JOIN");
  } else if (c.acceptWord("INNER", "CROSS")) {
    c.expectWord("JOIN");
  } else if (!c.acceptWord("JOIN")) {
    return false;
  }
  tableFactor(c);
  if (c.acceptWord("ON")) {
    expression(c);
  } else if (c.acceptWord("USING")) {
    nameList(c);
  } else if (outer !== undefined) {
    c.fail("ON or USING after an outer join");
  }
  return true;
}

function tableFactor(c: Cursor): void {
  // `{OJ table_reference}`.
  if (c.isOp("{")) return c.odbcEscape("OJ", () => tableReference(c));
  if (c.acceptWord("LATERAL")) {
    if (!c.isOp("(") || !c.opensQuery()) c.fail("a subquery after LATERAL");
    return derivedTable(c);
  }
  if (c.isOp("(")) {
    if (c.opensQuery()) return derivedTable(c);
    c.pos++;
    c.nested(() => tableReferences(c));
    c.expectOp(")");
    return;
  }
  if (c.isWord("JSON_TABLE") && c.isOp("(", 1)) return jsonTable(c);
  tableName(c);
  if (c.acceptWord("PARTITION")) nameList(c);
  if (c.isWord("FOR") && c.isWord("SYSTEM_TIME", 1)) systemTime(c);
  tableAlias(c);
  indexHints(c);
}

/** `[[AS] alias]` after a table: a bare alias must not be a clause keyword on either flavour. */
function tableAlias(c: Cursor): void {
  if (c.acceptWord("AS")) {
    identifierOrFail(c);
    return;
  }
  const token = c.peek();
  if (token?.kind === "quoted_ident") c.pos++;
  else if (token?.kind === "word" && isBareAlias(token.upper!, c.reserved)) c.pos++;
}

function identifierOrFail(c: Cursor): void {
  c.expectKind("an alias", "word", "quoted_ident");
}

/** `(query) [AS] alias [(columns)]` */
function derivedTable(c: Cursor): void {
  parenthesizedQuery(c);
  tableAlias(c);
  if (c.isOp("(")) nameList(c);
}

/** `FOR SYSTEM_TIME {AS OF x | BETWEEN x AND y | FROM x TO y | ALL}` */
function systemTime(c: Cursor): void {
  c.pos += 2;
  const point = () => {
    c.acceptWord("TIMESTAMP", "TRANSACTION");
    bitExpression(c);
  };
  if (c.acceptWord("ALL")) return;
  if (c.acceptWord("AS")) {
    c.expectWord("OF");
    point();
  } else if (c.acceptWord("BETWEEN")) {
    point();
    c.expectWord("AND");
    point();
  } else {
    c.expectWord("FROM");
    point();
    c.expectWord("TO");
    point();
  }
}

/** `{USE|IGNORE|FORCE} {INDEX|KEY} [FOR {JOIN|ORDER BY|GROUP BY}] ([names])`, repeated. */
function indexHints(c: Cursor): void {
  for (;;) {
    const verb = c.word();
    if (verb !== "USE" && verb !== "IGNORE" && verb !== "FORCE") return;
    if (!c.isWord("INDEX", 1) && !c.isWord("KEY", 1)) return;
    c.pos += 2;
    if (c.acceptWord("FOR")) {
      if (!c.acceptWord("JOIN")) {
        c.expectWord("ORDER", "GROUP");
        c.expectWord("BY");
      }
    }
    c.expectOp("(");
    if (!c.acceptOp(")")) {
      do identifierOrFail(c); while (c.acceptOp(","));
      c.expectOp(")");
    }
  }
}

/** `JSON_TABLE(expr, path COLUMNS (...)) [AS] alias` */
function jsonTable(c: Cursor): void {
  c.pos += 2;
  c.facts.jsonTable = true;
  expression(c);
  c.expectOp(",");
  jsonPath(c);
  jsonColumns(c);
  c.expectOp(")");
  tableAlias(c);
}

function jsonPath(c: Cursor): void {
  c.expectKind("a JSON path string", "string", "param", "named_param");
}

function jsonColumns(c: Cursor): void {
  c.expectWord("COLUMNS");
  c.expectOp("(");
  c.nested(() => {
    do {
      if (c.acceptWord("NESTED")) {
        c.acceptWord("PATH");
        jsonPath(c);
        jsonColumns(c);
        continue;
      }
      identifierOrFail(c);
      if (c.acceptWords("FOR", "ORDINALITY")) continue;
      dataType(c);
      c.acceptWord("EXISTS");
      c.expectWord("PATH");
      jsonPath(c);
      onEmptyOrError(c);
    } while (c.acceptOp(","));
  });
  c.expectOp(")");
}
