import assert from "assert";
import { classifySql } from "../../src/sql/classify.ts";
import { gateRefusal } from "./_gate_refusal.ts";

Deno.test("classifySql() treats SELECT, TABLE, VALUES and SHOW as reads", () => {
  for (const sql of ["SELECT 1", "TABLE t", "VALUES ROW(1, 2)", "SHOW TABLES"]) {
    const analysis = classifySql(sql);
    assert.equal(analysis.category, "read", sql);
    assert.equal(analysis.refusal, undefined, sql);
  }
});

Deno.test("classifySql() reports the first keyword upper-cased as the verb", () => {
  assert.equal(classifySql("  select 1").verb, "SELECT");
  assert.equal(classifySql("desc t").verb, "DESC");
  assert.equal(classifySql("((SELECT 1))").verb, "SELECT");
  assert.equal(classifySql("insert into t values (1)").verb, "INSERT");
});

Deno.test("classifySql() treats INSERT, UPDATE, DELETE and REPLACE as writes", () => {
  for (
    const sql of [
      "INSERT INTO t VALUES (1)",
      "INSERT IGNORE INTO t SELECT * FROM u",
      "UPDATE t SET a = 1 WHERE id = 2",
      "DELETE FROM t WHERE id = 1",
      "REPLACE LOW_PRIORITY INTO t VALUES (1)",
      "INSERT INTO t VALUES (1) ON DUPLICATE KEY UPDATE a = 2",
    ]
  ) {
    const analysis = classifySql(sql);
    assert.equal(analysis.category, "write", sql);
    assert.equal(analysis.refusal, undefined, sql);
  }
});

Deno.test("classifySql() treats DDL and session statements as other", () => {
  for (
    const sql of [
      "CREATE TABLE t (a INT)",
      "ALTER TABLE t ADD b INT",
      "DROP TABLE t",
      "TRUNCATE TABLE t",
      "RENAME TABLE a TO b",
      "GRANT SELECT ON *.* TO u",
      "REVOKE ALL ON *.* FROM u",
      "SET @a = 1",
      "CALL p()",
      "DO 1",
      "LOCK TABLES t READ",
      "UNLOCK TABLES",
      "HANDLER t OPEN",
      "USE shop",
      "FLUSH PRIVILEGES",
      "KILL 12",
      "PREPARE s FROM 'SELECT 1'",
      "EXECUTE s",
      "START TRANSACTION",
      "BEGIN",
      "COMMIT",
      "ROLLBACK",
      "XA START 'x'",
      "INSTALL PLUGIN p SONAME 'p.so'",
      "ANALYZE TABLE t",
      "OPTIMIZE TABLE t",
    ]
  ) {
    assert.equal(classifySql(sql).category, "other", sql);
  }
});

Deno.test("classifySql() reads a WITH whose main statement is a query", () => {
  const analysis = classifySql(
    "WITH RECURSIVE a (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM a WHERE n < 5), " +
      "b AS (SELECT 2) SELECT * FROM a, b",
  );
  assert.equal(analysis.verb, "WITH");
  assert.equal(analysis.category, "read");
  assert.equal(classifySql("WITH a AS (SELECT 1) TABLE a").category, "read");
  assert.equal(classifySql("WITH a AS (SELECT 1) (SELECT * FROM a)").category, "read");
});

Deno.test("classifySql() treats WITH wrapping UPDATE or DELETE as a write", () => {
  assert.equal(classifySql("WITH a AS (SELECT 1) UPDATE t SET x = 1").category, "write");
  assert.equal(classifySql("WITH a AS (SELECT 1) DELETE FROM t").category, "write");
  assert.equal(classifySql("WITH a AS (SELECT 1) DROP TABLE t").category, "other");
});

Deno.test("classifySql() reads DESCRIBE and EXPLAIN of a table", () => {
  for (const sql of ["DESCRIBE t", "DESC t col", "EXPLAIN t", "DESCRIBE shop.t 'a%'"]) {
    assert.equal(classifySql(sql).category, "read", sql);
  }
});

Deno.test("classifySql() reads EXPLAIN of a read statement only", () => {
  for (
    const sql of [
      "EXPLAIN SELECT 1",
      "EXPLAIN EXTENDED SELECT 1",
      "EXPLAIN PARTITIONS SELECT 1",
      "EXPLAIN FORMAT=JSON SELECT 1",
      "EXPLAIN FORMAT = TREE WITH a AS (SELECT 1) SELECT * FROM a",
      "DESCRIBE SELECT 1",
      "EXPLAIN ANALYZE SELECT 1",
      "ANALYZE SELECT 1",
      "ANALYZE FORMAT=JSON SELECT 1",
    ]
  ) {
    const analysis = classifySql(sql);
    assert.equal(analysis.category, "read", sql);
    assert.equal(analysis.refusal, undefined, sql);
  }
  for (
    const sql of [
      "EXPLAIN DELETE FROM t",
      "EXPLAIN ANALYZE DELETE FROM t",
      "ANALYZE UPDATE t SET a = 1",
      "EXPLAIN INSERT INTO t VALUES (1)",
    ]
  ) {
    assert.equal(classifySql(sql).category, "other", sql);
  }
});

