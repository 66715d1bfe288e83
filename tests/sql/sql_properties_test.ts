import assert from "assert";
import fc from "fast-check";
import { classifySql } from "../../src/sql/classify.ts";
import { lex } from "../../src/sql/lexer.ts";
import { toPositional } from "../../src/sql/named_params.ts";

const RUNS = { numRuns: 300 };

/** SQL-flavoured fragments, so random input hits quotes, comments and executable comments. */
const FRAGMENTS = [
  "SELECT",
  " ",
  "\n",
  "\t",
  "'",
  '"',
  "`",
  "\\",
  ";",
  "--",
  "-- ",
  "#",
  "/*",
  "*/",
  "/*!",
  "/*!50000",
  "/*M!",
  "/*M!100100",
  "/*+",
  "@",
  "@@",
  ":",
  ":=",
  ":x",
  "?",
  "(",
  ")",
  ".",
  ",",
  "0x1F",
  "X'",
  "1.5e3",
  "é",
  "😀",
  "\0",
  "INTO",
  "OUTFILE",
  "DROP",
];

const sqlish = fc.oneof(
  fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 4 })), {
    maxLength: 40,
  }).map((parts) => parts.join("")),
  fc.string({ unit: "binary", maxLength: 80 }),
);

/** Whitespace, and the delimiters of executable comments (whose content becomes tokens). */
function isGapText(text: string): boolean {
  return /^(?:[ \t\n\v\f\r]|\/\*M?!\d*|\*\/)*$/.test(text);
}

// Property: lex() never throws, and its tokens are in order, inside the input, never overlap,
// carry their exact source text, and leave only whitespace or executable-comment delimiters
// between them.
Deno.test("lex() never throws and its token offsets cover the input in order", () => {
  fc.assert(
    fc.property(sqlish, (sql) => {
      const tokens = lex(sql);
      let previousEnd = 0;
      for (const token of tokens) {
        assert.ok(token.start >= previousEnd, "tokens overlap or go backwards");
        assert.ok(token.end > token.start, "empty token");
        assert.ok(token.end <= sql.length, "token past the end");
        assert.equal(token.text, sql.slice(token.start, token.end));
        assert.ok(isGapText(sql.slice(previousEnd, token.start)), "uncovered text");
        previousEnd = token.end;
      }
      assert.ok(isGapText(sql.slice(previousEnd)), "uncovered text at the end");
    }),
    RUNS,
  );
});

// Property: classifySql() never throws, and its first statement is always a slice of the input.
Deno.test("classifySql() never throws and returns a slice of its input", () => {
  fc.assert(
    fc.property(sqlish, (sql) => {
      const analysis = classifySql(sql);
      assert.ok(sql.includes(analysis.firstStatement));
      assert.ok(analysis.ignoredStatements >= 0);
    }),
    RUNS,
  );
});

const STATEMENTS = [
  "SELECT 1",
  "SELECT a, b FROM shop.orders o JOIN other.x ON o.id = x.id WHERE a = ?",
  "WITH c AS (SELECT 1) SELECT * FROM c",
  "SHOW TABLES FROM shop",
  "DESCRIBE shop.t",
  "EXPLAIN ANALYZE DELETE FROM t",
  "INSERT INTO shop.t VALUES (?, ?)",
  "UPDATE t SET a = 1",
  "DELETE FROM t WHERE id = 3",
  "DROP TABLE t",
  "SELECT * FROM t INTO OUTFILE '/tmp/x'",
  "SELECT * FROM t FOR UPDATE",
  "SELECT LOAD_FILE('/etc/passwd')",
  "SELECT 1 /*! , 2 */",
  "/*!50000 DROP */ TABLE t",
  "(SELECT 1) UNION (SELECT 2)",
];

const commentText = fc.string({ unit: "binary", maxLength: 20 });
const blockComment = commentText.filter((text) => !text.includes("*/")).map((text) =>
  `/* ${text} */`
);
const lineComment = fc.tuple(
  fc.constantFrom("-- ", "#", "--\t"),
  commentText.filter((text) => !text.includes("\n") && !text.includes("\0")),
).map(([opener, text]) => `${opener}${text}\n`);
const whitespace = fc.array(fc.constantFrom(" ", "\t", "\n", "\r", "\f", "\v"), {
  minLength: 1,
  maxLength: 3,
}).map((parts) => parts.join(""));
const padding = fc.array(fc.oneof(blockComment, lineComment, whitespace), { maxLength: 4 })
  .map((parts) => parts.join(" "));

