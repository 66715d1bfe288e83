/**
 * Hostile inputs for the SQL gate: each names the trick and what the classifier must say.
 * `refused: true` means any refusal; a string means the refusal must contain it.
 */
import assert from "assert";
import { classifySql, type StatementCategory } from "../../src/sql/classify.ts";
import { gateRefusal } from "./_gate_refusal.ts";

interface HostileCase {
  name: string;
  sql: string;
  category?: StatementCategory;
  refused: boolean | string;
  ignored?: number;
  databases?: string[];
  verb?: string;
  firstStatement?: string;
}

const CASES: HostileCase[] = [
  // Comment tricks.
  {
    name: "a -- comment before a semicolon does not hide the second statement",
    sql: "SELECT 1 -- x\n; DROP TABLE t",
    category: "read",
    refused: false,
    ignored: 1,
    firstStatement: "SELECT 1",
  },
  {
    name: "a # comment before a semicolon does not hide the second statement",
    sql: "SELECT 1 # x\n; DROP TABLE t",
    category: "read",
    refused: false,
    ignored: 1,
  },
  {
    name: "a semicolon inside an executable comment is refused",
    sql: "SELECT 1 /*! ; DROP TABLE t */",
    refused: "statement separator inside an executable comment",
  },
  {
    name: "a semicolon inside a versioned executable comment is refused",
    sql: "SELECT 1 /*!50000 ; DROP TABLE t */",
    refused: "statement separator",
  },
  {
    name: "a DROP verb in a versioned comment is not a read",
    sql: "/*!50000 DROP */ TABLE t",
    verb: "DROP",
    refused: true,
  },
  {
    name: "a DELETE in a MariaDB executable comment is a write",
    sql: "/*M!100100 DELETE FROM t*/",
    verb: "DELETE",
    category: "write",
    refused: false,
  },
  {
    name: "a DELETE in an unversioned executable comment is a write",
    sql: "/*! DELETE FROM t */",
    category: "write",
    refused: false,
  },
  {
    name: "INTO OUTFILE after a # comment is seen",
    sql: "SELECT 1 #\nINTO OUTFILE '/tmp/x'",
    refused: "INTO OUTFILE",
  },
  {
    name: "INTO OUTFILE after a -- comment is seen",
    sql: "SELECT 1 -- \nINTO OUTFILE '/tmp/x'",
    refused: "INTO OUTFILE",
  },
  {
    name: "INTO OUTFILE inside an executable comment is seen",
    sql: "SELECT 1 /*!INTO OUTFILE '/tmp/x'*/",
    refused: "INTO OUTFILE",
  },
  {
    name: "INTO DUMPFILE inside a MariaDB executable comment is seen",
    sql: "SELECT 1 /*M!INTO DUMPFILE '/tmp/x'*/",
    refused: "INTO DUMPFILE",
  },
  {
    name: "FOR UPDATE split by a comment is seen",
    sql: "SELECT * FROM t FOR /* x */ UPDATE",
    refused: "FOR UPDATE",
  },
  {
    name: "FOR UPDATE split by an executable comment is seen",
    sql: "SELECT * FROM t FOR /*!UPDATE*/",
    refused: "FOR UPDATE",
  },
  {
    name: "an INTO OUTFILE in a plain comment is only a comment",
    sql: "SELECT 1 /* INTO OUTFILE '/tmp/x' */",
    category: "read",
    refused: false,
  },
  {
    name: "an optimizer hint is a comment",
    sql: "SELECT /*+ BKA(t) INDEX(t i) */ * FROM t",
    category: "read",
    refused: false,
  },
  {
    name: "an optimizer hint lifting the timeout is refused",
    sql: "SELECT /*+ MAX_EXECUTION_TIME(0) */ * FROM t",
    refused: "MAX_EXECUTION_TIME",
  },
  {
    name: "an optimizer hint changing sql_mode is refused",
    sql: "SELECT /*+ SET_VAR(sql_mode='NO_BACKSLASH_ESCAPES') */ 1",
    refused: "SET_VAR",
  },
  {
    name: "a quoted */ inside a versioned comment is refused as ambiguous",
    sql: "SELECT 1 /*!99999 ' */ INTO OUTFILE '/tmp/x' -- ' */",
    refused: "executable comment",
  },
  {
    name: "a nested comment inside an executable comment is refused as ambiguous",
    sql: "SELECT 1 /*!99999 /* */ INTO OUTFILE '/tmp/x' */",
    refused: "executable comment",
  },
  {
    name: "a line comment inside an executable comment is refused as ambiguous",
    sql: "SELECT 1 /*! -- */\n, 2 */",
    refused: "executable comment",
  },
  {
    name: "an unterminated executable comment is refused",
    sql: "SELECT 1 /*! , 2",
    refused: "unterminated",
  },
  {
    name: "an unterminated block comment is refused",
    sql: "SELECT 1 /* DROP TABLE t",
    refused: "unterminated comment",
  },
  {
    name: "a -- without a following space is two minus signs",
    sql: "SELECT--1",
    category: "read",
    refused: false,
    firstStatement: "SELECT--1",
  },
  {
    name: "a -- without space does not comment out INTO OUTFILE",
    sql: "SELECT 1--1 INTO OUTFILE '/tmp/x'",
    refused: "INTO OUTFILE",
  },
  {
    name: "a line comment ended by NUL leaves the rest visible",
    sql: "SELECT 1 # x\0INTO OUTFILE '/tmp/x'",
    refused: true,
  },
  {
    name: "a verb hidden behind a leading comment is still found",
    sql: "/* SELECT */ DELETE FROM t",
    verb: "DELETE",
    category: "write",
    refused: false,
    firstStatement: "DELETE FROM t",
  },
  {
    name: "a verb after a # line is found",
    sql: "# SELECT\nDROP TABLE t",
    verb: "DROP",
    category: "other",
    refused: false,
  },
  // String tricks.
  {
    name: "a backslash-escaped quote keeps the string open",
    sql: String.raw`SELECT '\'' ; DROP`,
    category: "read",
    refused: false,
    ignored: 1,
    firstStatement: String.raw`SELECT '\''`,
  },
  {
    name: "doubled double quotes stay in one string",
    sql: 'SELECT "a""b"',
    category: "read",
    refused: false,
  },
  {
    name: "a semicolon inside a string does not split",
    sql: "SELECT 'a;b' FROM t",
    category: "read",
    refused: false,
    ignored: 0,
  },
  {
    name: "a comment opener inside a string is text",
    sql: "SELECT '/*', '--', '#' FROM t",
    category: "read",
    refused: false,
  },
  {
    name: "INTO OUTFILE inside a string is text",
    sql: "SELECT 'INTO OUTFILE /tmp/x'",
    category: "read",
    refused: false,
  },
  {
    name: "a string that only ends under NO_BACKSLASH_ESCAPES hides nothing",
    sql: String.raw`SELECT '\' INTO OUTFILE '/tmp/x' -- '`,
    refused: "INTO OUTFILE",
  },
  {
    name: "a statement that splits under NO_BACKSLASH_ESCAPES is refused",
    sql: String.raw`SELECT 'a\'; DELETE FROM t; -- '`,
    refused: "NO_BACKSLASH_ESCAPES",
  },
  {
    name: "an escaped backslash before the closing quote ends the string",
    sql: String.raw`SELECT 'a\\' ; DROP TABLE t`,
    category: "read",
    refused: false,
    ignored: 1,
  },
  {
    name: "an unterminated string is refused",
    sql: "SELECT 'abc",
    refused: "unterminated string",
  },
  {
    name: "an unterminated string swallowing a semicolon is refused",
    sql: String.raw`SELECT 'abc\'; DROP TABLE t`,
    refused: "unterminated",
  },
  {
    name: "a hex literal is a value",
    sql: "SELECT X'3B', 0x3B, B'0101'",
    category: "read",
    refused: false,
  },
  {
    name: "a charset-introduced string is a value",
    sql: "SELECT _utf8mb4'; DROP TABLE t', N'x'",
    category: "read",
    refused: false,
    ignored: 0,
  },
  // Identifier tricks.
  {
    name: "backticked keywords are identifiers",
    sql: "SELECT `FROM` FROM `SELECT`",
    category: "read",
    refused: false,
  },
  {
    name: "a backticked INTO is an identifier",
    sql: "SELECT `into`, `outfile` FROM t",
    category: "read",
    refused: false,
  },
  {
    name: "a backtick identifier containing a semicolon does not split",
    sql: "SELECT `a;DROP TABLE t` FROM t",
    category: "read",
    refused: false,
    ignored: 0,
  },
  {
    name: "an unterminated backtick is refused",
    sql: "SELECT `abc FROM t",
    refused: "unterminated quoted identifier",
  },
  {
    name: "a backticked LOAD_FILE call is still a call",
    sql: "SELECT `load_file`('/etc/passwd')",
    refused: "LOAD_FILE()",
  },
  {
    name: "a column named like a refused function is fine",
    sql: "SELECT sleep_for_update, get_lock_count FROM t",
    category: "read",
    refused: false,
  },
  {
    name: "a qualified column named into is fine",
    sql: "SELECT t.into FROM t",
    category: "read",
    refused: false,
  },
  // Unicode.
  {
    name: "unicode identifiers and strings are read",
    sql: "SELECT `名前`, 'naïve 😀' FROM café.bücher",
    category: "read",
    refused: false,
    databases: ["café"],
  },
  {
    name: "a unicode look-alike semicolon does not split",
    sql: "SELECT 1 ； DROP TABLE t",
    category: "read",
    ignored: 0,
    refused: "not understood",
  },
  // CTEs wrapping DML.
  {
    name: "a CTE wrapping DELETE is not a read",
    sql: "WITH x AS (SELECT 1) DELETE FROM t",
    category: "write",
    refused: false,
  },
  {
    name: "a CTE wrapping UPDATE is not a read",
    sql: "with x as (select 1) update t set a = 1",
    category: "write",
    refused: false,
  },
  {
    name: "a recursive CTE with column list is a read",
    sql:
      "WITH RECURSIVE x (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM x WHERE n < 3) SELECT * FROM x",
    category: "read",
    refused: false,
  },
  {
    name: "a CTE body with INTO OUTFILE is refused",
    sql: "WITH x AS (SELECT 1 INTO OUTFILE '/tmp/x') SELECT 1",
    refused: "INTO OUTFILE",
  },
  // EXPLAIN and ANALYZE.
  {
    name: "EXPLAIN ANALYZE DELETE runs the delete",
    sql: "EXPLAIN ANALYZE DELETE FROM t",
    category: "other",
    refused: false,
  },
  {
    name: "MariaDB ANALYZE UPDATE runs the update",
    sql: "ANALYZE UPDATE t SET a = 1",
    category: "other",
    refused: false,
  },
  {
    name: "EXPLAIN of a locking read is refused",
    sql: "EXPLAIN SELECT * FROM t FOR UPDATE",
    refused: "FOR UPDATE",
  },
  {
    name: "EXPLAIN INTO a variable is refused",
    sql: "EXPLAIN FORMAT=JSON INTO @v SELECT 1",
    refused: "INTO @variable",
  },
  // Parentheses and set operations.
  {
    name: "parenthesised selects joined by UNION are a read",
    sql: "(SELECT 1) UNION (SELECT 2)",
    verb: "SELECT",
    category: "read",
    refused: false,
  },
  {
    name: "a parenthesised DELETE is not a read",
    sql: "(DELETE FROM t)",
    category: "other",
    refused: "not allowed",
  },
  {
    name: "a UNION into an outfile is refused",
    sql: "SELECT 1 UNION SELECT 2 INTO OUTFILE '/tmp/x'",
    refused: "INTO OUTFILE",
  },
  // Case variations.
  {
    name: "lower-case into outfile is refused",
    sql: "select 1 into outfile '/tmp/x'",
    refused: "INTO OUTFILE",
  },
  {
    name: "mixed-case Lock In Share Mode is refused",
    sql: "SeLeCt * FrOm t LoCk In ShArE mOdE",
    refused: "LOCK IN SHARE MODE",
  },
  {
    name: "mixed-case load_file is refused",
    sql: "SELECT Load_File('/etc/passwd')",
    refused: "LOAD_FILE()",
  },
  {
    name: "mixed-case DrOp is other",
    sql: "DrOp TaBlE t",
    verb: "DROP",
    category: "other",
    refused: false,
  },
  // Databases.
  {
    name: "information_schema is named as a database",
    sql: "select * from information_schema.tables",
    category: "read",
    refused: false,
    databases: ["information_schema"],
  },
  {
    name: "every database of a join is named",
    sql: "SELECT * FROM shop.orders o JOIN other.x ON o.id = x.order_id",
    category: "read",
    refused: false,
    databases: ["shop", "other"],
  },
  {
    name: "a database after a comma past an ON clause is named",
    sql: "SELECT * FROM a JOIN b ON a.id = b.id, secret.t WHERE 1",
    refused: false,
    databases: ["secret"],
  },
  {
    name: "a database spaced around its dot is named",
    sql: "SELECT * FROM secret . t",
    refused: false,
    databases: ["secret"],
  },
  {
    name: "a database in a comment-split name is named",
    sql: "SELECT * FROM secret/**/./**/t",
    refused: false,
    databases: ["secret"],
  },
  {
    name: "a database in an executable comment is named",
    sql: "SELECT * FROM /*!secret.*/t",
    refused: false,
    databases: ["secret"],
  },
  {
    name: "a database in a derived table is named",
    sql: "SELECT * FROM (SELECT * FROM secret.t) AS d",
    refused: false,
    databases: ["secret"],
  },
  {
    name: "a database of a stored function is named",
    sql: "SELECT secret.f(1)",
    refused: "not a built-in function",
    databases: ["secret"],
  },
  {
    name: "a table-qualified column names no database",
    sql: "SELECT o.id, o.total FROM orders o",
    refused: false,
    databases: [],
  },
  {
    name: "a SHOW of another database is named",
    sql: "SHOW TABLES IN secret",
    category: "read",
    refused: false,
    databases: ["secret"],
  },
  {
    name: "SHOW DATABASES is flagged",
    sql: "SHOW DATABASES",
    category: "read",
    refused: false,
    databases: [],
  },
  // Everything else.
  {
    name: "a user variable assignment is refused",
    sql: "SELECT @a := password FROM mysql.user",
    refused: ":=",
  },
  {
    name: "SELECT INTO a variable list is refused",
    sql: "SELECT a, b INTO @x, @y FROM t",
    refused: "INTO @variable",
  },
  {
    name: "NEXT VALUE FOR is refused",
    sql: "SELECT NEXT VALUE FOR s",
    refused: "NEXT VALUE FOR",
  },
  {
    name: "a GET_LOCK call with a space before the parenthesis is refused",
    sql: "SELECT GET_LOCK ('x', 10)",
    refused: "GET_LOCK()",
  },
  {
    name: "BENCHMARK is refused",
    sql: "SELECT BENCHMARK(100000000, SHA2('a', 256))",
    refused: "BENCHMARK()",
  },
  {
    name: "SLEEP is allowed",
    sql: "SELECT SLEEP(0.1)",
    category: "read",
    refused: false,
  },
  {
    name: "LOAD DATA is refused",
    sql: "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t",
    refused: "LOAD is not allowed",
  },
  {
    name: "SET STATEMENT ... FOR SELECT is not a read",
    sql: "SET STATEMENT max_statement_time = 1 FOR SELECT 1",
    category: "other",
    refused: false,
  },
  {
    name: "a trailing semicolon and comment leave one statement",
    sql: "SELECT 1; -- done",
    category: "read",
    refused: false,
    ignored: 0,
    firstStatement: "SELECT 1",
  },
  {
    name: "a leading semicolon leaves an empty first statement",
    sql: "; DROP TABLE t",
    refused: "empty",
    ignored: 1,
  },
  {
    name: "a lone question mark in a string is not a parameter",
    sql: "SELECT '?' FROM t",
    category: "read",
    refused: false,
  },
];

