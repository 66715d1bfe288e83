/**
 * `:name` placeholders for declarative tools. MySQL only binds positional `?`, so the TOML
 * statement is rewritten token by token: a `:name` inside a string, comment or quoted
 * identifier is text, not a placeholder, and stays as written.
 *
 * @module
 */

import { lex } from "./lexer.ts";

/** A statement rewritten for positional binding, and the names to bind in order. */
export interface PositionalSql {
  /** The input with each `:name` placeholder replaced by `?`, everything else unchanged. */
  sql: string;
  /** The placeholder names in the order their `?` appear; a name may repeat. */
  names: string[];
}

/** Replaces each `:name` placeholder with `?`, returning the names in binding order. */
export function toPositional(sql: string): PositionalSql {
  const parts: string[] = [];
  const names: string[] = [];
  let copied = 0;
  for (const token of lex(sql)) {
    if (token.kind !== "named_param") continue;
    parts.push(sql.slice(copied, token.start), "?");
    names.push(token.text.slice(1));
    copied = token.end;
  }
  if (names.length === 0) return { sql, names };
  parts.push(sql.slice(copied));
  return { sql: parts.join(""), names };
}

/** The distinct `:name` placeholders of a statement, in first-seen order. */
export function placeholderNames(sql: string): string[] {
  return [...new Set(toPositional(sql).names)];
}