// Property: wrapping a statement in random comments and whitespace, before and after (with an
// optional trailing `;`), changes nothing about its classification, and the first statement
// is the statement itself.
Deno.test("classifySql() classifies a statement the same whatever comments surround it", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...STATEMENTS),
      padding,
      padding,
      fc.boolean(),
      (statement, before, after, semicolon) => {
        const expected = classifySql(statement);
        const sql = `${before} ${statement} ${semicolon ? ";" : ""} ${after}`;
        const actual = classifySql(sql);
        assert.deepEqual(actual, expected);
      },
    ),
    RUNS,
  );
});

const literalContent = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.array(fc.constantFrom("'", '"', "\\", ";", "--", "-- ", "/*", "*/", "#", "\n", "?", ":x"), {
    maxLength: 20,
  }).map((parts) => parts.join("")),
);

// Property: any content, correctly escaped (quotes and backslashes doubled) inside a single-
// or double-quoted literal, leaves `SELECT <literal>` a read of one statement with no refusal.
Deno.test("classifySql() reads SELECT of any escaped string literal as one statement", () => {
  fc.assert(
    fc.property(literalContent, fc.constantFrom("'", '"'), (content, quote) => {
      const escaped = content.replaceAll("\\", "\\\\").replaceAll(quote, quote + quote);
      const sql = `SELECT ${quote}${escaped}${quote}`;
      const analysis = classifySql(sql);
      assert.equal(analysis.category, "read");
      assert.equal(analysis.refusal, undefined);
      assert.equal(analysis.ignoredStatements, 0);
      assert.equal(analysis.firstStatement, sql);
      assert.equal(analysis.positionalParams, 0);
    }),
    RUNS,
  );
});

const DDL_VERBS = [
  "CREATE TABLE x (a INT)",
  "DROP TABLE",
  "DROP DATABASE",
  "ALTER TABLE",
  "TRUNCATE TABLE",
  "RENAME TABLE",
  "GRANT ALL ON *.* TO",
  "REVOKE ALL ON *.* FROM",
  "CREATE USER",
  "DROP",
  "CREATE",
];
const EXEC_OPENERS = ["/*!", "/*!50000", "/*!50000 ", "/*!080000 ", "/*M!", "/*M!100100 "];

// Property: a DDL verb hidden in an executable comment at the start of a statement is never
// classified as a read, whatever the version marker and whatever follows the comment.
Deno.test("classifySql() never reads a DDL verb hidden in an executable comment", () => {
  fc.assert(
    fc.property(
      padding,
      fc.constantFrom(...EXEC_OPENERS),
      fc.constantFrom(...DDL_VERBS),
      fc.boolean(),
      fc.constantFrom("", " t", " SELECT 1", " TABLE t", " shop.t", "(SELECT 1)"),
      (before, opener, verb, closeEarly, rest) => {
        const sql = closeEarly
          ? `${before} ${opener}${verb} */${rest}`
          : `${before} ${opener}${verb}${rest} */`;
        assert.notEqual(classifySql(sql).category, "read", sql);
      },
    ),
    RUNS,
  );
});

const placeholderName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/);
const sqlPiece = fc.oneof(
  literalContent.map((content) => ({
    text: `'${content.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`,
    name: undefined,
  })),
  placeholderName.map((name) => ({ text: `:${name}`, name })),
  fc.constantFrom("SELECT", "=", ",", "a", "`:not_a_param`", "/* :no */", "@x", ":=").map((
    text,
  ) => ({ text, name: undefined })),
);

// Property: toPositional() replaces exactly the placeholders, in order, and never changes the
// text inside strings, quoted identifiers or comments.
Deno.test("toPositional() never changes text inside strings", () => {
  fc.assert(
    fc.property(fc.array(sqlPiece, { maxLength: 12 }), (pieces) => {
      const sql = pieces.map((piece) => piece.text).join(" ");
      const expectedNames = pieces.flatMap((piece) => piece.name === undefined ? [] : [piece.name]);
      const result = toPositional(sql);
      assert.deepEqual(result.names, expectedNames);
      const quoted = (text: string) =>
        lex(text).filter((token) => token.kind !== "named_param" && token.kind !== "param")
          .map((token) => token.text);
      assert.deepEqual(quoted(result.sql), quoted(sql));
      const expectedSql = pieces.map((piece) => piece.name === undefined ? piece.text : "?")
        .join(" ");
      assert.equal(result.sql, expectedSql);
    }),
    RUNS,
  );
});
