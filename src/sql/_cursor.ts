/**
 * The parser's position in a token list, and the facts it collects on the way. Every rule of
 * the grammar consumes tokens through this cursor; a token no rule accepts ends the parse
 * with {@linkcode NotUnderstood}, so nothing is ever skipped unread.
 *
 * @module
 */

import type { Token, TokenKind } from "./lexer.ts";

/** Deepest nesting of parentheses, subqueries and expressions the parser follows. */
export const MAX_DEPTH = 128;
/** Deepest nesting of WITH clauses: MariaDB's parse time doubles with each level, unkillably. */
export const MAX_WITH_NESTING = 8;
/**
 * Most copies of common table expressions a statement may expand to (a CTE that names an
 * earlier one twice doubles it): MariaDB prepares 2^n copies in a thread KILL cannot stop.
 */
export const MAX_CTE_EXPANSION = 64;
/**
 * Most table references one statement may make (a join takes at most 61 tables): bounds the
 * work every later check does per reference.
 */
export const MAX_TABLE_REFERENCES = 1024;

/** Words that may follow a parenthesised query inside the parentheses around it. */
const QUERY_CONTINUATIONS = new Set([
  "UNION",
  "EXCEPT",
  "INTERSECT",
  "ORDER",
  "LIMIT",
  "OFFSET",
  "FETCH",
]);

/** What a statement is, in the terms the gate's policy decides on. */
export type StatementCategory = "read" | "write" | "other";

/** A table a statement reads or writes, as written (`db` absent when unqualified). */
export interface TableRef {
  db?: string;
  name: string;
}

/** What one reading of a statement says about it. Facts only: the policy decides. */
export interface StatementFacts {
  /**
   * First keyword of the statement, upper case: SELECT, WITH, SHOW, DESCRIBE, DESC, EXPLAIN,
   * TABLE, VALUES, INSERT, ... ("(" counts as SELECT when a parenthesised query starts it).
   */
  verb: string;
  /** read: admissible for mysql_query; write: for mysql_execute; other: for neither. */
  category: StatementCategory;
  /** The SHOW form (`TABLES`, `CREATE TABLE`, ...) of a SHOW statement. */
  show?: string;
  /**
   * Set when the statement must be refused: a construct the parser does not understand, or one
   * it understands to be unsafe (a file write, a row lock, an assignment). A short sentence.
   */
  refusal?: string;
  /** The refusal is a construct outside the grammar (which may simply be invalid SQL). */
  notUnderstood?: boolean;
  /** Databases named explicitly anywhere (qualified names, FROM/IN of SHOW, USE ...). */
  databases: string[];
  /** Tables named in table positions (FROM, JOIN, INSERT INTO, UPDATE, SHOW ... FROM). */
  tables: TableRef[];
  /** Unqualified names called as functions, upper case: built-in, or else stored/UDF. */
  functions: string[];
  /** `db.name(...)` calls: always stored functions. */
  storedFunctions: string[];
  /**
   * Calls written with a quoted name or a space (or comment) before "(": the server may resolve
   * them to a stored function even where the name is a built-in.
   */
  looseCalls: string[];
  /** System variables read with `@@`, lower case, scope removed. */
  systemVariables: string[];
  /** SHOW DATABASES / SCHEMAS. */
  listsDatabases: boolean;
  /** SHOW VARIABLES: the rows must be filtered to readable variables. */
  listsVariables: boolean;
  /** Something that leaves state on the connection (LAST_INSERT_ID(n), SQL_CALC_FOUND_ROWS). */
  leavesSessionState: boolean;
  /** The statement returns rows from a write (MariaDB RETURNING). */
  returning: boolean;
  /** The statement reads a JSON_TABLE (whose columns MariaDB reports in database "*any*"). */
  jsonTable: boolean;
  /** Names of the common table expressions it declares, lower case. */
  cteNames: string[];
}

export function emptyFacts(): StatementFacts {
  return {
    verb: "",
    category: "other",
    databases: [],
    tables: [],
    functions: [],
    storedFunctions: [],
    looseCalls: [],
    systemVariables: [],
    listsDatabases: false,
    listsVariables: false,
    leavesSessionState: false,
    returning: false,
    jsonTable: false,
    cteNames: [],
  };
}

