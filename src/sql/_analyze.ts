/**
 * Token-level analysis of one statement: its verb and category, the first construct that
 * must be refused, and the databases it names. `classify.ts` decides which tokens to feed in.
 *
 * @module
 */

import type { Token } from "./lexer.ts";

/** Whether a statement may run through `mysql_query` (read), `mysql_execute` (write) or neither. */
export type StatementCategory = "read" | "write" | "other";

/** What one reading of a statement's tokens says about it. */
export interface StatementFacts {
  verb: string;
  category: StatementCategory;
  refusal?: string;
  databases: string[];
  listsDatabases: boolean;
}

/** Functions with effects outside the statement (files, named locks, sequences, waits). */
const REFUSED_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ["LOAD_FILE", "reads a file on the server"],
  ["GET_LOCK", "takes a named lock that outlives the statement"],
  ["RELEASE_LOCK", "releases a named lock"],
  ["RELEASE_ALL_LOCKS", "releases named locks"],
  ["BENCHMARK", "burns server CPU on purpose"],
  ["NEXTVAL", "advances a sequence"],
  ["SETVAL", "changes a sequence"],
  ["MASTER_POS_WAIT", "blocks waiting for replication"],
  ["MASTER_GTID_WAIT", "blocks waiting for replication"],
  ["SOURCE_POS_WAIT", "blocks waiting for replication"],
  ["WAIT_FOR_EXECUTED_GTID_SET", "blocks waiting for replication"],
  ["WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS", "blocks waiting for replication"],
  ["SERVICE_GET_READ_LOCKS", "takes named locks"],
  ["SERVICE_GET_WRITE_LOCKS", "takes named locks"],
  ["SERVICE_RELEASE_LOCKS", "releases named locks"],
]);

/** Words that may start the statement an EXPLAIN or a CTE list leads to. */
const STATEMENT_STARTS = new Set([
  "SELECT",
  "WITH",
  "TABLE",
  "VALUES",
  "INSERT",
  "UPDATE",
  "DELETE",
  "REPLACE",
]);
const READ_STARTS = new Set(["SELECT", "TABLE", "VALUES"]);
const WRITE_VERBS = new Set(["INSERT", "UPDATE", "DELETE", "REPLACE"]);
const INSERT_MODIFIERS = new Set(["LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE"]);
/** Modifiers that may sit between a table-list keyword and the first table. */
const TABLE_REF_MODIFIERS = new Set([
  "LOW_PRIORITY",
  "QUICK",
  "IGNORE",
  "DELAYED",
  "HIGH_PRIORITY",
  "LATERAL",
  "TEMPORARY",
  "IF",
  "NOT",
  "EXISTS",
  "ONLY",
  "FROM",
]);
/** Keywords that end a FROM/UPDATE/DELETE table list at the same depth. */
const TABLE_LIST_ENDS = new Set([
  "WHERE",
  "GROUP",
  "HAVING",
  "ORDER",
  "LIMIT",
  "WINDOW",
  "UNION",
  "EXCEPT",
  "INTERSECT",
  "SET",
  "VALUES",
  "VALUE",
  "SELECT",
  "INTO",
  "FOR",
  "LOCK",
  "PROCEDURE",
  "DUPLICATE",
  "RETURNING",
  "UPDATE",
  "WITH",
]);
/** Functions whose argument syntax uses FROM (`TRIM(x FROM y)`): not a table reference. */
const FROM_TAKING_FUNCTIONS = new Set(["TRIM", "EXTRACT", "SUBSTRING", "SUBSTR", "MID", "OVERLAY"]);
/** SHOW kinds whose first FROM/IN names a table, the second a database. */
const SHOW_TABLE_KINDS = new Set(["COLUMNS", "FIELDS", "INDEX", "INDEXES", "KEYS"]);

function isWord(token: Token | undefined, upper: string): boolean {
  return token !== undefined && token.kind === "word" && token.upper === upper;
}

function isOp(token: Token | undefined, text: string): boolean {
  return token !== undefined && token.kind === "op" && token.text === text;
}

/** True when `tokens[i]` is a name part after a `.` (where keywords are plain identifiers). */
function isQualified(tokens: Token[], i: number): boolean {
  return isOp(tokens[i - 1], ".");
}

