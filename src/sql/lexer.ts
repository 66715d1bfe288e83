/**
 * A MySQL/MariaDB lexer. Statement classification works on these tokens, never on the raw
 * text, so that strings, quoted identifiers and comments cannot hide or fake keywords.
 *
 * @module
 */

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

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const BANG = 33;
const DQUOTE = 34;
const HASH = 35;
const DOLLAR = 36;
const SQUOTE = 39;
const STAR = 42;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const SLASH = 47;
const DIGIT_0 = 48;
const DIGIT_1 = 49;
const DIGIT_9 = 57;
const COLON = 58;
const LT = 60;
const GT = 62;
const QUESTION = 63;
const AT = 64;
const UPPER_B = 66;
const UPPER_E = 69;
const UPPER_M = 77;
const UPPER_X = 88;
const BACKSLASH = 92;
const UNDERSCORE = 95;
const BACKTICK = 96;
const LOWER_B = 98;
const LOWER_E = 101;
const LOWER_X = 120;
const PIPE = 124;
const AMP = 38;

/**
 * Every token has the same fields in the same order, set or undefined: one object shape, so
 * the parser's property reads stay monomorphic (measured: a third less analysis time).
 */
function token(kind: TokenKind, text: string, start: number, end: number, upper?: string): Token {
  return {
    kind,
    text,
    upper,
    start,
    end,
    quote: undefined,
    literalPrefix: undefined,
    backslash: undefined,
    unterminated: undefined,
    inExecutableComment: undefined,
    executable: undefined,
  };
}

/** MySQL's whitespace: space, tab, LF, VT, FF, CR. */
function isSpace(c: number): boolean {
  return c === SPACE || (c >= TAB && c <= CR);
}

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Unquoted identifier characters: ASCII letters, digits, `$`, `_` and anything non-ASCII. */
function isIdentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigit(c) || c === UNDERSCORE ||
    c === DOLLAR || c >= 128;
}

function isIdentStart(c: number): boolean {
  return isIdentChar(c) && !isDigit(c);
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

  /** Scans a quoted run starting at the quote; returns the end offset (-1: unterminated). */
  let sawBackslash = false;
  const scanQuoted = (from: number, quote: number, backslashEscapes: boolean): number => {
    sawBackslash = false;
    let j = from + 1;
    while (j < n) {
      const c = sql.charCodeAt(j);
      if (c === BACKSLASH) {
        sawBackslash = true;
        if (backslashEscapes) {
          j += 2;
          continue;
        }
      } else if (c === quote) {
        if (sql.charCodeAt(j + 1) === quote) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
    return -1;
  };

  const pushQuoted = (start: number, quote: number): void => {
    const isDouble = quote === DQUOTE;
    const escapes = quote === BACKTICK ? false : isDouble ? backslashInDouble : backslashInSingle;
    const close = scanQuoted(start, quote, escapes);
    const end = close < 0 ? n : close;
    const kind: TokenKind = quote === BACKTICK || (isDouble && doubleIsIdent)
      ? "quoted_ident"
      : "string";
    const quoted = token(kind, sql.slice(start, end), start, end);
    quoted.quote = quote === BACKTICK ? "`" : isDouble ? '"' : "'";
    if (sawBackslash && kind === "string") quoted.backslash = true;
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

/**
 * Numbers (`12`, `1.5e-3`, `.5`, `0x1F`, `0b101`), or a word when digits run into letters
 * (`1abc` is a valid MySQL identifier).
 */
function scanNumberOrWord(sql: string, start: number, push: (t: Token) => void): number {
  const n = sql.length;
  let j = start;
  while (j < n && isDigit(sql.charCodeAt(j))) j++;
  const c0 = sql.charCodeAt(start);
  const c1 = sql.charCodeAt(start + 1);
  if (c0 === DIGIT_0 && (c1 === LOWER_X || c1 === LOWER_B) && j === start + 1) {
    // 0x... / 0b...: a number only when the whole identifier-like run is hex / binary digits.
    let k = start + 2;
    const hex = c1 === LOWER_X;
    while (k < n && (hex ? isHexDigit(sql.charCodeAt(k)) : isBinaryDigit(sql.charCodeAt(k)))) k++;
    if (k > start + 2 && (k >= n || !isIdentChar(sql.charCodeAt(k)))) {
      push(token("number", sql.slice(start, k), start, k));
      return k;
    }
  }
  if (j < n && sql.charCodeAt(j) === DOT) {
    j++;
    while (j < n && isDigit(sql.charCodeAt(j))) j++;
  }
  const e = sql.charCodeAt(j);
  if (j > start && (e === LOWER_E || e === UPPER_E)) {
    let k = j + 1;
    const sign = sql.charCodeAt(k);
    if (sign === PLUS || sign === MINUS) k++;
    if (isDigit(sql.charCodeAt(k))) {
      while (k < n && isDigit(sql.charCodeAt(k))) k++;
      // An exponent ends the number, as in MySQL's lexer: `1e5FROM` is `1e5` `FROM`.
      push(token("number", sql.slice(start, k), start, k));
      return k;
    }
  }
  if (j < n && isIdentChar(sql.charCodeAt(j)) && sql.charCodeAt(start) !== DOT) {
    // Digits followed by letters: an identifier such as `1abc` (or `1e` without exponent).
    let k = start;
    while (k < n && isIdentChar(sql.charCodeAt(k))) k++;
    if (!sql.slice(start, j).includes(".")) {
      const text = sql.slice(start, k);
      push(token("word", text, start, k, text.toUpperCase()));
      return k;
    }
  }
  push(token("number", sql.slice(start, j), start, j));
  return j;
}

function isBinaryDigit(c: number): boolean {
  return c === DIGIT_0 || c === DIGIT_1;
}

/**
 * Scans `@name`, `@@scope.name`, `@'name'`, `@"name"` or `` @`name` `` and returns its end,
 * `start + 1` for a lone `@`, or -1 when a quoted name is unterminated.
 */
function scanVariable(sql: string, start: number): number {
  const n = sql.length;
  let j = start + 1;
  if (sql.charCodeAt(j) === AT) j++;
  const q = sql.charCodeAt(j);
  if (q === SQUOTE || q === DQUOTE || q === BACKTICK) {
    let k = j + 1;
    while (k < n) {
      const c = sql.charCodeAt(k);
      if (c === BACKSLASH && q !== BACKTICK) {
        k += 2;
        continue;
      }
      if (c === q) {
        if (sql.charCodeAt(k + 1) === q) {
          k += 2;
          continue;
        }
        return k + 1;
      }
      k++;
    }
    return -1;
  }
  const nameStart = j;
  while (j < n) {
    const c = sql.charCodeAt(j);
    if (isIdentChar(c)) {
      j++;
    } else if (c === DOT && j > nameStart && isIdentChar(sql.charCodeAt(j + 1))) {
      j++;
    } else {
      break;
    }
  }
  // `@@` with nothing after it is two `@` operators' worth of nonsense: keep just one.
  return j === nameStart ? start + 1 : j;
}
