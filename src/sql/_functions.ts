/**
 * Function calls: the name is recorded (the policy checks it against the flavour's built-ins),
 * and the arguments are parsed by the function's own syntax where MySQL gives it one
 * (`CAST(x AS type)`, `TRIM(LEADING 'a' FROM x)`, `GROUP_CONCAT(... SEPARATOR ...)`...).
 * A keyword in an argument list that no rule here expects is not understood, and refused.
 *
 * @module
 */

import type { Cursor } from "./_cursor.ts";
import {
  bitExpression,
  collationName,
  columnReference,
  expression,
  expressionList,
  intervalUnit,
} from "./_expression.ts";
import { nameOf } from "./_names.ts";
import { orderByList, windowSpecification } from "./_query.ts";
import { TYPE_MODIFIERS, TYPE_WORDS } from "./_words.ts";

type ArgumentRule = (c: Cursor, name: string) => void;

const RULES: Record<string, ArgumentRule> = {
  CAST: castArguments,
  CONVERT: convertArguments,
  EXTRACT: (c) => {
    intervalUnit(c);
    c.expectWord("FROM");
    expression(c);
  },
  TRIM: trimArguments,
  SUBSTRING: substringArguments,
  SUBSTR: substringArguments,
  MID: substringArguments,
  POSITION: (c) => {
    bitExpression(c);
    c.expectWord("IN");
    expression(c);
  },
  CHAR: (c) => {
    expressionList(c);
    if (c.acceptWord("USING")) collationName(c);
  },
  WEIGHT_STRING: (c) => {
    expression(c);
    if (c.acceptWord("AS")) dataType(c);
  },
  TIMESTAMPADD: unitThenArguments,
  TIMESTAMPDIFF: unitThenArguments,
  GET_FORMAT: (c) => {
    c.expectWord("DATE", "TIME", "DATETIME", "TIMESTAMP");
    c.expectOp(",");
    expression(c);
  },
  GROUP_CONCAT: (c) => {
    c.acceptWord("DISTINCT");
    expressionList(c);
    if (c.acceptWords("ORDER", "BY")) orderByList(c);
    if (c.acceptWord("SEPARATOR")) {
      if (c.peek()?.kind !== "string") c.fail("a separator string");
      c.pos++;
    }
    limitArguments(c);
  },
  JSON_ARRAYAGG: (c) => {
    c.acceptWord("DISTINCT");
    expression(c);
    if (c.acceptWords("ORDER", "BY")) orderByList(c);
    limitArguments(c);
  },
  COUNT: (c) => {
    if (c.acceptOp("*")) return;
    c.acceptWord("DISTINCT", "ALL", "DISTINCTROW");
    expressionList(c);
  },
  MATCH: matchArguments,
  JSON_VALUE: jsonValueArguments,
  COLUMN_GET: dynamicColumnArguments,
  COLUMN_CREATE: dynamicColumnArguments,
  COLUMN_ADD: dynamicColumnArguments,
  LAST_INSERT_ID: (c) => {
    expression(c);
    // LAST_INSERT_ID(n) sets the value the next caller of the connection would read.
    c.facts.leavesSessionState = true;
  },
  JSON_TABLE: (c) => c.fail("JSON_TABLE only in FROM"),
};

/** Functions whose argument syntax the grammar itself defines: built-ins on both flavours. */
export const GRAMMAR_FUNCTIONS: ReadonlySet<string> = new Set(
  Object.keys(RULES).filter((name) => name !== "JSON_TABLE"),
);

/** A call `name(...)` at the cursor, with whatever follows it (OVER, WITHIN GROUP ...). */
export function functionCall(c: Cursor): void {
  const token = c.next();
  const name = nameOf(token).toUpperCase();
  c.addFunction(name);
  // A quoted name, or anything between a non-reserved name and "(", makes the server skip its
  // built-in grammar for the name: `count (x)` and `` `count`(x) `` call a stored function.
  const spaced = token.end !== c.peek()!.start;
  if (token.kind !== "word" || (spaced && !c.reservedForSure.has(name))) c.addLooseCall(name);
  const count = genericArguments(c, name);
  // MariaDB's geometry constructors with another number of arguments fall through to a
  // stored function of the same name.
  const arity = CONSTRUCTOR_ARITY[name];
  if (arity !== undefined && (count < arity[0] || count > arity[1])) c.addLooseCall(name);
  if (name === "MATCH") return;
  afterCall(c);
}

/** Arguments (fewest, most) of the geometry constructors: anything else is a stored call. */
const CONSTRUCTOR_ARITY: Readonly<Record<string, readonly [number, number]>> = {
  POINT: [2, 2],
  LINESTRING: [1, Infinity],
  POLYGON: [1, Infinity],
  MULTIPOINT: [1, Infinity],
  MULTILINESTRING: [1, Infinity],
  MULTIPOLYGON: [1, Infinity],
  GEOMETRYCOLLECTION: [1, Infinity],
};

/**
 * `( args )` by the function's rule, or `[DISTINCT|ALL] expr, ...` for the rest. Returns the
 * number of arguments of a plain argument list (1 for a rule's own syntax).
 */
export function genericArguments(c: Cursor, name: string): number {
  c.expectOp("(");
  if (c.acceptOp(")")) return 0;
  const rule = RULES[name];
  let count = 1;
  c.enter();
  if (rule !== undefined) {
    rule(c, name);
  } else {
    c.acceptWord("DISTINCT", "ALL");
    count = expressionList(c);
  }
  c.leave();
  c.expectOp(")");
  return count;
}

