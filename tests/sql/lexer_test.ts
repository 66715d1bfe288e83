import assert from "assert";
import { lex, type Token } from "../../src/sql/lexer.ts";

function kinds(tokens: Token[]): string[] {
  return tokens.map((token) => `${token.kind}:${token.text}`);
}

Deno.test("lex() splits words, numbers, operators and placeholders with offsets", () => {
  const sql = "SELECT a1, 2.5e3 FROM t WHERE x >= ? AND y = :name";
  const tokens = lex(sql);
  assert.deepEqual(kinds(tokens), [
    "word:SELECT",
    "word:a1",
    "op:,",
    "number:2.5e3",
    "word:FROM",
    "word:t",
    "word:WHERE",
    "word:x",
    "op:>=",
    "param:?",
    "word:AND",
    "word:y",
    "op:=",
    "named_param::name",
  ]);
  for (const token of tokens) assert.equal(sql.slice(token.start, token.end), token.text);
  assert.equal(tokens[0].upper, "SELECT");
});

Deno.test("lex() keeps backslash and doubled-quote escapes inside one string", () => {
  assert.deepEqual(kinds(lex(String.raw`'a\'b' 'c''d' "e""f" "g\"h"`)), [
    String.raw`string:'a\'b'`,
    "string:'c''d'",
    'string:"e""f"',
    String.raw`string:"g\"h"`,
  ]);
});

Deno.test("lex() marks double-quoted strings so callers can treat them as identifiers", () => {
  const [token] = lex('"col"');
  assert.equal(token.kind, "string");
  assert.equal(token.quote, '"');
  assert.equal(lex('"col"', { ansiQuotes: true })[0].kind, "quoted_ident");
});

Deno.test("lex() honours NO_BACKSLASH_ESCAPES when asked", () => {
  assert.deepEqual(kinds(lex(String.raw`'a\' 'b'`, { noBackslashEscapes: true })), [
    String.raw`string:'a\'`,
    "string:'b'",
  ]);
});

Deno.test("lex() reads backtick identifiers with doubled backticks", () => {
  assert.deepEqual(kinds(lex("`a``b` `FROM`")), ["quoted_ident:`a``b`", "quoted_ident:`FROM`"]);
});

Deno.test("lex() reads hex and bit literals as single tokens", () => {
  const tokens = lex("X'0A' b'01' 0x1F 0b10 N'x' _utf8mb4'y'");
  assert.deepEqual(kinds(tokens), [
    "string:X'0A'",
    "string:b'01'",
    "number:0x1F",
    "number:0b10",
    "word:N",
    "string:'x'",
    "word:_utf8mb4",
    "string:'y'",
  ]);
  assert.equal(tokens[0].literalPrefix, "X");
  assert.equal(tokens[1].literalPrefix, "B");
});

Deno.test("lex() reads identifiers that start with digits as words", () => {
  assert.deepEqual(kinds(lex("1abc 12 1e5 .5")), [
    "word:1abc",
    "number:12",
    "number:1e5",
    "number:.5",
  ]);
});

Deno.test("lex() reads every form of variable", () => {
  assert.deepEqual(kinds(lex("@x @@global.sql_mode @`a b` @'c' @\"d\" @a.b$")), [
    "variable:@x",
    "variable:@@global.sql_mode",
    "variable:@`a b`",
    "variable:@'c'",
    'variable:@"d"',
    "variable:@a.b$",
  ]);
});

Deno.test("lex() reads := as one operator and not as a named parameter", () => {
  assert.deepEqual(kinds(lex("@a:=1 :b ::c")), [
    "variable:@a",
    "op::=",
    "number:1",
    "named_param::b",
    "op::",
    "named_param::c",
  ]);
});

Deno.test("lex() reads multi-character operators", () => {
  assert.deepEqual(kinds(lex("a<=>b->>'$.x'||c<>d!=e")), [
    "word:a",
    "op:<=>",
    "word:b",
    "op:->>",
    "string:'$.x'",
    "op:||",
    "word:c",
    "op:<>",
    "word:d",
    "op:!=",
    "word:e",
  ]);
});

