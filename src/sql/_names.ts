/**
 * Identifiers and dotted names: `name`, `` `name` ``, `db.table`, `db.table.column`.
 *
 * @module
 */

import type { Cursor } from "./_cursor.ts";
import type { Token } from "./lexer.ts";
import { isBareAlias } from "./_words.ts";

/** The identifier a name token denotes: quotes removed, doubled quotes undone. */
export function nameOf(token: Token): string {
  if (token.kind !== "quoted_ident") return token.text;
  const quote = token.quote ?? "`";
  return token.text.slice(1, -1).replaceAll(quote + quote, quote);
}

/** True when the token at `ahead` can start a name (a quoted identifier or an unreserved word). */
export function atName(c: Cursor, ahead = 0): boolean {
  const token = c.peek(ahead);
  if (token === undefined) return false;
  if (token.kind === "quoted_ident") return true;
  return token.kind === "word" && !c.reserved.has(token.upper!);
}

/** Reads one identifier. */
export function identifier(c: Cursor, what = "a name"): string {
  if (!atName(c)) c.fail(what);
  return nameOf(c.next());
}

/**
 * Reads `a`, `a.b`, `a.b.c` (at most `maxParts`); after a dot any word is a name, as in MySQL.
 * With `star`, the last part may be `*` (returned as "*").
 */
export function dottedName(c: Cursor, maxParts: number, star = false): string[] {
  const parts = [identifier(c)];
  while (c.isOp(".")) {
    if (parts.length >= maxParts) c.fail("a shorter name");
    c.pos++;
    if (star && c.acceptOp("*")) {
      parts.push("*");
      break;
    }
    const token = c.peek();
    if (token === undefined || (token.kind !== "word" && token.kind !== "quoted_ident")) {
      c.fail("a name after the dot");
    }
    parts.push(nameOf(c.next()));
  }
  return parts;
}

/** A table name (`t` or `db.t`), recorded as a table the statement names. */
export function tableName(c: Cursor): string[] {
  const parts = dottedName(c, 2);
  c.addTable(parts);
  return parts;
}

/**
 * An optional alias: `AS name`, `AS 'name'` (when strings are allowed), or a bare name that is
 * neither reserved nor a clause keyword.
 */
export function optionalAlias(c: Cursor, allowString: boolean): void {
  if (c.acceptWord("AS")) {
    const token = c.peek();
    if (allowString && token?.kind === "string" && token.literalPrefix === undefined) {
      c.pos++;
      return;
    }
    if (token?.kind === "word" || token?.kind === "quoted_ident") {
      c.pos++;
      return;
    }
    c.fail("an alias after AS");
  }
  const token = c.peek();
  if (token === undefined) return;
  if (
    token.kind === "quoted_ident" ||
    (token.kind === "word" && isBareAlias(token.upper!, c.reserved))
  ) {
    c.pos++;
  } else if (allowString && token.kind === "string" && token.literalPrefix === undefined) {
    c.pos++;
  }
}

/** `(name, name, ...)`: a column or partition list. */
export function nameList(c: Cursor): void {
  c.expectOp("(");
  do c.expectKind("a name", "word", "quoted_ident"); while (c.acceptOp(","));
  c.expectOp(")");
}
