/**
 * Expressions, by MySQL's operator precedence. Every operand is read by a rule that knows it:
 * literals, parameters, variables, column references, function calls, CASE, subqueries, rows.
 * A subquery anywhere in an expression is parsed as a query, so the tables it names are seen.
 *
 * @module
 */

import type { Cursor } from "./_cursor.ts";
import { functionCall, genericArguments } from "./_functions.ts";
import { atName, dottedName, identifier, nameOf } from "./_names.ts";
import { parenthesizedQuery } from "./_query.ts";
import { INTERVAL_UNITS, KEYWORD_VALUES } from "./_words.ts";

const COMPARISONS = new Set(["=", "<=>", ">=", ">", "<=", "<", "<>", "!="]);
const TIME_LITERAL_WORDS = new Set(["DATE", "TIME", "TIMESTAMP"]);

/** Any expression. */
export function expression(c: Cursor): void {
  c.enter();
  booleanChain(c);
  c.leave();
}

/**
 * Operands joined by OR, XOR, AND (`||`, `&&`), each optionally under NOT. The gate needs
 * which tokens are operands, not the tree, so one loop serves every precedence level.
 */
function booleanChain(c: Cursor): void {
  for (;;) {
    while (c.acceptWord("NOT"));
    predicate(c);
    const token = c.peek();
    if (token === undefined) return;
    if (token.kind === "word") {
      if (token.upper !== "OR" && token.upper !== "XOR" && token.upper !== "AND") return;
    } else if (token.kind !== "op" || (token.text !== "||" && token.text !== "&&")) {
      return;
    }
    c.pos++;
  }
}

/** A bit expression followed by comparisons and the predicates of MySQL's `predicate` rule. */
function predicate(c: Cursor): void {
  bitExpression(c);
  for (;;) {
    const token = c.peek();
    if (token === undefined) return;
    if (token.kind === "op") {
      if (token.text === ":=") c.refuse("`:=` assigns a user variable");
      if (!COMPARISONS.has(token.text)) return;
      c.pos++;
      const quantifier = c.word();
      if (
        (quantifier === "ANY" || quantifier === "SOME" || quantifier === "ALL") && c.isOp("(", 1)
      ) {
        c.pos++;
        if (!c.opensQuery()) c.fail("a subquery after ANY, SOME or ALL");
        parenthesizedQuery(c);
      } else {
        bitExpression(c);
      }
      continue;
    }
    if (token.kind !== "word") return;
    let word = token.upper!;
    if (word === "NOT") {
      word = c.word(1);
      if (!NEGATABLE.has(word)) return;
      c.pos++;
    }
    switch (word) {
      case "IS":
        c.pos++;
        c.acceptWord("NOT");
        c.expectWord("NULL", "TRUE", "FALSE", "UNKNOWN");
        break;
      case "SOUNDS":
        c.pos++;
        c.expectWord("LIKE");
        bitExpression(c);
        break;
      case "MEMBER":
        c.pos++;
        c.expectWord("OF");
        c.expectOp("(");
        expression(c);
        c.expectOp(")");
        break;
      case "IN":
        c.pos++;
        inList(c);
        break;
      case "BETWEEN":
        c.pos++;
        bitExpression(c);
        c.expectWord("AND");
        c.nested(() => predicate(c));
        break;
      case "LIKE":
        c.pos++;
        bitExpression(c);
        if (c.acceptWord("ESCAPE")) bitExpression(c);
        break;
      case "REGEXP":
      case "RLIKE":
        c.pos++;
        bitExpression(c);
        break;
      default:
        return;
    }
  }
}

const NEGATABLE = new Set(["IN", "BETWEEN", "LIKE", "REGEXP", "RLIKE"]);

/** `IN (subquery)` or `IN (expr, ...)`. */
function inList(c: Cursor): void {
  if (!c.isOp("(")) c.fail('"(" after IN');
  if (c.opensQuery()) return parenthesizedQuery(c);
  c.pos++;
  expressionList(c);
  c.expectOp(")");
}