Deno.test("classifySql() refuses file writes, file reads and variable assignment via INTO", () => {
  assert.equal(
    classifySql("SELECT * FROM t INTO OUTFILE '/tmp/x'").refusal,
    "INTO OUTFILE writes a file on the server",
  );
  assert.equal(
    classifySql("SELECT a INTO DUMPFILE '/tmp/x' FROM t").refusal,
    "INTO DUMPFILE writes a file on the server",
  );
  assert.match(classifySql("SELECT 1 INTO @a").refusal ?? "", /variable/);
  assert.match(classifySql("SELECT 1 INTO a").refusal ?? "", /INTO/);
  assert.equal(classifySql("INSERT INTO t SELECT 1").refusal, undefined);
});

Deno.test("classifySql() refuses row locks", () => {
  assert.equal(classifySql("SELECT * FROM t FOR UPDATE").refusal, "FOR UPDATE takes row locks");
  assert.equal(
    classifySql("SELECT * FROM t FOR SHARE NOWAIT").refusal,
    "FOR SHARE takes row locks",
  );
  assert.equal(
    classifySql("SELECT * FROM t LOCK IN SHARE MODE").refusal,
    "LOCK IN SHARE MODE takes row locks",
  );
});

Deno.test("classifySql() refuses functions with effects beyond the statement", () => {
  for (
    const fn of [
      "LOAD_FILE('/etc/passwd')",
      "GET_LOCK('a', 1)",
      "RELEASE_LOCK('a')",
      "RELEASE_ALL_LOCKS()",
      "BENCHMARK(1000000, MD5('a'))",
      "NEXTVAL(s)",
      "SETVAL(s, 5)",
      "MASTER_POS_WAIT('log', 4)",
      "MASTER_GTID_WAIT('0-1-1')",
      "SOURCE_POS_WAIT('log', 4)",
    ]
  ) {
    const refusal = gateRefusal(`SELECT ${fn.toLowerCase()}`);
    assert.ok(refusal?.includes(fn.slice(0, fn.indexOf("(")) + "()"), `${fn}: ${refusal}`);
  }
});

Deno.test("the gate allows SLEEP but no look at other sessions' named locks", () => {
  assert.equal(gateRefusal("SELECT SLEEP(1)"), undefined);
  assert.match(gateRefusal("SELECT IS_FREE_LOCK('b')") ?? "", /another session/);
  assert.match(gateRefusal("SELECT IS_USED_LOCK('b')") ?? "", /connection id/);
});

Deno.test("classifySql() counts a function only when a call follows its name", () => {
  for (
    const sql of [
      "SELECT 'LOAD_FILE(' FROM t",
      "SELECT sleep_for_update FROM t",
      "SELECT load_file FROM t",
      "SELECT t.get_lock FROM t",
      "SELECT `for` FROM `update`",
    ]
  ) {
    assert.equal(gateRefusal(sql), undefined, sql);
  }
  assert.ok(gateRefusal("SELECT LOAD_FILE /* x */ ('/etc/passwd')"));
});

Deno.test("classifySql() refuses sequence advances", () => {
  assert.equal(
    classifySql("SELECT NEXT VALUE FOR s").refusal,
    "NEXT VALUE FOR reads a sequence, which the gate does not allow",
  );
  assert.ok(classifySql("SELECT PREVIOUS VALUE FOR s").refusal);
});

Deno.test("classifySql() refuses := and SET inside a read statement", () => {
  assert.equal(classifySql("SELECT @a := 1").refusal, "`:=` assigns a user variable");
  assert.ok(classifySql("SELECT 1 FROM t SET a = 1").refusal);
  assert.equal(
    classifySql("SELECT CAST(a AS CHAR CHARACTER SET utf8mb4) FROM t").refusal,
    undefined,
  );
  assert.equal(classifySql("SHOW CHARACTER SET").refusal, undefined);
  assert.equal(classifySql("UPDATE t SET a = 1").refusal, undefined);
});

Deno.test("classifySql() gives LOAD DATA and LOAD XML no admitted kind", () => {
  for (
    const sql of ["LOAD DATA INFILE '/etc/passwd' INTO TABLE t", "LOAD XML INFILE 'x' INTO TABLE t"]
  ) {
    assert.equal(classifySql(sql).category, "other", sql);
    assert.match(gateRefusal(sql) ?? "", /LOAD is not allowed/, sql);
  }
});