/** A word, a quoted identifier, or a `"` string used as an identifier (ANSI_QUOTES, or `.`). */
function isNameToken(tokens: Token[], i: number): boolean {
  const token = tokens[i];
  if (token === undefined) return false;
  if (token.kind === "word" || token.kind === "quoted_ident") return true;
  return token.kind === "string" && token.quote === '"' &&
    (isOp(tokens[i + 1], ".") || isOp(tokens[i - 1], "."));
}

/**
 * A token that names something where only a name can stand (after FROM, USE, ...). A `"`
 * string there is an identifier on an ANSI_QUOTES server, and a syntax error otherwise.
 */
function isNameLike(token: Token): boolean {
  return token.kind === "word" || token.kind === "quoted_ident" ||
    (token.kind === "string" && token.quote === '"');
}

/** The identifier a name token denotes: quotes removed, doubled quotes undone. */
function nameOf(token: Token): string {
  if (token.kind === "word" || token.kind === "number") return token.text;
  const quote = token.quote ?? "`";
  return token.text.slice(1, -1).replaceAll(quote + quote, quote);
}

interface DottedName {
  parts: string[];
  /** Index of the first token after the name. */
  next: number;
}

/** Reads `a`, `a.b`, `a.b.c` (or `a.*`) starting at `i`. */
function readName(tokens: Token[], i: number): DottedName {
  const parts = [nameOf(tokens[i])];
  let j = i + 1;
  while (isOp(tokens[j], ".")) {
    const part = tokens[j + 1];
    if (part === undefined) break;
    if (isOp(part, "*")) {
      parts.push("*");
      j += 2;
      break;
    }
    if (
      part.kind !== "word" && part.kind !== "quoted_ident" && part.kind !== "number" &&
      !(part.kind === "string" && part.quote === '"')
    ) break;
    parts.push(nameOf(part));
    j += 2;
  }
  return { parts, next: j };
}

interface VerbFacts {
  verb: string;
  category: StatementCategory;
  /** Index of the verb of the statement that actually runs (after WITH / EXPLAIN). */
  mainIndex: number;
}

/** Skips a parenthesised group starting at `i` (a `(`); returns the index after its `)`. */
function skipParens(tokens: Token[], i: number): number {
  let depth = 0;
  for (let j = i; j < tokens.length; j++) {
    if (isOp(tokens[j], "(")) depth++;
    else if (isOp(tokens[j], ")") && --depth === 0) return j + 1;
  }
  return tokens.length;
}

/** Category of the statement starting at `i`. */
function categorize(tokens: Token[], i: number): VerbFacts {
  const token = tokens[i];
  if (token === undefined) return { verb: "", category: "other", mainIndex: i };
  if (isOp(token, "(")) {
    let j = i;
    while (isOp(tokens[j], "(")) j++;
    const inner = tokens[j];
    const read = inner !== undefined && inner.kind === "word" &&
      (READ_STARTS.has(inner.upper!) || (inner.upper === "WITH" &&
        categorize(tokens, j).category === "read"));
    return read
      ? { verb: "SELECT", category: "read", mainIndex: j }
      : { verb: "(", category: "other", mainIndex: i };
  }
  if (token.kind !== "word") return { verb: token.text, category: "other", mainIndex: i };
  const verb = token.upper!;
  if (READ_STARTS.has(verb) || verb === "SHOW") return { verb, category: "read", mainIndex: i };
  if (WRITE_VERBS.has(verb)) return { verb, category: "write", mainIndex: i };
  if (verb === "WITH") return categorizeWith(tokens, i);
  if (verb === "EXPLAIN" || verb === "DESCRIBE" || verb === "DESC") {
    return categorizeExplain(tokens, i);
  }
  if (verb === "ANALYZE") return categorizeAnalyze(tokens, i);
  return { verb, category: "other", mainIndex: i };
}

/** `WITH [RECURSIVE] name [(cols)] AS (query) [, ...] main`: the main statement decides. */
function categorizeWith(tokens: Token[], i: number): VerbFacts {
  let j = i + 1;
  if (isWord(tokens[j], "RECURSIVE")) j++;
  let cteBodiesRead = true;
  for (;;) {
    if (!isNameToken(tokens, j)) return { verb: "WITH", category: "other", mainIndex: i };
    j++;
    if (isOp(tokens[j], "(")) j = skipParens(tokens, j);
    if (!isWord(tokens[j], "AS") || !isOp(tokens[j + 1], "(")) {
      return { verb: "WITH", category: "other", mainIndex: i };
    }
    if (categorize(tokens, j + 2).category !== "read") cteBodiesRead = false;
    j = skipParens(tokens, j + 1);
    if (!isOp(tokens[j], ",")) break;
    j++;
  }
  const main = categorize(tokens, j);
  if (!cteBodiesRead) return { verb: "WITH", category: "other", mainIndex: j };
  if (main.category === "read") return { verb: "WITH", category: "read", mainIndex: j };
  if (main.verb === "UPDATE" || main.verb === "DELETE") {
    return { verb: "WITH", category: "write", mainIndex: j };
  }
  return { verb: "WITH", category: "other", mainIndex: j };
}