/** The parser met something outside the grammar it implements: refuse, never guess. */
export class NotUnderstood extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotUnderstood";
  }
}

/** The parser understood a construct that is refused whatever the tool (a lock, a file...). */
export class Refused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Refused";
  }
}

/** Describes a token for a message: its text, clipped. */
function describe(token: Token | undefined): string {
  if (token === undefined) return "the end of the statement";
  const text = token.text.length > 40 ? `${token.text.slice(0, 40)}…` : token.text;
  return `"${text}"`;
}

export class Cursor {
  pos = 0;
  #depth = 0;
  readonly facts: StatementFacts = emptyFacts();

  constructor(
    readonly tokens: readonly Token[],
    /** Words that cannot be bare names on the server the statement is for. */
    readonly reserved: ReadonlySet<string>,
    /** Words reserved on that server for sure (on both flavours when it is not known). */
    readonly reservedForSure: ReadonlySet<string>,
  ) {}

  peek(ahead = 0): Token | undefined {
    return this.tokens[this.pos + ahead];
  }

  get done(): boolean {
    return this.pos >= this.tokens.length;
  }

  next(): Token {
    const token = this.tokens[this.pos];
    if (token === undefined) this.fail("more of the statement");
    this.pos++;
    return token;
  }

  /** Upper-case text of the word at `ahead`, or "" when it is not a word. */
  word(ahead = 0): string {
    const token = this.tokens[this.pos + ahead];
    return token?.kind === "word" ? token.upper! : "";
  }

  isWord(upper: string, ahead = 0): boolean {
    return this.word(ahead) === upper;
  }

  isOp(text: string, ahead = 0): boolean {
    const token = this.tokens[this.pos + ahead];
    return token !== undefined && token.kind === "op" && token.text === text;
  }

  /** Takes the word here when it is one of `a`..`d`. (Fixed parameters: this is the hot path.) */
  acceptWord(a: string, b?: string, c?: string, d?: string): string | undefined {
    const token = this.tokens[this.pos];
    if (token === undefined || token.kind !== "word") return undefined;
    const upper = token.upper!;
    if (upper === a || upper === b || upper === c || upper === d) {
      this.pos++;
      return upper;
    }
    return undefined;
  }

  /** Accepts the words in sequence, or nothing at all. */
  acceptWords(...uppers: string[]): boolean {
    for (let i = 0; i < uppers.length; i++) {
      if (!this.isWord(uppers[i], i)) return false;
    }
    this.pos += uppers.length;
    return true;
  }

  expectWord(a: string, b?: string, c?: string, d?: string): string {
    const upper = this.acceptWord(a, b, c, d);
    if (upper === undefined) this.fail([a, b, c, d].filter(Boolean).join(" or "));
    return upper;
  }

  /** Takes the token here when it is of one of `kinds`; otherwise fails expecting `what`. */
  expectKind(what: string, ...kinds: TokenKind[]): Token {
    const token = this.tokens[this.pos];
    if (token === undefined || !kinds.includes(token.kind)) this.fail(what);
    this.pos++;
    return token;
  }

  acceptOp(text: string): boolean {
    if (!this.isOp(text)) return false;
    this.pos++;
    return true;
  }

  expectOp(text: string): void {
    if (!this.acceptOp(text)) this.fail(`"${text}"`);
  }

  /**
   * An ODBC escape, `{word ...}`: any word where the keyword stands (as MariaDB allows;
   * `expected` names it in the error), then `body` up to the closing brace.
   */
  odbcEscape(expected: string, body: () => void): void {
    this.expectOp("{");
    if (this.peek()?.kind !== "word") this.fail(expected);
    this.pos++;
    body();
    this.expectOp("}");
  }

  /** Ends the parse: the token here is not what the grammar allows. */
  fail(expected: string): never {
    throw new NotUnderstood(
      `the statement is not understood at ${describe(this.peek())} (expected ${expected})`,
    );
  }

  refuse(reason: string): never {
    throw new Refused(reason);
  }

  /** Runs `rule` one nesting level deeper; refuses past {@linkcode MAX_DEPTH}. */
  nested<T>(rule: () => T): T {
    this.enter();
    const result = rule();
    this.#depth--;
    return result;
  }