Deno.test("classifySql() refuses unterminated strings, identifiers and comments", () => {
  assert.equal(classifySql("SELECT 'abc").refusal, "unterminated string literal");
  assert.equal(classifySql("SELECT `abc").refusal, "unterminated quoted identifier");
  assert.equal(classifySql("SELECT 1 /* abc").refusal, "unterminated comment");
  assert.equal(classifySql("SELECT 1 /*! , 2").refusal, "unterminated executable comment");
  assert.equal(classifySql("SELECT 1; SELECT 'x").refusal, "unterminated string literal");
});

Deno.test("classifySql() treats an executable comment as code", () => {
  const analysis = classifySql("SELECT 1 /*! INTO OUTFILE '/tmp/x' */");
  assert.equal(analysis.refusal, "INTO OUTFILE writes a file on the server");
  assert.equal(classifySql("/*! DROP TABLE t */").verb, "DROP");
  assert.equal(classifySql("/*! DROP TABLE t */").category, "other");
});

Deno.test("classifySql() refuses a statement separator inside an executable comment", () => {
  assert.equal(
    classifySql("SELECT 1 /*! ; DROP TABLE t */").refusal,
    "statement separator inside an executable comment",
  );
});

Deno.test("classifySql() refuses a statement whose meaning depends on a versioned comment", () => {
  const analysis = classifySql("/*!50000 DROP */ TABLE t");
  assert.equal(analysis.verb, "DROP");
  assert.notEqual(analysis.category, "read");
  assert.ok(analysis.refusal);
  assert.equal(classifySql("SELECT /*!40001 SQL_NO_CACHE */ 1").refusal, undefined);
});

Deno.test("classifySql() returns only the first statement, trimmed, as a slice", () => {
  const sql = "  /* lead */ SELECT 1 /*!50000 , 2 */ -- tail\n ;  ; SELECT 2; -- c\n";
  const analysis = classifySql(sql);
  assert.equal(analysis.firstStatement, "SELECT 1 /*!50000 , 2 */");
  assert.ok(sql.includes(analysis.firstStatement));
  assert.equal(analysis.ignoredStatements, 1);
});

Deno.test("classifySql() counts ignored statements, skipping empty ones", () => {
  assert.equal(classifySql("SELECT 1;").ignoredStatements, 0);
  assert.equal(classifySql("SELECT 1; ; /* c */ ;").ignoredStatements, 0);
  assert.equal(classifySql("SELECT 1; SELECT 2; DROP TABLE t").ignoredStatements, 2);
});

Deno.test("classifySql() refuses an empty statement", () => {
  for (const sql of ["", "   ", "-- only a comment", "; SELECT 1"]) {
    const analysis = classifySql(sql);
    assert.equal(analysis.verb, "", sql);
    assert.equal(analysis.category, "other", sql);
    assert.equal(analysis.refusal, "the statement is empty", sql);
  }
});

Deno.test("classifySql() counts positional placeholders in the first statement", () => {
  assert.equal(
    classifySql("SELECT ? FROM t WHERE a = ? AND b = '?'; SELECT ?").positionalParams,
    2,
  );
});

Deno.test("classifySql() names databases of three-part names and routine calls", () => {
  assert.deepEqual(classifySql("SELECT a.b.c, d.f(1), t.col FROM t").databases, ["a", "d"]);
});