/** Skips `FORMAT = name` at `j`, returning the index after it (or `j`). */
function skipFormat(tokens: Token[], j: number): number {
  if (isWord(tokens[j], "FORMAT") && isOp(tokens[j + 1], "=") && tokens[j + 2] !== undefined) {
    return j + 3;
  }
  return j;
}

/**
 * EXPLAIN/DESCRIBE/DESC of a table is read. Of a statement, it is read only when that
 * statement is: EXPLAIN ANALYZE runs it, and a plain EXPLAIN of DML is not a query.
 */
function categorizeExplain(tokens: Token[], i: number): VerbFacts {
  const verb = tokens[i].upper!;
  let j = i + 1;
  for (;;) {
    const token = tokens[j];
    if (isWord(token, "EXTENDED") || isWord(token, "PARTITIONS") || isWord(token, "ANALYZE")) {
      j++;
    } else if (isWord(token, "FORMAT")) {
      const after = skipFormat(tokens, j);
      if (after === j) break;
      j = after;
    } else if (isWord(token, "INTO") && tokens[j + 1]?.kind === "variable") {
      j += 2; // MySQL 8.1 `EXPLAIN INTO @v`: refused separately as a variable assignment.
    } else if (isWord(token, "FOR")) {
      const what = tokens[j + 1];
      if (isWord(what, "CONNECTION")) return { verb, category: "read", mainIndex: i };
      if ((isWord(what, "SCHEMA") || isWord(what, "DATABASE")) && tokens[j + 2] !== undefined) {
        j += 3;
      } else {
        break;
      }
    } else {
      break;
    }
  }
  const next = tokens[j];
  if (next === undefined) return { verb, category: "other", mainIndex: i };
  if (isOp(next, "(") || (next.kind === "word" && STATEMENT_STARTS.has(next.upper!))) {
    const inner = categorize(tokens, j);
    return { verb, category: inner.category === "read" ? "read" : "other", mainIndex: j };
  }
  if (isNameToken(tokens, j) && j === i + 1) return { verb, category: "read", mainIndex: i };
  return { verb, category: "other", mainIndex: i };
}

/** MariaDB `ANALYZE [FORMAT=JSON] stmt` runs the statement; `ANALYZE TABLE` is maintenance. */
function categorizeAnalyze(tokens: Token[], i: number): VerbFacts {
  const j = skipFormat(tokens, i + 1);
  const next = tokens[j];
  const runsStatement = isOp(next, "(") ||
    (next?.kind === "word" && next.upper !== "TABLE" && STATEMENT_STARTS.has(next.upper!));
  if (runsStatement) {
    const inner = categorize(tokens, j);
    return {
      verb: "ANALYZE",
      category: inner.category === "read" ? "read" : "other",
      mainIndex: j,
    };
  }
  return { verb: "ANALYZE", category: "other", mainIndex: i };
}

/** True when `INTO` at `i` is the target of INSERT/REPLACE (possibly after modifiers). */
function isInsertTarget(tokens: Token[], i: number): boolean {
  let j = i - 1;
  while (tokens[j]?.kind === "word" && INSERT_MODIFIERS.has(tokens[j].upper!)) j--;
  return isWord(tokens[j], "INSERT") || isWord(tokens[j], "REPLACE");
}

/** Why `INTO` at `i` is refused. */
function intoRefusal(tokens: Token[], i: number): string {
  const next = tokens[i + 1];
  if (isWord(next, "OUTFILE")) return "INTO OUTFILE writes a file on the server";
  if (isWord(next, "DUMPFILE")) return "INTO DUMPFILE writes a file on the server";
  if (next?.kind === "variable") return "INTO @variable assigns a user variable";
  return "SELECT ... INTO assigns variables";
}