/** `expr, expr, ...` (at least one); returns how many. */
export function expressionList(c: Cursor): number {
  let count = 0;
  do {
    expression(c);
    count++;
  } while (c.acceptOp(","));
  return count;
}

const BIT_OPERATORS = new Set(["|", "&", "<<", ">>", "+", "-", "*", "/", "%", "^"]);

/** MySQL's `bit_expr`: operands joined by arithmetic and bit operators. */
export function bitExpression(c: Cursor): void {
  for (;;) {
    unary(c);
    const token = c.peek();
    if (token === undefined) return;
    if (token.kind === "op") {
      if (!BIT_OPERATORS.has(token.text)) return;
    } else if (token.kind !== "word" || (token.upper !== "DIV" && token.upper !== "MOD")) {
      return;
    }
    c.pos++;
  }
}

function unary(c: Cursor): void {
  if (c.acceptOp("-") || c.acceptOp("+") || c.acceptOp("~") || c.acceptOp("!")) {
    return c.nested(() => unary(c));
  }
  if (c.isWord("BINARY")) {
    c.pos++;
    return c.nested(() => unary(c));
  }
  primary(c);
  for (;;) {
    if (c.acceptWord("COLLATE")) {
      collationName(c);
    } else if (c.acceptOp("->") || c.acceptOp("->>")) {
      c.expectKind("a JSON path string", "string");
    } else {
      return;
    }
  }
}

/** A collation or character set name: a name or a string. */
export function collationName(c: Cursor): void {
  c.expectKind("a collation name", "string", "quoted_ident", "word");
}

/** A string literal, with adjacent strings (`'a' 'b'`) folded in as MySQL does. */
function stringLiteral(c: Cursor): void {
  const first = c.next();
  if (first.literalPrefix !== undefined) return;
  while (c.peek()?.kind === "string" && c.peek()!.literalPrefix === undefined) c.pos++;
}

/** One operand. */
function primary(c: Cursor): void {
  const token = c.peek();
  if (token === undefined) c.fail("a value");
  switch (token.kind) {
    case "number":
    case "param":
    case "named_param":
      c.pos++;
      return;
    case "string":
      return stringLiteral(c);
    case "variable":
      return variable(c);
    case "quoted_ident":
      if (c.isOp("(", 1)) return functionCall(c);
      columnReference(c);
      return;
    case "op":
      if (token.text === "(") return parenthesized(c);
      // `{d '2024-01-01'}` and MariaDB's `{ident expr}`.
      if (token.text === "{") return c.odbcEscape("an ODBC escape keyword", () => expression(c));
      return c.fail("a value");
    case "word":
      return wordOperand(c, token.upper!);
    default:
      c.fail("a value");
  }
}

function variable(c: Cursor): void {
  const token = c.next();
  if (!token.text.startsWith("@@")) return;
  // `@@global.name`, `@@session.name`, `@@name`; a quoted name is unquoted.
  let name = token.text.slice(2);
  if (/^(global|session|local)$/i.test(name) && c.isOp(".")) {
    // `@@global.\`name\``: the lexer ends the variable at the dot before a quoted name.
    c.pos++;
    const part = c.next();
    if (part.kind !== "quoted_ident" && part.kind !== "word") c.fail("a variable name");
    name = nameOf(part);
  }
  const q = name[0];
  if (q === "`" || q === "'" || q === '"') name = name.slice(1, -1).replaceAll(q + q, q);
  name = name.toLowerCase().replace(/^(global|session|local)\./, "");
  c.addSystemVariable(name);
}

/** `(subquery)`, `(expr)` or a row `(expr, expr, ...)`. */
function parenthesized(c: Cursor): void {
  if (c.opensQuery()) return parenthesizedQuery(c);
  c.pos++;
  c.nested(() => expressionList(c));
  c.expectOp(")");
}

