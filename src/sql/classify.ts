/**
 * Statement classification: the one place that decides whether SQL text is a read, a write
 * or something else, and what in it must be refused. Works on lexer tokens only.
 *
 * @module
 */

import { analyzeStatement, type StatementCategory, type StatementFacts } from "./_analyze.ts";
import { lex, type LexOptions, type Token } from "./lexer.ts";

export type { StatementCategory } from "./_analyze.ts";

/** What the SQL gate needs to know about a piece of SQL text. */
export interface SqlAnalysis {
  /**
   * Text of the first statement only, leading and trailing whitespace/comments and the
   * trailing `;` removed; exactly a slice of the input (never rebuilt). An executable comment
   * is code and stays.
   */
  firstStatement: string;
  /** Number of further non-empty statements after the first that will NOT be executed. */
  ignoredStatements: number;
  /**
   * First keyword of the statement, upper case: SELECT, WITH, SHOW, DESCRIBE, DESC, EXPLAIN,
   * TABLE, VALUES, INSERT, ... ("(" counts as SELECT when a parenthesised select starts it).
   */
  verb: string;
  /** read: admissible for mysql_query; write: for mysql_execute; other: for neither. */
  category: StatementCategory;
  /** Set when the statement must be refused whatever the tool; a short sentence naming why. */
  refusal?: string;
  /** Databases the statement names explicitly, as written (unquoted), deduplicated. */
  databases: string[];
  /** True for SHOW DATABASES / SHOW SCHEMAS, which an allow-list must filter or refuse. */
  listsDatabases: boolean;
  /** Count of positional `?` placeholders in the first statement. */
  positionalParams: number;
}

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

/** Optimizer hints that change how the gate's own limits apply to the statement. */
const REFUSED_HINTS: ReadonlyMap<string, string> = new Map([
  ["SET_VAR", "the SET_VAR optimizer hint changes server variables"],
  ["MAX_EXECUTION_TIME", "the MAX_EXECUTION_TIME optimizer hint overrides the query timeout"],
]);

/** Optimizer hints (`/*+ ... *\/`) are comments, but MySQL acts on a few of them. */
function hintRefusal(tokens: Token[]): string | undefined {
  for (const token of tokens) {
    if (token.kind !== "comment" || !token.text.startsWith("/*+")) continue;
    const inner = lex(token.text.slice(3, token.unterminated ? undefined : -2));
    for (let i = 0; i < inner.length; i++) {
      const why = inner[i].kind === "word" ? REFUSED_HINTS.get(inner[i].upper!) : undefined;
      if (why !== undefined && inner[i + 1]?.text === "(") return why;
    }
  }
  return undefined;
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
  for (const name of other.databases) {
    if (!facts.databases.includes(name)) facts.databases.push(name);
  }
  facts.listsDatabases ||= other.listsDatabases;
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
  merge(facts, analyzeStatement(significant(tokens)), condition);
}

function classify(sql: string): SqlAnalysis {
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

  const facts = analyzeStatement(first);
  const refusal = lexicalRefusal(tokens);
  if (refusal !== undefined) facts.refusal = refusal;
  facts.refusal ??= hintRefusal(firstWithComments);
  if (first.length === 0) facts.refusal ??= "the statement is empty";
  if (versioned) {
    // A server older than the version (or MySQL reading `/*M!`) skips the content.
    // With nothing left the server answers "query was empty": no other reading to check.
    const without = first.filter((token) => token.executable?.versioned !== true);
    if (without.length > 0) {
      merge(facts, analyzeStatement(without), "when a versioned comment is skipped");
    }
  }
  if (backslash) {
    checkQuotingMode(
      facts,
      firstStatement,
      { noBackslashEscapes: true },
      "under NO_BACKSLASH_ESCAPES",
    );
  }
  if (doubleQuotedBackslash) {
    checkQuotingMode(facts, firstStatement, { ansiQuotes: true }, "under ANSI_QUOTES");
  }

  const analysis: SqlAnalysis = {
    firstStatement,
    ignoredStatements,
    verb: facts.verb,
    category: facts.category,
    databases: facts.databases,
    listsDatabases: facts.listsDatabases,
    positionalParams,
  };
  if (facts.refusal !== undefined) analysis.refusal = facts.refusal;
  return analysis;
}

/**
 * Classifies SQL text for the SQL gate. Only the first statement is analysed (and should be
 * the only one sent to the server); the caller refuses `refusal`, then checks `category`
 * against the tool and `databases` against the allow-list. Never throws.
 */
export function classifySql(sql: string): SqlAnalysis {
  try {
    return classify(sql);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    // Pathological nesting can exhaust the stack: refuse rather than fail open.
    return {
      firstStatement: "",
      ignoredStatements: 0,
      verb: "",
      category: "other",
      refusal: "the statement is nested too deeply to analyse",
      databases: [],
      listsDatabases: false,
      positionalParams: 0,
    };
  }
}