for (const c of CASES) {
  Deno.test(`classifySql() handles a hostile input: ${c.name}`, () => {
    const analysis = classifySql(c.sql);
    // A statement of no admitted kind is refused by kind; `refused: false` then means that
    // nothing else about it was refused first.
    const refusal = analysis.category === "other" && c.refused === false
      ? analysis.refusal
      : gateRefusal(c.sql);
    if (c.refused === false) {
      assert.equal(refusal, undefined);
    } else if (c.refused === true) {
      assert.ok(refusal, "expected a refusal");
    } else {
      assert.ok(
        refusal?.includes(c.refused),
        `expected a refusal containing "${c.refused}", got ${refusal}`,
      );
    }
    if (c.category !== undefined) assert.equal(analysis.category, c.category);
    if (c.verb !== undefined) assert.equal(analysis.verb, c.verb);
    if (c.ignored !== undefined) assert.equal(analysis.ignoredStatements, c.ignored);
    if (c.databases !== undefined) assert.deepEqual(analysis.databases, c.databases);
    if (c.firstStatement !== undefined) assert.equal(analysis.firstStatement, c.firstStatement);
    assert.ok(c.sql.includes(analysis.firstStatement));
  });
}

Deno.test("classifySql() hostile table has at least 60 cases", () => {
  assert.ok(CASES.length >= 60, `${CASES.length}`);
});
