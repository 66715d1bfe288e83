/**
 * Statement classification: the one place that decides whether SQL text is a read, a write
 * or something else, and what in it must be refused. Works on lexer tokens only.
 *
 * @module
 */

import { emptyFacts, type StatementFacts } from "./_cursor.ts";
import { parseStatement } from "./_statement.ts";
import type { Flavor } from "./_words.ts";
import { lex, type LexOptions, type Token } from "./lexer.ts";

export type { StatementCategory, StatementFacts, TableRef } from "./_cursor.ts";
export { GRAMMAR_FUNCTIONS } from "./_functions.ts";
export type { Flavor } from "./_words.ts";

/**
 * What the SQL gate needs to know about a piece of SQL text: the facts of its first statement
 * (every reading of it merged; see {@linkcode StatementFacts}), plus where it ends. Facts only:
 * the policy decides.
 */
export interface SqlAnalysis extends StatementFacts {
  /**
   * Text of the first statement only, leading and trailing whitespace/comments and the
   * trailing `;` removed; exactly a slice of the input (never rebuilt). An executable comment
   * is code and stays.
   */
  firstStatement: string;
  /** Number of further non-empty statements after the first that will NOT be executed. */
  ignoredStatements: number;
  /** Count of positional `?` placeholders in the first statement. */
  positionalParams: number;
}

/**
 * Longest SQL text the gate analyses. Analysis is linear (about 50 ns a character), so this
 * bounds how long one request can hold the event loop to a few tens of milliseconds.
 */
export const MAX_SQL_LENGTH = 128 * 1024;

function isSeparator(token: Token): boolean {
  return token.kind === "op" && token.text === ";" && token.inExecutableComment !== true;
}

/** A refusal for malformed or self-contradicting input anywhere in the text. */
function lexicalRefusal(tokens: Token[]): string | undefined {
  for (const token of tokens) {
    const exec = token.executable;
    if (token.unterminated) {
      switch (token.kind) {
        case "string":
          return "unterminated string literal";
        case "quoted_ident":
          return "unterminated quoted identifier";
        case "variable":
          return "unterminated quoted variable name";
        default:
          return "unterminated comment";
      }
    }
    if (exec !== undefined) {
      if (!exec.terminated) return "unterminated executable comment";
      if (exec.ambiguous) {
        return "executable comment whose end depends on quoting or a nested comment";
      }
      if (token.kind === "op" && token.text === ";") {
        return "statement separator inside an executable comment";
      }
    }
  }
  return undefined;
}

/**
 * Optimizer hints (`/*+ ... *\/`) are comments, but the server acts on them. Only hints that
 * steer the plan are admitted; SET_VAR, MAX_EXECUTION_TIME, RESOURCE_GROUP and any hint not
 * on this list are refused.
 */
const PLAN_HINTS = new Set([
  "BKA",
  "NO_BKA",
  "BNL",
  "NO_BNL",
  "DERIVED_CONDITION_PUSHDOWN",
  "NO_DERIVED_CONDITION_PUSHDOWN",
  "GROUP_INDEX",
  "NO_GROUP_INDEX",
  "HASH_JOIN",
  "NO_HASH_JOIN",
  "INDEX",
  "NO_INDEX",
  "INDEX_MERGE",
  "NO_INDEX_MERGE",
  "JOIN_FIXED_ORDER",
  "JOIN_ORDER",
  "JOIN_PREFIX",
  "JOIN_SUFFIX",
  "JOIN_INDEX",
  "NO_JOIN_INDEX",
  "MERGE",
  "NO_MERGE",
  "MRR",
  "NO_MRR",
  "NO_ICP",
  "NO_RANGE_OPTIMIZATION",
  "ORDER_INDEX",
  "NO_ORDER_INDEX",
  "QB_NAME",
  "SEMIJOIN",
  "NO_SEMIJOIN",
  "SKIP_SCAN",
  "NO_SKIP_SCAN",
  "SUBQUERY",
  "SPLIT_MATERIALIZED",
  "NO_SPLIT_MATERIALIZED",
]);