/** Window and ordered-set syntax after the closing parenthesis. */
function afterCall(c: Cursor): void {
  const next = c.word();
  if (next === "") return;
  if (next === "FROM" && (c.isWord("FIRST", 1) || c.isWord("LAST", 1))) {
    const then = c.word(2);
    if (then === "RESPECT" || then === "IGNORE" || then === "OVER") c.pos += 2;
  }
  if ((c.isWord("RESPECT") || c.isWord("IGNORE")) && c.isWord("NULLS", 1)) c.pos += 2;
  if (c.acceptWords("WITHIN", "GROUP")) {
    c.expectOp("(");
    c.expectWord("ORDER");
    c.expectWord("BY");
    orderByList(c);
    c.expectOp(")");
  }
  if (c.acceptWord("OVER")) {
    if (c.isOp("(")) windowSpecification(c);
    else if (c.peek()?.kind === "word" || c.peek()?.kind === "quoted_ident") c.pos++;
    else c.fail("a window name or specification after OVER");
  }
}

function limitArguments(c: Cursor): void {
  if (!c.acceptWord("LIMIT")) return;
  limitValue(c);
  if (c.acceptOp(",") || c.acceptWord("OFFSET")) limitValue(c);
}

/** A row count or offset: a number or a placeholder. */
export function limitValue(c: Cursor): void {
  c.expectKind("a number or a placeholder", "number", "param", "named_param");
}

function castArguments(c: Cursor): void {
  expression(c);
  if (c.acceptWords("AT", "TIME", "ZONE")) {
    c.acceptWord("INTERVAL");
    expression(c);
  }
  c.expectWord("AS");
  dataType(c);
}

function convertArguments(c: Cursor): void {
  expression(c);
  if (c.acceptWord("USING")) return collationName(c);
  c.expectOp(",");
  dataType(c);
}

function trimArguments(c: Cursor): void {
  const side = c.acceptWord("BOTH", "LEADING", "TRAILING");
  if (side !== undefined && c.acceptWord("FROM")) return expression(c);
  expression(c);
  if (c.acceptWord("FROM")) expression(c);
  else if (side !== undefined) c.fail("FROM");
}

function substringArguments(c: Cursor): void {
  expression(c);
  if (c.acceptWord("FROM")) {
    expression(c);
    if (c.acceptWord("FOR")) expression(c);
    return;
  }
  if (c.acceptWord("FOR")) return expression(c);
  while (c.acceptOp(",")) expression(c);
}

function unitThenArguments(c: Cursor): void {
  intervalUnit(c);
  c.expectOp(",");
  expressionList(c);
}

/** `MATCH (col, ...) AGAINST (expr [modifier])`; the name and `(` are already read. */
function matchArguments(c: Cursor): void {
  do columnReference(c); while (c.acceptOp(","));
  c.expectOp(")");
  c.expectWord("AGAINST");
  c.expectOp("(");
  bitExpression(c);
  if (c.acceptWord("IN")) {
    if (c.acceptWord("BOOLEAN")) {
      c.expectWord("MODE");
    } else {
      c.expectWord("NATURAL");
      c.expectWord("LANGUAGE");
      c.expectWord("MODE");
      if (c.acceptWord("WITH")) {
        c.expectWord("QUERY");
        c.expectWord("EXPANSION");
      }
    }
  } else if (c.acceptWord("WITH")) {
    c.expectWord("QUERY");
    c.expectWord("EXPANSION");
  }
  // The caller's closing `)` ends AGAINST (...).
}

/** MySQL's `JSON_VALUE(doc, path [RETURNING type] [... ON EMPTY] [... ON ERROR])`. */
function jsonValueArguments(c: Cursor): void {
  expression(c);
  c.expectOp(",");
  expression(c);
  if (c.acceptWord("RETURNING")) dataType(c);
  onEmptyOrError(c);
}

/** `{NULL | ERROR | DEFAULT value} ON {EMPTY | ERROR}`, up to twice. */
export function onEmptyOrError(c: Cursor): void {
  for (let i = 0; i < 2; i++) {
    if (c.acceptWord("NULL") || c.acceptWord("ERROR")) {
      // fallthrough to ON
    } else if (c.acceptWord("DEFAULT")) {
      expression(c);
    } else {
      return;
    }
    c.expectWord("ON");
    c.expectWord("EMPTY", "ERROR");
  }
}

/** MariaDB dynamic columns: arguments may carry `AS type`. */
function dynamicColumnArguments(c: Cursor): void {
  do {
    expression(c);
    if (c.acceptWord("AS")) dataType(c);
  } while (c.acceptOp(","));
}

/** A data type: `CHAR(10) CHARACTER SET utf8mb4`, `DECIMAL(10,2)`, `UNSIGNED`, `JSON`... */
export function dataType(c: Cursor): void {
  const first = c.word();
  if (!TYPE_WORDS.has(first)) c.fail("a data type");
  c.pos++;
  for (;;) {
    if (c.isOp("(")) {
      c.pos++;
      do {
        const token = c.peek();
        if (token?.kind !== "number") c.fail("a length");
        c.pos++;
      } while (c.acceptOp(","));
      c.expectOp(")");
    } else if (c.acceptWords("CHARACTER", "SET") || c.acceptWord("CHARSET")) {
      collationName(c);
    } else if (c.acceptWord("COLLATE")) {
      collationName(c);
    } else if (TYPE_MODIFIERS.has(c.word())) {
      c.pos++;
    } else {
      return;
    }
  }
}