/**
 * A column reference: `col`, `t.col`, `db.t.col` (the database is recorded), or a call of a
 * stored function by its qualified name, `db.fn(...)`.
 */
export function columnReference(c: Cursor): void {
  const parts = dottedName(c, 3);
  if (parts.length === 3) c.addDatabase(parts[0]);
  if (!c.isOp("(")) return;
  if (parts.length !== 2) c.fail("a function name");
  c.addDatabase(parts[0]);
  c.addStoredFunction(`${parts[0]}.${parts[1]}`);
  genericArguments(c, "");
}

function wordOperand(c: Cursor, upper: string): void {
  const next = c.peek(1);
  if (upper === "NOT" || upper === "EXISTS") {
    if (upper === "NOT") c.pos++;
    c.expectWord("EXISTS");
    if (!c.isOp("(") || !c.opensQuery()) c.fail("a subquery after EXISTS");
    return parenthesizedQuery(c);
  }
  if (upper === "CASE") return caseExpression(c);
  if (upper === "INTERVAL") return interval(c);
  if (upper === "ROW" && next?.kind === "op" && next.text === "(") {
    c.pos += 2;
    expressionList(c);
    c.expectOp(")");
    return;
  }
  if ((upper === "NEXT" || upper === "PREVIOUS") && c.isWord("VALUE", 1) && c.isWord("FOR", 2)) {
    c.refuse(`${upper} VALUE FOR reads a sequence, which the gate does not allow`);
  }
  if (next?.kind === "op" && next.text === "(") return functionCall(c);
  if (next?.kind === "string" && next.literalPrefix === undefined) {
    // `DATE '2024-01-01'`, `N'text'`, `_utf8mb4'text'`.
    if (TIME_LITERAL_WORDS.has(upper) || upper === "N" || upper.startsWith("_")) {
      c.pos++;
      return stringLiteral(c);
    }
  }
  if (upper.startsWith("_") && (next?.kind === "string" || next?.kind === "number")) {
    c.pos += 2; // `_binary X'00'`, `_latin1 0x41`
    return;
  }
  if (KEYWORD_VALUES.has(upper) && !c.isOp(".", 1)) {
    c.pos++;
    return;
  }
  if (upper === "MATCH") return c.fail('"(" after MATCH');
  if (c.reserved.has(upper) && !c.isOp(".", 1)) c.fail("a value");
  columnReference(c);
}

/** `CASE [value] WHEN ... THEN ... [ELSE ...] END`. */
function caseExpression(c: Cursor): void {
  c.expectWord("CASE");
  if (!c.isWord("WHEN")) expression(c);
  c.expectWord("WHEN");
  do {
    expression(c);
    c.expectWord("THEN");
    expression(c);
  } while (c.acceptWord("WHEN"));
  if (c.acceptWord("ELSE")) expression(c);
  c.expectWord("END");
}

/** `INTERVAL expr unit` as an operand, or the `INTERVAL(n, n1, ...)` function. */
function interval(c: Cursor): void {
  c.expectWord("INTERVAL");
  if (c.isOp("(") && !c.opensQuery()) {
    c.pos++;
    expression(c);
    if (c.acceptOp(",")) {
      expressionList(c);
      c.expectOp(")");
      return;
    }
    c.expectOp(")");
    if (!INTERVAL_UNITS.has(c.word())) return; // INTERVAL(x): the one-argument function form.
  } else {
    expression(c);
  }
  intervalUnit(c);
}

export function intervalUnit(c: Cursor): void {
  if (!INTERVAL_UNITS.has(c.word())) c.fail("an interval unit such as DAY");
  c.pos++;
}

/** An unqualified or qualified name that must be a plain identifier (window names...). */
export function plainName(c: Cursor): string {
  return identifier(c);
}

export { atName, nameOf };