Deno.test("classifySql() names databases in table positions", () => {
  const cases: [string, string[]][] = [
    ["SELECT * FROM shop.orders o JOIN other.x ON o.id = x.id", ["shop", "other"]],
    ["SELECT * FROM a.t1, b.t2 AS z, c.t3 z3 WHERE 1", ["a", "b", "c"]],
    ["SELECT * FROM t1 LEFT OUTER JOIN a.t2 USING (id) STRAIGHT_JOIN b.t3 ON 1", ["a", "b"]],
    ["SELECT * FROM t1 JOIN t2 ON t1.a = t2.a, x.t3", ["x"]],
    ["SELECT * FROM (a.t1, b.t2)", ["a", "b"]],
    ["SELECT * FROM (SELECT * FROM a.t) d, b.u", ["a", "b"]],
    ["SELECT * FROM t WHERE id IN (SELECT id FROM a.u)", ["a"]],
    ["UPDATE a.t1, b.t2 SET t1.x = t2.y", ["a", "b"]],
    ["UPDATE LOW_PRIORITY a.t SET x = 1", ["a"]],
    ["DELETE FROM a.t WHERE 1", ["a"]],
    ["DELETE t1, b.t2 FROM a.t1 JOIN b.t2", ["b", "a"]],
    ["DELETE FROM t1 USING t1 JOIN c.t2", ["c"]],
    ["INSERT INTO a.t SELECT * FROM b.u", ["a", "b"]],
    ["INSERT a.t VALUES (1)", ["a"]],
    ["REPLACE INTO a.t VALUES (1)", ["a"]],
    ["TABLE a.t", ["a"]],
    ["DESCRIBE a.t", ["a"]],
    ["EXPLAIN a.t", ["a"]],
    ["SHOW TABLES FROM a", ["a"]],
    ["SHOW FULL TABLES IN a LIKE 'x%'", ["a"]],
    ["SHOW TABLE STATUS FROM a", ["a"]],
    ["SHOW TRIGGERS IN a", ["a"]],
    ["SHOW COLUMNS FROM t FROM a", ["a"]],
    ["SHOW INDEX FROM t IN a", ["a"]],
    ["SHOW KEYS FROM a.t", ["a"]],
    ["SHOW COLUMNS FROM t", []],
    ["SHOW CREATE TABLE a.t", ["a"]],
    ["SHOW CREATE VIEW a.v", ["a"]],
    ["SHOW CREATE DATABASE a", ["a"]],
    ["SELECT * FROM `my db`.`t`", ["my db"]],
    ["SELECT * FROM `a``b`.t", ["a`b"]],
    ["SELECT * FROM a.t, a.u, A.v", ["a", "A"]],
    ["SELECT TRIM(BOTH 'x' FROM t.c), EXTRACT(YEAR FROM t.d) FROM t", []],
    ["SELECT t.col FROM t", []],
    ["WITH c AS (SELECT * FROM a.t) SELECT * FROM c", ["a"]],
    ["INSERT INTO t SELECT * FROM u ON DUPLICATE KEY UPDATE x = 1, u.y = 2", []],
  ];
  for (const [sql, databases] of cases) {
    assert.deepEqual(classifySql(sql).databases, databases, sql);
  }
});

Deno.test("classifySql() flags SHOW DATABASES and SHOW SCHEMAS", () => {
  assert.equal(classifySql("SHOW DATABASES").listsDatabases, true);
  assert.equal(classifySql("show schemas like 'a%'").listsDatabases, true);
  assert.equal(classifySql("SHOW TABLES").listsDatabases, false);
});

Deno.test("classifySql() refuses backslash quoting that splits under NO_BACKSLASH_ESCAPES", () => {
  const analysis = classifySql(String.raw`SELECT 'a\'; DROP TABLE t; -- '`);
  assert.equal(analysis.ignoredStatements, 0);
  assert.match(analysis.refusal ?? "", /NO_BACKSLASH_ESCAPES/);
  assert.equal(classifySql(String.raw`SELECT 'it\'s'`).refusal, undefined);
});

Deno.test("classifySql() refuses backslash quoting that hides a construct in another mode", () => {
  const analysis = classifySql(String.raw`SELECT '\' INTO OUTFILE '/tmp/x' -- '`);
  assert.equal(analysis.refusal, "INTO OUTFILE writes a file on the server");
  const ansi = classifySql(String.raw`SELECT "\" INTO OUTFILE '/tmp/x' -- "`);
  assert.equal(ansi.refusal, "INTO OUTFILE writes a file on the server");
});

Deno.test("classifySql() refuses pathological nesting instead of throwing", () => {
  const sql = "WITH a AS (".repeat(20000) + "SELECT 1" + ") SELECT 1".repeat(20000);
  const analysis = classifySql(sql);
  assert.equal(analysis.category, "other");
});

Deno.test("classifySql() refuses optimizer hints that change variables or the timeout", () => {
  assert.match(
    classifySql("SELECT /*+ SET_VAR(sql_mode = '') */ 1").refusal ?? "",
    /SET_VAR/,
  );
  assert.match(
    classifySql("SELECT /*+ MAX_EXECUTION_TIME(0) */ * FROM t").refusal ?? "",
    /MAX_EXECUTION_TIME/,
  );
  assert.equal(classifySql("SELECT /*+ BKA(t) NO_ICP(t) */ * FROM t").refusal, undefined);
  assert.equal(classifySql("SELECT /* SET_VAR(x=1) */ 1").refusal, undefined);
});

Deno.test("classifySql() refuses what it does not parse: ANSI-quoted names, other SHOW forms", () => {
  for (
    const sql of [
      'SELECT * FROM "ansi db"."t"',
      "SHOW EVENTS FROM a",
      "SHOW CREATE PROCEDURE a.p",
      "SHOW PROCESSLIST",
      "EXPLAIN FOR CONNECTION 12",
    ]
  ) {
    assert.ok(classifySql(sql).refusal, sql);
  }
});