/** The name of a function called at `i` (a name followed by `(`), upper case, or undefined. */
function calledFunction(tokens: Token[], i: number): string | undefined {
  const token = tokens[i];
  if (!isOp(tokens[i + 1], "(") || isQualified(tokens, i)) return undefined;
  if (token.kind === "word") return token.upper;
  // A quoted name still resolves to a built-in function: `` `LOAD_FILE`('/etc/passwd') ``.
  if (token.kind === "quoted_ident" || (token.kind === "string" && token.quote === '"')) {
    return nameOf(token).toUpperCase();
  }
  return undefined;
}

/** The first construct in the statement that must be refused, whatever the tool. */
function findRefusal(tokens: Token[], category: StatementCategory): string | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind === "op") {
      if (token.text === ":=") return "`:=` assigns a user variable";
      continue;
    }
    const fn = calledFunction(tokens, i);
    if (fn !== undefined) {
      const why = REFUSED_FUNCTIONS.get(fn);
      if (why !== undefined) return `${fn}() ${why}`;
    }
    if (token.kind !== "word" || isQualified(tokens, i)) continue;
    switch (token.upper) {
      case "INTO":
        if (!isInsertTarget(tokens, i)) return intoRefusal(tokens, i);
        break;
      case "FOR":
        if (isWord(tokens[i + 1], "UPDATE")) return "FOR UPDATE takes row locks";
        if (isWord(tokens[i + 1], "SHARE")) return "FOR SHARE takes row locks";
        break;
      case "LOCK":
        if (isWord(tokens[i + 1], "IN") && isWord(tokens[i + 2], "SHARE")) {
          return "LOCK IN SHARE MODE takes row locks";
        }
        break;
      case "NEXT":
        if (isWord(tokens[i + 1], "VALUE") && isWord(tokens[i + 2], "FOR")) {
          return "NEXT VALUE FOR advances a sequence";
        }
        break;
      case "LOAD":
        if (isWord(tokens[i + 1], "DATA")) return "LOAD DATA reads a file into a table";
        if (isWord(tokens[i + 1], "XML")) return "LOAD XML reads a file into a table";
        break;
      case "SET":
        if (
          category === "read" && !isWord(tokens[i - 1], "CHARACTER") &&
          !isWord(tokens[i - 1], "CHAR")
        ) {
          return "SET inside a read statement changes server state";
        }
        break;
    }
  }
  return undefined;
}