function hintRefusal(tokens: Token[]): string | undefined {
  for (const token of tokens) {
    if (token.kind !== "comment" || !token.text.startsWith("/*+")) continue;
    const inner = lex(token.text.slice(3, token.unterminated ? undefined : -2));
    let depth = 0;
    for (const part of inner) {
      if (part.kind === "op" && part.text === "(") depth++;
      else if (part.kind === "op" && part.text === ")") depth--;
      else if (depth === 0 && part.kind === "word" && !PLAN_HINTS.has(part.upper!)) {
        return `the optimizer hint ${part.upper} is not allowed`;
      }
    }
  }
  return undefined;
}

/**
 * Small, shallow text without CTEs, which a server prepares quickly whatever it says about it:
 * MariaDB prepares nested or self-joining WITH clauses in exponential time that KILL cannot
 * stop, so a statement with any WITH never reaches the server for a syntax check.
 */
function cheapToPrepare(tokens: Token[]): boolean {
  if (tokens.length > 2_000) return false;
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === "op") {
      if (token.text === "(" && ++depth > 16) return false;
      if (token.text === ")") depth--;
    } else if (token.kind === "word" && token.upper === "WITH") {
      return false;
    }
  }
  return true;
}

function significant(tokens: Token[]): Token[] {
  return tokens.filter((token) => token.kind !== "comment");
}

/**
 * Folds a second reading of the same statement into the first: the statement is only as
 * safe as its least safe reading, and names every database either reading names.
 */
function merge(facts: StatementFacts, other: StatementFacts, condition: string): void {
  if (facts.refusal === undefined && other.refusal !== undefined) facts.refusal = other.refusal;
  if (other.category !== facts.category) {
    facts.refusal ??= `the statement means something else ${condition}`;
  }
  for (
    const key of [
      "databases",
      "functions",
      "storedFunctions",
      "looseCalls",
      "systemVariables",
    ] as const
  ) {
    const known = new Set(facts[key]);
    for (const name of other[key]) {
      if (!known.has(name)) facts[key].push(name);
    }
  }
  facts.tables.push(...other.tables);
  facts.cteNames.push(...other.cteNames);
  facts.listsDatabases ||= other.listsDatabases;
  facts.listsVariables ||= other.listsVariables;
  facts.leavesSessionState ||= other.leavesSessionState;
  facts.returning ||= other.returning;
  facts.jsonTable ||= other.jsonTable;
  if (other.show !== facts.show) {
    facts.refusal ??= `the statement means something else ${condition}`;
  }
}

/**
 * Re-reads the first statement as a server in another quoting mode would. A split or an
 * unterminated comment under that mode is refused; an unterminated string would be a syntax
 * error on such a server, so nothing runs and the reading can be ignored.
 */
function checkQuotingMode(
  facts: StatementFacts,
  text: string,
  options: LexOptions,
  condition: string,
  flavor: Flavor | undefined,
  primary: readonly Token[],
): void {
  const tokens = lex(text, options);
  for (const token of tokens) {
    if (isSeparator(token)) {
      facts.refusal ??= `the statement splits differently ${condition}; escape quotes by ` +
        `doubling them instead of with a backslash`;
      return;
    }
    if (token.unterminated && (token.kind === "string" || token.kind === "quoted_ident")) return;
  }
  const refusal = lexicalRefusal(tokens);
  if (refusal !== undefined) {
    facts.refusal ??= `${refusal} ${condition}`;
    return;
  }
  const reading = significant(tokens);
  // The same tokens (kind and extent) mean the same statement: no second parse needed.
  if (sameTokens(reading, primary, primary[0]?.executable?.start ?? primary[0]?.start ?? 0)) {
    return;
  }
  merge(facts, parseStatement(reading, flavor), condition);
}

/** True when `a` (lexed from a slice starting at `offset`) has `b`'s kinds and extents. */
function sameTokens(a: readonly Token[], b: readonly Token[], offset: number): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.kind !== y.kind || x.start + offset !== y.start || x.end + offset !== y.end) {
      return false;
    }
  }
  return true;
}

