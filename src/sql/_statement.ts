/**
 * One statement's tokens → its facts. The statements the gate may admit (queries, the four
 * writes, DESCRIBE/EXPLAIN of queries and the harmless SHOW forms) are parsed completely; any
 * other statement is only named (its verb and category "other") so the policy can refuse it
 * by kind. A statement the parser cannot read to its last token is refused.
 *
 * @module
 */

import { Cursor, NotUnderstood, Refused, type StatementFacts } from "./_cursor.ts";
import { bitExpression, columnReference, expression } from "./_expression.ts";
import { limitValue } from "./_functions.ts";
import { atName, dottedName, identifier, nameList, optionalAlias, tableName } from "./_names.ts";
import { orderByList, queryExpression, selectList, valuesRows, withScope } from "./_query.ts";
import { showStatement } from "./_show.ts";
import { tableReferences } from "./_tables.ts";
import type { Token } from "./lexer.ts";
import { type Flavor, reservedForSure, reservedWords } from "./_words.ts";

const QUERY_STARTS = new Set(["SELECT", "WITH", "VALUES", "TABLE"]);

/** Parses the significant (non-comment) tokens of one statement. Never throws. */
export function parseStatement(tokens: readonly Token[], flavor?: Flavor): StatementFacts {
  const c = new Cursor(tokens, reservedWords(flavor), reservedForSure(flavor));
  const facts = c.facts;
  const first = tokens[0];
  facts.verb = first === undefined ? "" : first.kind === "word" ? first.upper! : first.text;
  try {
    statement(c);
    if (!c.done) c.fail("the end of the statement");
  } catch (error) {
    if (error instanceof NotUnderstood || error instanceof Refused) {
      facts.refusal = error.message;
      facts.notUnderstood = error instanceof NotUnderstood;
    } else if (error instanceof RangeError) {
      facts.refusal = "the statement is nested too deeply to analyse";
    } else {
      throw error;
    }
  }
  return facts;
}

const WRITES: Readonly<Record<string, (c: Cursor) => void>> = {
  INSERT: insert,
  REPLACE: insert,
  UPDATE: update,
  DELETE: remove,
};

function statement(c: Cursor): void {
  const facts = c.facts;
  if (c.isOp("(")) {
    if (!c.opensQuery()) {
      c.pos = c.tokens.length;
      return; // `(DELETE ...)` and the like: no admitted kind.
    }
    facts.verb = "SELECT";
    facts.category = "read";
    return queryExpression(c);
  }
  const verb = c.word();
  if (verb === "WITH") return withStatement(c);
  if (QUERY_STARTS.has(verb)) {
    facts.category = "read";
    return queryExpression(c);
  }
  const write = WRITES[verb];
  if (write !== undefined) {
    facts.category = "write";
    return write(c);
  }
  switch (verb) {
    case "SHOW":
      facts.category = "read";
      return showStatement(c);
    case "DESCRIBE":
    case "DESC":
    case "EXPLAIN":
      return explain(c);
    case "ANALYZE":
      return analyze(c);
  }
  // Any other statement is refused by kind; its tokens need no reading.
  facts.category = "other";
  c.pos = c.tokens.length;
}

/** `WITH ... query`, or MySQL's `WITH ... UPDATE/DELETE`. */
function withStatement(c: Cursor): void {
  withScope(c, () => {
    const main = c.word();
    if (main === "UPDATE" || main === "DELETE") {
      c.facts.category = "write";
      return main === "UPDATE" ? update(c) : remove(c);
    }
    if (!QUERY_STARTS.has(main) && !c.isOp("(")) c.fail("a query after WITH");
    c.facts.category = "read";
    // The query after the CTEs, with its own tail.
    queryExpression(c);
  });
}

/**
 * `DESCRIBE t [col]`, or `EXPLAIN [options] query`. EXPLAIN of anything but a query, and
 * EXPLAIN FOR CONNECTION (another session's plan), are not reads.
 */
function explain(c: Cursor): void {
  c.pos++;
  if (atName(c) && !c.isWord("FORMAT") && !c.isWord("EXTENDED") && !c.isWord("PARTITIONS")) {
    if (!c.isWord("ANALYZE") || !(QUERY_STARTS.has(c.word(1)) || c.isOp("(", 1))) {
      c.facts.category = "read";
      c.facts.show = "COLUMNS"; // DESCRIBE t is SHOW COLUMNS FROM t
      tableName(c);
      const token = c.peek();
      if (token?.kind === "string") c.pos++;
      else if (token !== undefined) identifier(c, "a column name or pattern");
      return;
    }
  }
  for (;;) {
    if (c.acceptWord("EXTENDED", "PARTITIONS", "ANALYZE")) continue;
    if (c.isWord("FORMAT") && c.isOp("=", 1)) {
      c.pos += 2;
      identifier(c, "an EXPLAIN format");
      continue;
    }
    break;
  }
  if (c.isWord("FOR")) c.refuse("EXPLAIN FOR CONNECTION shows another session's statement");
  if (c.isWord("INTO")) c.refuse("EXPLAIN ... INTO @variable assigns a user variable");
  if (QUERY_STARTS.has(c.word()) || c.isOp("(")) {
    c.facts.category = "read";
    return queryExpression(c);
  }
  c.facts.category = "other";
  c.pos = c.tokens.length;
}

