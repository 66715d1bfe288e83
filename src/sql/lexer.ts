/**
 * A MySQL/MariaDB lexer. Statement classification works on these tokens, never on the raw
 * text, so that strings, quoted identifiers and comments cannot hide or fake keywords.
 *
 * @module
 */
import {
  AMP,
  AT,
  BACKTICK,
  BANG,
  COLON,
  DOT,
  DQUOTE,
  GT,
  HASH,
  isDigit,
  isIdentChar,
  isIdentStart,
  isSpace,
  LF,
  LOWER_B,
  LOWER_X,
  LT,
  MINUS,
  PIPE,
  QUESTION,
  scanNumberOrWord,
  scanQuoted,
  scanVariable,
  SLASH,
  SPACE,
  SQUOTE,
  STAR,
  token,
  UPPER_B,
  UPPER_M,
  UPPER_X,
} from "./_scan.ts";

/** What a token is. Whitespace is not a token: the gaps between tokens are whitespace. */
export type TokenKind =
  | "word"
  | "quoted_ident"
  | "string"
  | "number"
  | "variable"
  | "param"
  | "named_param"
  | "op"
  | "comment";

/**
 * An executable comment (`/*! ... *\/`, `/*!50000 ... *\/`, `/*M! ... *\/`). MySQL runs its
 * content as code, so its tokens are emitted as ordinary tokens that all point here.
 */
export interface ExecutableComment {
  /** Offset of the opening `/*`. */
  start: number;
  /** Offset of the first character after the marker and version number. */
  contentStart: number;
  /** Offset just after the closing `*\/` (the input length when unterminated). */
  end: number;
  /**
   * True for `/*!NNNNN` and every `/*M!`: some servers skip the content (version too new,
   * or MySQL reading a MariaDB-only comment), so callers must accept both readings.
   */
  versioned: boolean;
  /** False when the input ends before the closing `*\/`. */
  terminated: boolean;
  /**
   * True when the token-level end differs from the first raw `*\/` (a quoted `*\/`, a nested
   * comment, a `#` or `-- ` comment inside): a server that skips the content would resume
   * elsewhere, so the two readings disagree about what is code.
   */
  ambiguous: boolean;
}

/** One lexical token, with offsets into the original string. */
export interface Token {
  kind: TokenKind;
  /** The exact source text, `sql.slice(start, end)`. */
  text: string;
  /** Upper-cased text of a `word`, for keyword matching. */
  upper?: string;
  start: number;
  end: number;
  /** The quote of a `string` or `quoted_ident`; a `"` string may be an identifier (ANSI_QUOTES). */
  quote?: "'" | '"' | "`";
  /** Hex (`X'..'`) or bit (`B'..'`) string literal. */
  literalPrefix?: "X" | "B";
  /** A string containing a backslash: its end may depend on NO_BACKSLASH_ESCAPES. */
  backslash?: true;
  /** The input ended inside this string, quoted identifier, variable name or comment. */
  unterminated?: true;
  /** The token comes from the content of an executable comment (it is code). */
  inExecutableComment?: true;
  /** The executable comment the token belongs to. */
  executable?: ExecutableComment;
}

/** Server modes that change where strings end. */
export interface LexOptions {
  /** `NO_BACKSLASH_ESCAPES`: a backslash is an ordinary character in every string. */
  noBackslashEscapes?: boolean;
  /** `ANSI_QUOTES`: `"..."` is a quoted identifier, in which a backslash is ordinary. */
  ansiQuotes?: boolean;
}

/** Operators of two or three characters, longest first. */
const MULTI_CHAR_OPS = ["<=>", "->>", ":=", "<=", ">=", "<>", "!=", "<<", ">>", "&&", "||", "->"];
const OP_FIRST_CHARS = new Set([LT, GT, COLON, BANG, AMP, PIPE, MINUS]);

/**
 * Splits `sql` into tokens. Never throws: malformed input yields tokens flagged
 * `unterminated` instead, which the classifier refuses.
 */