function classify(sql: string, flavor: Flavor | undefined): SqlAnalysis {
  const tokens = lex(sql);
  let firstEnd = tokens.length;
  for (let i = 0; i < tokens.length; i++) {
    if (isSeparator(tokens[i])) {
      firstEnd = i;
      break;
    }
  }

  let ignoredStatements = 0;
  let segmentHasCode = false;
  for (let i = firstEnd + 1; i < tokens.length; i++) {
    const token = tokens[i];
    if (isSeparator(token)) {
      if (segmentHasCode) ignoredStatements++;
      segmentHasCode = false;
    } else if (token.kind !== "comment") {
      segmentHasCode = true;
    }
  }
  if (segmentHasCode) ignoredStatements++;

  const firstWithComments = tokens.slice(0, firstEnd);
  const first = significant(firstWithComments);
  let firstStatement = "";
  let positionalParams = 0;
  let versioned = false;
  let backslash = false;
  let doubleQuotedBackslash = false;
  if (first.length > 0) {
    const head = first[0];
    const tail = first[first.length - 1];
    const start = head.executable?.start ?? head.start;
    const end = tail.executable?.end ?? tail.end;
    firstStatement = sql.slice(start, end);
    for (const token of first) {
      if (token.kind === "param") positionalParams++;
      if (token.executable?.versioned) versioned = true;
      if (token.backslash) {
        backslash = true;
        if (token.quote === '"') doubleQuotedBackslash = true;
      }
    }
  }

  const facts = parseStatement(first, flavor);
  const parseRefusal = facts.refusal;
  const refusal = lexicalRefusal(tokens);
  if (refusal !== undefined) facts.refusal = refusal;
  facts.refusal ??= hintRefusal(firstWithComments);
  if (first.length === 0) facts.refusal ??= "the statement is empty";
  if (versioned) {
    // A server older than the version (or MySQL reading `/*M!`) skips the content.
    // With nothing left the server answers "query was empty": no other reading to check.
    const without = first.filter((token) => token.executable?.versioned !== true);
    if (without.length > 0) {
      merge(facts, parseStatement(without, flavor), "when a versioned comment is skipped");
    }
  }
  if (backslash) {
    checkQuotingMode(
      facts,
      firstStatement,
      { noBackslashEscapes: true },
      "under NO_BACKSLASH_ESCAPES",
      flavor,
      first,
    );
  }
  if (doubleQuotedBackslash) {
    checkQuotingMode(
      facts,
      firstStatement,
      { ansiQuotes: true },
      "under ANSI_QUOTES",
      flavor,
      first,
    );
  }

  // Only a failure of the main reading's grammar may be plain invalid SQL, and only a small
  // one is worth the server's opinion: its parser is exponential in nested WITH clauses.
  facts.notUnderstood = facts.notUnderstood === true && facts.refusal === parseRefusal &&
    cheapToPrepare(first);
  return { ...facts, firstStatement, ignoredStatements, positionalParams };
}

export interface ClassifyOptions {
  /**
   * The server the statement is for, when known: its reserved words decide which bare words
   * are names. Unknown, a word reserved on either flavour is never a name.
   */
  flavor?: Flavor;
}

/**
 * Classifies SQL text for the SQL gate. Only the first statement is analysed (and should be
 * the only one sent to the server); the caller refuses `refusal`, then checks `category`
 * against the tool and `databases` against the allow-list. Never throws.
 */
export function classifySql(sql: string, options: ClassifyOptions = {}): SqlAnalysis {
  if (sql.length > MAX_SQL_LENGTH) {
    return {
      ...emptyFacts(),
      firstStatement: "",
      ignoredStatements: 0,
      refusal: `the SQL text is ${sql.length} characters long; the gate analyses at most ` +
        `${MAX_SQL_LENGTH} (send smaller statements)`,
      positionalParams: 0,
    };
  }
  try {
    return classify(sql, options.flavor);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    // Pathological nesting can exhaust the stack: refuse rather than fail open.
    return {
      ...emptyFacts(),
      firstStatement: "",
      ignoredStatements: 0,
      refusal: "the statement is nested too deeply to analyse",
      positionalParams: 0,
    };
  }
}