/** MariaDB `ANALYZE [FORMAT=JSON] query` runs the query; `ANALYZE TABLE` is maintenance. */
function analyze(c: Cursor): void {
  c.pos++;
  if (c.isWord("FORMAT") && c.isOp("=", 1)) {
    c.pos += 2;
    identifier(c, "a format");
  }
  if ((QUERY_STARTS.has(c.word()) && !c.isWord("TABLE")) || c.isOp("(")) {
    c.facts.category = "read";
    return queryExpression(c);
  }
  c.facts.category = "other";
  c.pos = c.tokens.length;
}

/** `INSERT|REPLACE [options] [INTO] t [PARTITION] [(cols)] source [ON DUPLICATE...] [RETURNING]` */
function insert(c: Cursor): void {
  const verb = c.next().upper!;
  while (c.acceptWord("LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE"));
  c.acceptWord("INTO");
  tableName(c);
  if (c.acceptWord("PARTITION")) nameList(c);
  if (c.acceptWord("SET")) {
    assignments(c);
  } else {
    if (c.isOp("(") && !c.opensQuery()) columnList(c);
    if (c.acceptWord("VALUES", "VALUE")) {
      valuesRows(c);
    } else if (QUERY_STARTS.has(c.word()) || c.isOp("(")) {
      queryExpression(c);
    } else {
      c.fail("VALUES, SET or a query");
    }
  }
  if (c.acceptWord("AS")) {
    identifier(c, "a row alias");
    if (c.isOp("(")) nameList(c);
  }
  if (verb === "INSERT" && c.acceptWord("ON")) {
    c.expectWord("DUPLICATE");
    c.expectWord("KEY");
    c.expectWord("UPDATE");
    assignments(c);
  }
  returning(c);
}

/** `(col, t.col, ...)`, possibly empty. */
function columnList(c: Cursor): void {
  c.expectOp("(");
  if (c.acceptOp(")")) return;
  do columnReference(c); while (c.acceptOp(","));
  c.expectOp(")");
}

/** `col = expr|DEFAULT, ...` */
function assignments(c: Cursor): void {
  do {
    columnReference(c);
    c.expectOp("=");
    if (!c.acceptWord("DEFAULT")) expression(c);
  } while (c.acceptOp(","));
}

function returning(c: Cursor): void {
  if (!c.acceptWord("RETURNING")) return;
  c.facts.returning = true;
  selectList(c);
}

/** `UPDATE [options] table_references SET ... [WHERE] [ORDER BY] [LIMIT]` */
function update(c: Cursor): void {
  c.expectWord("UPDATE");
  while (c.acceptWord("LOW_PRIORITY", "IGNORE"));
  tableReferences(c);
  portionOf(c);
  c.expectWord("SET");
  assignments(c);
  dmlTail(c);
}

/** MariaDB's application-time periods: `FOR PORTION OF period FROM x TO y`. */
function portionOf(c: Cursor): void {
  if (!c.isWord("FOR") || !c.isWord("PORTION", 1)) return;
  c.pos += 2;
  c.expectWord("OF");
  identifier(c, "a period name");
  c.expectWord("FROM");
  bitExpression(c);
  c.expectWord("TO");
  bitExpression(c);
}

function dmlTail(c: Cursor): void {
  if (c.acceptWord("WHERE")) expression(c);
  if (c.acceptWords("ORDER", "BY")) orderByList(c);
  if (c.acceptWord("LIMIT")) limitValue(c);
}

/**
 * `DELETE [options] FROM t [[AS] a] [PARTITION] [WHERE] [ORDER BY] [LIMIT] [RETURNING]`,
 * `DELETE t1[.*], ... FROM refs [WHERE]` and `DELETE FROM t1[.*], ... USING refs [WHERE]`.
 */
function remove(c: Cursor): void {
  c.expectWord("DELETE");
  while (c.acceptWord("LOW_PRIORITY", "QUICK", "IGNORE"));
  if (c.isWord("HISTORY") && c.isWord("FROM", 1)) {
    c.refuse("DELETE HISTORY purges the history of a system-versioned table");
  }
  if (!c.acceptWord("FROM")) {
    deleteTargets(c);
    c.expectWord("FROM");
    tableReferences(c);
    if (c.acceptWord("WHERE")) expression(c);
    return;
  }
  const start = c.pos;
  const tablesBefore = c.facts.tables.length;
  deleteTargets(c);
  if (c.acceptWord("USING")) {
    tableReferences(c);
    if (c.acceptWord("WHERE")) expression(c);
    return;
  }
  // Single-table form: read the target again with its alias and partitions.
  c.pos = start;
  c.facts.tables.length = tablesBefore;
  tableName(c);
  optionalAlias(c, false);
  if (c.acceptWord("PARTITION")) nameList(c);
  portionOf(c);
  dmlTail(c);
  returning(c);
}

/** `t[.*], db.t[.*], ...`: the tables a multi-table DELETE deletes from. */
function deleteTargets(c: Cursor): void {
  do {
    const parts = dottedName(c, 3, true);
    const name = parts.at(-1) === "*" ? parts.slice(0, -1) : parts;
    if (name.length > 2 || name.length === 0) c.fail("a table name");
    c.addTable(name);
  } while (c.acceptOp(","));
}