/** Collects the databases the statement names explicitly. */
function findDatabases(tokens: Token[], verb: VerbFacts, out: Set<string>): void {
  const first = tokens[0];
  const statementVerb = first?.kind === "word" ? first.upper! : "";
  const isShow = statementVerb === "SHOW";
  const isDelete = verb.verb === "DELETE" || isWord(tokens[verb.mainIndex], "DELETE");
  const showKind = isShow ? showKindOf(tokens) : "";
  let showFromCount = 0;
  const listAt: boolean[] = [false];
  const parenFunction: string[] = [""];
  let depth = 0;
  let expectTable = false;
  /** When set, the next name is a database itself rather than `db.table`. */
  let expectDatabase = false;

  const addDatabase = (name: string): void => {
    if (name !== "") out.add(name);
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];

    if (expectDatabase) {
      expectDatabase = false;
      if (isNameLike(token)) {
        const name = readName(tokens, i);
        addDatabase(name.parts[0]);
        i = name.next - 1;
        continue;
      }
    }

    if (expectTable) {
      if (isOp(token, "(")) {
        // `FROM (t1, db.t2)`: a parenthesised table list keeps expecting tables inside.
        depth++;
        listAt[depth] = true;
        parenFunction[depth] = "";
        continue;
      }
      if (token.kind === "word" && TABLE_REF_MODIFIERS.has(token.upper!)) continue;
      expectTable = false;
      if (isNameLike(token) && !(token.kind === "word" && TABLE_LIST_ENDS.has(token.upper!))) {
        const name = readName(tokens, i);
        if (name.parts.length >= 2) addDatabase(name.parts[0]);
        i = name.next - 1;
        continue;
      }
    }

    if (token.kind === "op") {
      if (token.text === "(") {
        const prev = tokens[i - 1];
        depth++;
        listAt[depth] = false;
        parenFunction[depth] = prev?.kind === "word" ? prev.upper! : "";
      } else if (token.text === ")") {
        if (depth > 0) depth--;
      } else if (token.text === "," && listAt[depth]) {
        expectTable = true;
      }
      continue;
    }

    if (token.kind === "word" && !isQualified(tokens, i)) {
      const upper = token.upper!;
      if (isShow && depth === 0 && (upper === "FROM" || upper === "IN")) {
        showFromCount++;
        const next = tokens[i + 1];
        if (next !== undefined && isNameLike(next)) {
          const name = readName(tokens, i + 1);
          const namesTable = SHOW_TABLE_KINDS.has(showKind) && showFromCount === 1;
          if (name.parts.length >= 2 || !namesTable) addDatabase(name.parts[0]);
          i = name.next - 1;
        }
        continue;
      }
      switch (upper) {
        case "FROM":
          if (FROM_TAKING_FUNCTIONS.has(parenFunction[depth])) break;
          listAt[depth] = true;
          expectTable = true;
          continue;
        case "JOIN":
          listAt[depth] = true;
          expectTable = true;
          continue;
        case "STRAIGHT_JOIN":
          if (listAt[depth]) expectTable = true;
          continue;
        case "INTO":
          expectTable = true;
          continue;
        case "TABLE":
        case "TABLES":
          // In SHOW only `SHOW CREATE TABLE x` names a table here; `SHOW TABLES FROM db` does not.
          if (isShow && !isWord(tokens[i - 1], "CREATE")) continue;
          listAt[depth] = true;
          expectTable = true;
          continue;
        case "INSERT":
        case "REPLACE":
          if (i === verb.mainIndex) expectTable = true;
          continue;
        case "UPDATE":
        case "DELETE":
          if (i === verb.mainIndex) {
            listAt[depth] = true;
            expectTable = true;
            continue;
          }
          listAt[depth] = false;
          continue;
        case "USING":
          if (isDelete && depth === 0) {
            listAt[depth] = true;
            expectTable = true;
          }
          continue;
        case "USE":
          if (i === 0) expectDatabase = true;
          continue;
        case "DATABASE":
        case "SCHEMA": {
          const prev = tokens[i - 1];
          if (isWord(prev, "CREATE") || isWord(prev, "DROP") || isWord(prev, "ALTER")) {
            let j = i + 1;
            if (isWord(tokens[j], "IF")) j += isWord(tokens[j + 1], "NOT") ? 3 : 2;
            i = j - 1;
            expectDatabase = true;
          } else if (isWord(prev, "FOR") && isWord(tokens[0], "EXPLAIN")) {
            expectDatabase = true; // EXPLAIN FOR SCHEMA db
          }
          continue;
        }
        case "DESCRIBE":
        case "DESC":
        case "EXPLAIN":
          if (i === 0 && verb.mainIndex === 0 && isNameToken(tokens, 1)) expectTable = true;
          continue;
        case "VIEW":
        case "PROCEDURE":
        case "FUNCTION":
        case "TRIGGER":
        case "EVENT":
        case "SEQUENCE":
        case "PACKAGE":
          if (isShow && isWord(tokens[i - 1], "CREATE")) expectTable = true;
          if (isShow && isWord(tokens[i + 1], "CODE")) {
            expectTable = true;
            i++;
          }
          continue;
        default:
          if (TABLE_LIST_ENDS.has(upper)) {
            listAt[depth] = false;
            continue;
          }
      }
    }

    // Anywhere: `db.table.column`, and `db.routine(` calls.
    if (isNameToken(tokens, i) && isOp(tokens[i + 1], ".")) {
      const name = readName(tokens, i);
      if (
        name.parts.length >= 3 || (name.parts.length === 2 && isOp(tokens[name.next], "("))
      ) addDatabase(name.parts[0]);
      i = name.next - 1;
    }
  }
}

/** The kind word of a SHOW statement (`SHOW FULL COLUMNS` → `COLUMNS`). */
function showKindOf(tokens: Token[]): string {
  for (let i = 1; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind !== "word") return "";
    const upper = token.upper!;
    if (upper !== "FULL" && upper !== "EXTENDED" && upper !== "GLOBAL" && upper !== "SESSION") {
      return upper;
    }
  }
  return "";
}

/** Analyses the significant (non-comment) tokens of one statement. */
export function analyzeStatement(tokens: Token[]): StatementFacts {
  const verb = categorize(tokens, 0);
  const databases = new Set<string>();
  findDatabases(tokens, verb, databases);
  const facts: StatementFacts = {
    verb: verb.verb,
    category: verb.category,
    databases: [...databases],
    listsDatabases: verb.verb === "SHOW" &&
      (isWord(tokens[1], "DATABASES") || isWord(tokens[1], "SCHEMAS")),
  };
  const refusal = findRefusal(tokens, verb.category);
  if (refusal !== undefined) facts.refusal = refusal;
  return facts;
}