Deno.test("lex() treats -- as a comment only when followed by whitespace or the end", () => {
  assert.deepEqual(kinds(lex("SELECT--1")), ["word:SELECT", "op:-", "op:-", "number:1"]);
  assert.deepEqual(kinds(lex("SELECT -- x\n1")), ["word:SELECT", "comment:-- x", "number:1"]);
  assert.deepEqual(kinds(lex("SELECT 1--")), ["word:SELECT", "number:1", "comment:--"]);
  assert.deepEqual(kinds(lex("SELECT 1--\t")), ["word:SELECT", "number:1", "comment:--\t"]);
});

Deno.test("lex() reads # and block comments and optimizer hints as comments", () => {
  assert.deepEqual(kinds(lex("SELECT /*+ BKA(t) */ 1 # x\n/* y */")), [
    "word:SELECT",
    "comment:/*+ BKA(t) */",
    "number:1",
    "comment:# x",
    "comment:/* y */",
  ]);
});

Deno.test("lex() ends a line comment at a NUL so what follows stays visible", () => {
  assert.deepEqual(kinds(lex("# x\0INTO")), ["comment:# x", "op:\0", "word:INTO"]);
});

Deno.test("lex() emits executable comment content as code tokens", () => {
  const sql = "SELECT /*!50000 SQL_NO_CACHE */ 1 /*M!100100 , 2 */ /*! , 3*/";
  const tokens = lex(sql);
  assert.deepEqual(kinds(tokens), [
    "word:SELECT",
    "word:SQL_NO_CACHE",
    "number:1",
    "op:,",
    "number:2",
    "op:,",
    "number:3",
  ]);
  assert.equal(tokens[1].inExecutableComment, true);
  assert.equal(tokens[1].executable?.versioned, true);
  assert.equal(tokens[1].executable?.start, 7);
  assert.equal(tokens[1].executable?.end, 31);
  assert.equal(tokens[3].executable?.versioned, true);
  assert.equal(tokens[5].executable?.versioned, false);
  assert.equal(tokens[2].inExecutableComment, undefined);
});

Deno.test("lex() accepts six-digit versions in executable comments", () => {
  const tokens = lex("/*!080000 SELECT */");
  assert.deepEqual(kinds(tokens), ["word:SELECT"]);
});

Deno.test("lex() treats a nested comment inside an executable comment as a plain comment", () => {
  const tokens = lex("/*! SELECT /*! 1 */ 2 */");
  assert.deepEqual(kinds(tokens), ["word:SELECT", "comment:/*! 1 */", "number:2"]);
  assert.equal(tokens[0].executable?.ambiguous, true);
});

Deno.test("lex() flags an executable comment whose end depends on quoting", () => {
  const tokens = lex("/*!99999 ' */ x ' */");
  assert.equal(tokens[0].executable?.ambiguous, true);
  assert.equal(lex("/*!99999 'a' */")[0].executable?.ambiguous, false);
});

Deno.test("lex() flags unterminated strings, identifiers, comments and variables", () => {
  for (const sql of ["'abc", '"abc', "`abc", "/* abc", "@'abc", "X'0A", "'a\\'"]) {
    const tokens = lex(sql);
    assert.equal(tokens.at(-1)?.unterminated, true, sql);
    assert.equal(tokens.at(-1)?.end, sql.length, sql);
  }
});

Deno.test("lex() reports an unterminated executable comment", () => {
  assert.equal(lex("SELECT /*! 1")[1].executable?.terminated, false);
  const empty = lex("SELECT /*!");
  assert.equal(empty[1].kind, "comment");
  assert.equal(empty[1].unterminated, true);
});

Deno.test("lex() keeps unicode identifiers and strings intact", () => {
  assert.deepEqual(kinds(lex("SELECT café, '😀;' FROM таблица")), [
    "word:SELECT",
    "word:café",
    "op:,",
    "string:'😀;'",
    "word:FROM",
    "word:таблица",
  ]);
});