  /**
   * One nesting level deeper (pair with {@linkcode leave}); refuses past MAX_DEPTH. A parse that
   * throws is over, so the depth needs no unwinding.
   */
  enter(): void {
    if (++this.#depth > MAX_DEPTH) {
      throw new Refused(
        `the statement is nested too deeply to analyse (more than ${MAX_DEPTH} levels)`,
      );
    }
  }

  leave(): void {
    this.#depth--;
  }

  /** Index of the `)` that closes the `(` at absolute index `open` (or the token count). */
  closing(open: number): number {
    if (this.#closing === undefined) {
      this.#closing = new Int32Array(this.tokens.length).fill(this.tokens.length);
      const stack: number[] = [];
      this.tokens.forEach((token, i) => {
        if (token.kind !== "op") return;
        if (token.text === "(") stack.push(i);
        else if (token.text === ")" && stack.length > 0) this.#closing![stack.pop()!] = i;
      });
    }
    return this.#closing[open];
  }
  #closing?: Int32Array;

  /**
   * True when the `(` at `ahead` opens a query (`(SELECT ...`, `((SELECT ...) UNION ...)`)
   * rather than an expression, a row or a join. Bounded by the nesting limit, so linear.
   */
  opensQuery(ahead = 0, budget = MAX_DEPTH): boolean {
    const first = this.word(ahead + 1);
    if (first === "SELECT" || first === "WITH" || first === "VALUES" || first === "TABLE") {
      return true;
    }
    if (budget === 0 || !this.isOp("(", ahead + 1) || !this.opensQuery(ahead + 1, budget - 1)) {
      return false;
    }
    const after = this.tokens[this.closing(this.pos + ahead + 1) + 1];
    if (after === undefined) return false;
    if (after.kind === "op") return after.text === ")";
    return after.kind === "word" && QUERY_CONTINUATIONS.has(after.upper!);
  }

  /** Common table expressions in scope, innermost WITH last: name → copies it expands to. */
  readonly cteScopes: Map<string, number>[] = [];

  /** Copies a CTE named `name` of an enclosing WITH expands to (0: not a CTE in scope). */
  outerCteCopies(name: string): number {
    // The innermost scope is the WITH being weighed; its own names are handled by the caller.
    for (let s = this.cteScopes.length - 2; s >= 0; s--) {
      const weight = this.cteScopes[s].get(name);
      if (weight !== undefined) return weight;
    }
    return 0;
  }

  /** Copies of CTEs that the table references recorded since `from` expand to. */
  cteCopies(from: number): number {
    let copies = 0;
    for (let i = from; i < this.facts.tables.length; i++) {
      const ref = this.facts.tables[i];
      if (ref.db !== undefined) continue;
      for (let s = this.cteScopes.length - 1; s >= 0; s--) {
        const weight = this.cteScopes[s].get(ref.name.toLowerCase());
        if (weight !== undefined) {
          copies += weight;
          break;
        }
      }
    }
    if (copies > MAX_CTE_EXPANSION) {
      this.refuse(
        `the statement's common table expressions expand to more than ${MAX_CTE_EXPANSION} copies`,
      );
    }
    return copies;
  }

  /** What each fact list already holds: adding stays O(1) however many names a text has. */
  readonly #seen = new Set<string>();

  #add(
    list: "databases" | "functions" | "storedFunctions" | "looseCalls" | "systemVariables",
    name: string,
  ) {
    const key = `${list}\0${name}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.facts[list].push(name);
  }

  addDatabase(name: string): void {
    this.#add("databases", name);
  }

  addFunction(name: string): void {
    this.#add("functions", name);
  }

  addStoredFunction(name: string): void {
    this.#add("storedFunctions", name);
  }

  addLooseCall(name: string): void {
    this.#add("looseCalls", name);
  }

  addSystemVariable(name: string): void {
    this.#add("systemVariables", name);
  }

  addTable(parts: string[]): void {
    if (this.facts.tables.length >= MAX_TABLE_REFERENCES) {
      this.refuse(`the statement names more than ${MAX_TABLE_REFERENCES} tables`);
    }
    const ref: TableRef = parts.length === 2
      ? { db: parts[0], name: parts[1] }
      : { name: parts[0] };
    if (ref.db !== undefined) this.addDatabase(ref.db);
    this.facts.tables.push(ref);
  }
}