export function lex(sql: string, options: LexOptions = {}): Token[] {
  const backslashInSingle = !options.noBackslashEscapes;
  const doubleIsIdent = options.ansiQuotes === true;
  const backslashInDouble = backslashInSingle && !doubleIsIdent;
  const tokens: Token[] = [];
  const n = sql.length;
  let exec: ExecutableComment | undefined;
  let execTokens = 0;
  let i = 0;

  const push = (token: Token): void => {
    if (exec !== undefined) {
      token.inExecutableComment = true;
      token.executable = exec;
      execTokens++;
    }
    tokens.push(token);
  };

  const pushQuoted = (start: number, quote: number): void => {
    const isDouble = quote === DQUOTE;
    const escapes = quote === BACKTICK ? false : isDouble ? backslashInDouble : backslashInSingle;
    const close = scanQuoted(sql, start, quote, escapes);
    const end = close < 0 ? n : close;
    const kind: TokenKind = quote === BACKTICK || (isDouble && doubleIsIdent)
      ? "quoted_ident"
      : "string";
    const quoted = token(kind, sql.slice(start, end), start, end);
    quoted.quote = quote === BACKTICK ? "`" : isDouble ? '"' : "'";
    if (kind === "string" && quoted.text.includes("\\")) quoted.backslash = true;
    if (close < 0) quoted.unterminated = true;
    push(quoted);
    i = end;
  };

  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    const c1 = i + 1 < n ? sql.charCodeAt(i + 1) : 0;

    // End of an executable comment: only at a token boundary, as MySQL's lexer does.
    if (exec !== undefined && c === STAR && c1 === SLASH) {
      i += 2;
      exec.end = i;
      exec.terminated = true;
      if (sql.indexOf("*/", exec.contentStart) !== start) exec.ambiguous = true;
      exec = undefined;
      continue;
    }

    // Block comments, hints and executable comments.
    if (c === SLASH && c1 === STAR) {
      const c2 = i + 2 < n ? sql.charCodeAt(i + 2) : 0;
      const mariadb = c2 === UPPER_M && sql.charCodeAt(i + 3) === BANG;
      if (exec === undefined && (c2 === BANG || mariadb)) {
        let j = i + (mariadb ? 4 : 3);
        let digits = 0;
        while (digits < 6 && j + digits < n && isDigit(sql.charCodeAt(j + digits))) digits++;
        const versioned = mariadb || digits >= 5;
        if (digits >= 5) j += digits;
        exec = {
          start,
          contentStart: j,
          end: n,
          versioned,
          terminated: false,
          ambiguous: false,
        };
        execTokens = 0;
        i = j;
        continue;
      }
      // Inside an executable comment a nested `/*...*/` (even `/*!`) is a plain comment.
      const close = sql.indexOf("*/", i + 2);
      const end = close < 0 ? n : close + 2;
      const comment = token("comment", sql.slice(start, end), start, end);
      if (close < 0) comment.unterminated = true;
      push(comment);
      i = end;
      continue;
    }

    // `#` and `-- ` comments run to the end of the line. A NUL also ends them: MySQL stops
    // there, so ending early keeps whatever follows visible to the classifier.
    if (
      c === HASH ||
      (c === MINUS && c1 === MINUS && (i + 2 >= n || sql.charCodeAt(i + 2) <= SPACE ||
        sql.charCodeAt(i + 2) === 127))
    ) {
      let j = i + 1;
      while (j < n) {
        const d = sql.charCodeAt(j);
        if (d === LF || d === 0) break;
        j++;
      }
      push(token("comment", sql.slice(start, j), start, j));
      i = j;
      continue;
    }

    if (c === SQUOTE || c === DQUOTE || c === BACKTICK) {
      pushQuoted(start, c);
      continue;
    }

    // Hex and bit literals: X'0A', B'01'. Their content has no escapes.
    if ((c === UPPER_X || c === LOWER_X || c === UPPER_B || c === LOWER_B) && c1 === SQUOTE) {
      const close = sql.indexOf("'", i + 2);
      const end = close < 0 ? n : close + 1;
      const literal = token("string", sql.slice(start, end), start, end);
      literal.quote = "'";
      literal.literalPrefix = c === UPPER_X || c === LOWER_X ? "X" : "B";
      if (close < 0) literal.unterminated = true;
      push(literal);
      i = end;
      continue;
    }

    if (isDigit(c) || (c === DOT && isDigit(c1) && !followsName(tokens, start))) {
      i = scanNumberOrWord(sql, start, push);
      continue;
    }

    if (isIdentChar(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(sql.charCodeAt(j))) j++;
      const text = sql.slice(start, j);
      push(token("word", text, start, j, text.toUpperCase()));
      i = j;
      continue;
    }

    if (c === AT) {
      const close = scanVariable(sql, start);
      const end = close < 0 ? n : close;
      const kind: TokenKind = end === start + 1 ? "op" : "variable";
      const variable = token(kind, sql.slice(start, end), start, end);
      if (close < 0) variable.unterminated = true;
      push(variable);
      i = end;
      continue;
    }

    if (c === QUESTION) {
      push(token("param", "?", start, i + 1));
      i++;
      continue;
    }

    if (c === COLON && isIdentStart(c1)) {
      let j = i + 2;
      while (j < n && isIdentChar(sql.charCodeAt(j))) j++;
      push(token("named_param", sql.slice(start, j), start, j));
      i = j;
      continue;
    }

    let len = 1;
    if (OP_FIRST_CHARS.has(c)) {
      for (const op of MULTI_CHAR_OPS) {
        if (sql.startsWith(op, i)) {
          len = op.length;
          break;
        }
      }
    }
    i += len;
    push(token("op", sql.slice(start, i), start, i));
  }

  if (exec !== undefined) {
    if (sql.indexOf("*/", exec.contentStart) >= 0) exec.ambiguous = true;
    if (execTokens === 0) {
      // Nothing inside to carry the flag: report the comment itself as unterminated.
      const comment = token("comment", sql.slice(exec.start), exec.start, n);
      comment.unterminated = true;
      tokens.push(comment);
    }
  }
  return tokens;
}

/** True when the previous token ends right at `offset` and is a name (so `.5` is `.` `5`). */
function followsName(tokens: Token[], offset: number): boolean {
  const prev = tokens[tokens.length - 1];
  return prev !== undefined && prev.end === offset &&
    (prev.kind === "word" || prev.kind === "quoted_ident");
}
