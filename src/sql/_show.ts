/**
 * SHOW statements, as an allow-list: the forms that describe the allowed databases' own
 * objects or harmless server facts are parsed completely; every other form (processlists,
 * binary logs, engine status, grants, replication, another connection's plan) is refused.
 *
 * @module
 */

import type { Cursor } from "./_cursor.ts";
import { expression } from "./_expression.ts";
import { dottedName, identifier } from "./_names.ts";

/** The SHOW forms the gate admits, as named in messages. */
export const ADMITTED_SHOW_FORMS = [
  "TABLES",
  "COLUMNS",
  "INDEX",
  "CREATE TABLE",
  "CREATE VIEW",
  "CREATE DATABASE",
  "TABLE STATUS",
  "TRIGGERS",
  "CHARACTER SET",
  "COLLATION",
  "DATABASES",
  "ENGINES",
  "VARIABLES",
  "PRIVILEGES",
];

export function showStatement(c: Cursor): void {
  c.expectWord("SHOW");
  const facts = c.facts;
  const full = c.acceptWord("FULL", "EXTENDED");
  const scope = full === undefined ? c.acceptWord("GLOBAL", "SESSION", "LOCAL") : undefined;
  const kind = c.word();
  const form = (name: string) => {
    facts.show = name;
  };
  if (kind === "TABLES" && scope === undefined) {
    c.pos++;
    form("TABLES");
    optionalDatabase(c);
    return filter(c);
  }
  if ((kind === "COLUMNS" || kind === "FIELDS") && scope === undefined) {
    c.pos++;
    form("COLUMNS");
    tableThenDatabase(c);
    return filter(c);
  }
  if (["INDEX", "INDEXES", "KEYS"].includes(kind) && scope === undefined) {
    c.pos++;
    form("INDEX");
    tableThenDatabase(c);
    if (c.acceptWord("WHERE")) expression(c);
    return;
  }
  if (full !== undefined || (scope !== undefined && kind !== "VARIABLES")) return refuse(c);
  if (kind === "VARIABLES") {
    c.pos++;
    form("VARIABLES");
    facts.listsVariables = true;
    // LIKE only: a WHERE runs over every variable before the rows are filtered, so an error
    // or a delay in it would tell the value of a variable that is never returned.
    if (c.isWord("WHERE")) c.refuse("SHOW VARIABLES takes LIKE 'pattern' only, not WHERE");
    return filter(c);
  }
  if (c.acceptWord("CREATE")) {
    const what = c.acceptWord("TABLE", "VIEW", "DATABASE", "SCHEMA");
    if (what === undefined) return refuse(c, `CREATE ${c.word()}`);
    if (what === "DATABASE" || what === "SCHEMA") {
      form("CREATE DATABASE");
      if (c.acceptWord("IF")) {
        c.expectWord("NOT");
        c.expectWord("EXISTS");
      }
      c.addDatabase(identifier(c, "a database name"));
      return;
    }
    form(`CREATE ${what}`);
    c.addTable(dottedName(c, 2));
    return;
  }
  if (c.acceptWords("TABLE", "STATUS")) {
    form("TABLE STATUS");
    optionalDatabase(c);
    return filter(c);
  }
  if (c.acceptWord("TRIGGERS")) {
    form("TRIGGERS");
    optionalDatabase(c);
    return filter(c);
  }
  if (
    c.isWord("WARNINGS") || c.isWord("ERRORS") ||
    (c.isWord("COUNT") && c.isOp("(", 1) && c.isOp("*", 2) && c.isOp(")", 3))
  ) {
    // Every call runs on a pooled connection: the warnings there are another call's.
    c.refuse(
      "SHOW WARNINGS and SHOW ERRORS would show the warnings of whatever statement last ran " +
        "on a pooled connection, which is another caller's",
    );
  }
  if (c.acceptWords("CHARACTER", "SET") || c.acceptWord("CHARSET")) {
    form("CHARACTER SET");
    return filter(c);
  }
  if (c.acceptWord("COLLATION")) {
    form("COLLATION");
    return filter(c);
  }
  if (c.acceptWord("DATABASES", "SCHEMAS")) {
    form("DATABASES");
    facts.listsDatabases = true;
    return filter(c);
  }
  if (c.acceptWord("ENGINES") || c.acceptWords("STORAGE", "ENGINES")) {
    form("ENGINES");
    return;
  }
  if (c.acceptWord("PRIVILEGES")) {
    form("PRIVILEGES");
    return;
  }
  refuse(c);
}

function refuse(c: Cursor, what?: string): never {
  const shown = what ?? c.tokens.slice(1, 4).map((t) => t.text.toUpperCase()).join(" ");
  c.refuse(
    `SHOW ${shown} is not allowed: the gate admits only SHOW ${
      ADMITTED_SHOW_FORMS.join(", ")
    }, which cannot reveal other sessions, accounts or server files`,
  );
}

/** `[{FROM|IN} db]` */
function optionalDatabase(c: Cursor): void {
  if (c.acceptWord("FROM", "IN")) c.addDatabase(identifier(c, "a database name"));
}

/** `{FROM|IN} table [{FROM|IN} db]` */
function tableThenDatabase(c: Cursor): void {
  c.expectWord("FROM", "IN");
  const parts = dottedName(c, 2);
  if (c.acceptWord("FROM", "IN")) {
    const db = identifier(c, "a database name");
    c.addTable([db, parts.at(-1)!]);
    if (parts.length === 2) c.addDatabase(parts[0]);
    return;
  }
  c.addTable(parts);
}

/** `[LIKE 'pattern' | WHERE expr]` */
function filter(c: Cursor): void {
  if (c.acceptWord("LIKE")) {
    if (c.peek()?.kind !== "string") c.fail("a LIKE pattern string");
    c.pos++;
  } else if (c.acceptWord("WHERE")) {
    expression(c);
  }
}
