/**
 * The SQL gate's acceptance corpus: statements an agent may send, each with what the gate
 * must do with it. Run end to end by `gate_corpus_test.ts` through the real MCP tools on a
 * datasource that logs in as the administrator (an over-privileged account is the threat
 * model: the gate, not the grants, has to hold the allow-list).
 *
 * Placeholders: `{D}` the allow-listed database, `{H}` the hidden one (holds
 * `secrets(id, secret)` with 'do-not-read'), `{F}` a fresh file path in an empty folder.
 *
 * @module
 */

export type Tool = "mysql_query" | "mysql_execute";

/**
 * What a refusal message must say, one pattern per kind of reason (case-insensitive).
 * Adjust the wording here, in one place, if the gate phrases a reason differently.
 */
export const REASONS = {
  not_understood: /not understood|cannot be parsed|is not supported/i,
  database: /names database|not available on datasource|not on the allow-list/i,
  statement_kind:
    /mysql_query runs|only INSERT, UPDATE, DELETE and REPLACE|changes data|is a read statement|is not allowed/i,
  show: /SHOW/i,
  function: /not a built-in function|stored function/i,
  refused_function: /\(\) (reads|takes|releases|burns|blocks|advances|changes|reveals|names)/i,
  variable: /variable/i,
  locking: /lock/i,
  file: /file/i,
  nesting: /nested too deeply|too deep|nested more than|levels deep/i,
  size: /characters long|too long|too large/i,
  withheld: /withheld/i,
  any: /./,
} as const satisfies Record<string, RegExp>;

export type Reason = keyof typeof REASONS;

/**
 * "admit": the gate lets it through (the call does not fail with STATEMENT_NOT_ALLOWED; it
 * must then succeed, or fail with QUERY_EXECUTION_ERROR only when `note` says "mysql8": MySQL 8
 * syntax that MariaDB 10.11 rejects). "either": admitted or refused, as long as nothing it
 * must not reveal comes back. Otherwise the call fails with `code` and a message matching
 * the reason's pattern (several codes or reasons: any one of them).
 */
export type Expect =
  | "admit"
  | "either"
  | { code: string | readonly string[]; reason: Reason | readonly Reason[] };

export interface CorpusEntry {
  tool: Tool;
  sql: string;
  expect: Expect;
  note?: string;
  /**
   * Verified against MariaDB 10.11 as administrator: run directly, the statement works as an
   * attack (returns a secret or hidden catalog rows, changes the hidden row, or runs a
   * statement the gate must never let through). `gate_corpus_test.ts` re-checks each one.
   */
  realBypass?: boolean;
}

const NOT_ALLOWED = "STATEMENT_NOT_ALLOWED";

/** Refused with STATEMENT_NOT_ALLOWED for `reason` (or for any one of several reasons). */
export function refuse(...reasons: Reason[]): Expect {
  return { code: NOT_ALLOWED, reason: reasons.length === 1 ? reasons[0] : reasons };
}

function q(sql: string, expect: Expect, extra: Partial<CorpusEntry> = {}): CorpusEntry {
  return { tool: "mysql_query", sql, expect, ...extra };
}

function e(sql: string, expect: Expect, extra: Partial<CorpusEntry> = {}): CorpusEntry {
  return { tool: "mysql_execute", sql, expect, ...extra };
}

const ADMIT: Expect = "admit";
const BYPASS = { realBypass: true } as const;
const MYSQL8 = { note: "mysql8" } as const;

/** Named locks the corpus may take; none may be held after any entry. */
export const LOCK_NAMES = ["gate_corpus_lock", "gate_lock_a", "gate_lock_b"] as const;

/**
 * Objects the corpus needs, created as administrator before it runs (idempotent: each run
 * has its own `{D}` and `{H}`) and dropped after it. One statement per string.
 */
export const SETUP_SQL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS {D}.gate_versioned (id INT PRIMARY KEY, v VARCHAR(20))
     WITH SYSTEM VERSIONING`,
  "INSERT IGNORE INTO {D}.gate_versioned VALUES (1, 'one'), (2, 'two')",
  `CREATE TABLE IF NOT EXISTS {D}.gate_parts (id INT PRIMARY KEY, v VARCHAR(20))
     PARTITION BY HASH (id) PARTITIONS 2`,
  "INSERT IGNORE INTO {D}.gate_parts VALUES (1, 'a'), (2, 'b')",
  `CREATE TABLE IF NOT EXISTS {D}.gate_docs (id INT PRIMARY KEY, body TEXT, doc JSON,
     FULLTEXT KEY ft_body (body))`,
  `INSERT IGNORE INTO {D}.gate_docs VALUES
     (1, 'the quick brown fox', '{"a": [1, 2, {"b": 3}], "n": "x"}'),
     (2, 'lazy dogs sleep', '{"a": [4], "n": "y"}')`,
  "CREATE TABLE IF NOT EXISTS {D}.gate_scratch (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(50))",
  "CREATE SEQUENCE IF NOT EXISTS {D}.gate_seq",
  "CREATE OR REPLACE VIEW {D}.gate_view AS SELECT id, name FROM {D}.customers",
  // Views in the allowed database over what the allow-list hides: only the second layer
  // (result columns' schemas) can tell.
  "CREATE OR REPLACE VIEW {D}.gate_leak_view AS SELECT id, secret FROM {H}.secrets",
  `CREATE OR REPLACE FUNCTION {D}.gate_set_global() RETURNS INT
     BEGIN SET GLOBAL max_connections = 777; RETURN 1; END`,
  "CREATE OR REPLACE FUNCTION {D}.gate_lock() RETURNS INT RETURN GET_LOCK('gate_corpus_lock', 0)",
  `CREATE OR REPLACE FUNCTION {D}.gate_peek() RETURNS VARCHAR(50) READS SQL DATA
     RETURN (SELECT secret FROM {H}.secrets LIMIT 1)`,
  "CREATE OR REPLACE FUNCTION {D}.gate_pure(x INT) RETURNS INT DETERMINISTIC RETURN x + 1",
  `CREATE OR REPLACE FUNCTION {D}.gate_setvar() RETURNS INT
     BEGIN SET @gate_var = 42; RETURN 1; END`,
  "CREATE OR REPLACE FUNCTION {H}.gate_hidden_fn() RETURNS INT RETURN 7",
];

/** Undoes what a wrongly admitted DDL/DCL entry of the corpus would have created. */
export const CLEANUP_SQL: readonly string[] = [
  "DROP TABLE IF EXISTS {D}.gate_evil, {D}.gate_evil2",
  "DROP USER IF EXISTS 'gate_evil'@'%', 'gate_evil'@'localhost'",
  "ALTER TABLE IF EXISTS {D}.gate_scratch DROP COLUMN IF EXISTS evil",
  "ALTER SEQUENCE IF EXISTS {D}.gate_seq RESTART",
];

/** Drops everything SETUP_SQL (and a wrongly admitted entry) may have created. */
export const TEARDOWN_SQL: readonly string[] = [
  ...CLEANUP_SQL,
  "DROP VIEW IF EXISTS {D}.gate_view, {D}.gate_leak_view",
  "DROP TABLE IF EXISTS {D}.gate_versioned, {D}.gate_parts, {D}.gate_docs, {D}.gate_scratch",
  "DROP SEQUENCE IF EXISTS {D}.gate_seq",
  "DROP FUNCTION IF EXISTS {D}.gate_set_global",
  "DROP FUNCTION IF EXISTS {D}.gate_lock",
  "DROP FUNCTION IF EXISTS {D}.gate_peek",
  "DROP FUNCTION IF EXISTS {D}.gate_pure",
  "DROP FUNCTION IF EXISTS {D}.gate_setvar",
  "DROP FUNCTION IF EXISTS {H}.gate_hidden_fn",
];

/** The rows `{D}.gate_scratch` is reset to before every mysql_execute entry. */
export const SCRATCH_ROWS = "(1, 'a'), (2, 'b'), (3, 'c')";

/**
 * Non-reserved MariaDB 10.11 keywords (and a few plain words with a meaning in some other
 * position: OJ, LATERAL, D, TS, FN) that MariaDB accepts as a table alias without AS and as a
 * column qualifier: each verified with `SELECT kw.id, s.secret FROM orders kw, hidden.secrets
 * s`, which returned the secret. (441 of MariaDB's 696 keywords pass that test; AS adds none.)
 */
export const KEYWORD_ALIASES: readonly string[] = [
  "value",
  "duplicate",
  "status",
  "date",
  "time",
  "name",
  "comment",
  "first",
  "last",
  "level",
  "user",
  "data",
  "action",
  "engine",
  "key_block_size",
  "system_time",
  "system",
  "versioning",
  "nowait",
  "skip",
  "locked",
  "share",
  "mode",
  "only",
  "of",
  "temporary",
  "next",
  "nextval",
  "setval",
  "lastval",
  "previous",
  "json_table",
  "nested",
  "ordinality",
  "path",
  "empty",
  "escape",
  "full",
  "global",
  "session",
  "local",
  "quick",
  "sql_cache",
  "sql_no_cache",
  "sql_buffer_result",
  "rollup",
  "cube",
  "period",
  "history",
  "timestamp",
  "transaction",
  "start",
  "end",
  "begin",
  "commit",
  "handler",
  "prepare",
  "execute",
  "do",
  "flush",
  "truncate",
  "grants",
  "processlist",
  "master",
  "server",
  "file",
  "dumpfile",
  "view",
  "event",
  "type",
  "json",
  "sequence",
  "wait",
  "row",
  "rownum",
  "any",
  "some",
  "at",
  "against",
  "sounds",
  "columns",
  "tables",
  "database",
  "schema",
  "fields",
  "variables",
  "warnings",
  "errors",
  "partitions",
  "invisible",
  "oj",
  "lateral",
  "d",
  "ts",
  "fn",
];

/** Refused promptly, for its depth or for its length (a cap on the SQL text is fine too). */
const TOO_BIG: Expect = { code: [NOT_ALLOWED, "INVALID_ARGUMENT"], reason: ["nesting", "size"] };

/** Deep nesting: each shape is one MariaDB itself rejects at once should the gate let it by. */
function nesting(): CorpusEntry[] {
  const n = 2_000;
  return [
    q("SELECT " + "(SELECT ".repeat(n) + "1" + ")".repeat(n), refuse("nesting"), {
      note: "2,000 nested scalar subqueries (MariaDB: too high level of nesting)",
    }),
    q(
      "WITH a AS (".repeat(n) + "SELECT 1" + ") SELECT * FROM a".repeat(n),
      refuse("nesting"),
      { note: "2,000 nested CTEs" },
    ),
    q("WITH a AS (".repeat(80_000) + "SELECT 1", TOO_BIG, {
      note: "~900 KB of `WITH a AS (` (the issue's 34 s of analysis); refused for its depth or " +
        "its length, promptly; MariaDB: memory exhausted",
    }),
    q("WITH a AS (".repeat(9_000) + "SELECT 1", refuse("nesting"), {
      note: "~100 KB of `WITH a AS (`, under the length cap",
    }),
    q(
      "SELECT * FROM " + "(SELECT * FROM ".repeat(n) + "orders" + ") d".repeat(n),
      refuse("nesting"),
      {
        note: "2,000 nested derived tables",
      },
    ),
    q("SELECT " + "(".repeat(100_000) + "1" + ")".repeat(100_000), TOO_BIG, {
      note: "100,000 nested parentheses in an expression (200 KB); MariaDB: memory exhausted",
    }),
    q("SELECT " + "(".repeat(30_000) + "1" + ")".repeat(30_000), refuse("nesting"), {
      note: "30,000 nested parentheses in an expression (60 KB)",
    }),
    q("SELECT 1 FROM " + "(".repeat(n) + "orders" + ")".repeat(n), refuse("nesting"), {
      note: "2,000 nested parentheses around a table reference",
    }),
    q("WITH a AS (".repeat(40) + "SELECT 1", refuse("nesting"), {
      note:
        "40 nested CTEs, left open so MariaDB rejects it at once. Closed, 25 to 63 nested CTEs " +
        "make MariaDB 10.11 parse for seconds to days in a thread KILL cannot stop (30 levels: " +
        "7 s); the gate's limit for nested WITH must sit below that",
    }),
    q(
      "WITH a AS (".repeat(26) + "SELECT 1" + ") SELECT * FROM a".repeat(26),
      refuse("nesting"),
      {
        note: "26 nested CTEs: MariaDB 10.11 parses nested WITH in time that doubles per level " +
          "(24: 0.2 s, 26: 0.8 s, 28: 2.7 s, 30: 7 s, 40: hours) in a thread KILL and " +
          "max_statement_time cannot stop; the gate must refuse well before (~1 s if admitted)",
      },
    ),
    q(
      "WITH c0 AS (SELECT 1 AS x), " +
        Array.from({ length: 10 }, (_, i) => `c${i + 1} AS (SELECT p.x FROM c${i} p, c${i} q)`)
          .join(", ") +
        " SELECT * FROM c10",
      refuse("any"),
      {
        note: "flat, not nested: each CTE joins the previous one twice, 2^n references. MariaDB " +
          "10.11 prepares 8 of them in 0.1 s, 12 in 2.4 s, 14 in 14 s, 16 in minutes, unkillable " +
          "(state 'init'); the gate must bound CTE expansion (~0.5 s if admitted)",
      },
    ),
    q(
      "WITH c0 AS (SELECT 1 AS x), c1 AS (SELECT p.x FROM c0 p, c0 q), c2 AS (SELECT p.x FROM c1 p, c1 q) SELECT * FROM c2",
      ADMIT,
    ),
    q("SELECT " + "(SELECT ".repeat(8) + "1" + ")".repeat(8), ADMIT, {
      note: "ordinary nesting stays admitted",
    }),
    q(
      "WITH a AS (".repeat(4) + "SELECT 1 AS x" + ") SELECT x FROM a".repeat(4),
      ADMIT,
      { note: "four nested CTEs stay admitted" },
    ),
    q(
      "SELECT * FROM (SELECT * FROM (SELECT * FROM (SELECT id FROM orders) a) b) c",
      ADMIT,
    ),
  ];
}

/** Keyword aliases: admitted over allowed tables, refused whenever a hidden table follows. */
function keywordAliases(): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  // Every verified keyword alias, admitted: bare in a comma join, or with AS before JOIN.
  for (const [i, kw] of KEYWORD_ALIASES.entries()) {
    out.push(
      i % 2 === 0
        ? q(
          `SELECT ${kw}.id, c.name FROM orders ${kw}, customers c WHERE c.id = ${kw}.customer_id`,
          ADMIT,
        )
        : q(
          `SELECT ${kw}.status FROM orders AS ${kw} JOIN customers c ON c.id = ${kw}.customer_id`,
          ADMIT,
        ),
    );
  }
  const bareRefuse = [
    "value",
    "status",
    "date",
    "time",
    "name",
    "comment",
    "first",
    "last",
    "level",
    "user",
    "data",
    "action",
    "engine",
    "key_block_size",
    "system_time",
    "versioning",
    "nowait",
    "skip",
    "locked",
    "share",
    "mode",
    "of",
    "next",
    "json_table",
    "nested",
    "ordinality",
    "history",
    "oj",
    "lateral",
    "any",
    "some",
    "ts",
  ];
  for (const kw of bareRefuse) {
    out.push(q(`SELECT s.secret FROM orders ${kw}, {H}.secrets s`, refuse("database"), BYPASS));
  }
  for (const kw of ["value", "status", "system", "rollup", "global", "handler", "row", "fn"]) {
    out.push(
      q(`SELECT s.secret FROM customers AS ${kw}, {H}.secrets s`, refuse("database"), BYPASS),
    );
  }
  for (const kw of ["comment", "user", "escape", "wait", "dumpfile"]) {
    out.push(
      q(
        `SELECT s.secret FROM orders ${kw} JOIN {H}.secrets s ON 1 = 1`,
        refuse("database"),
        BYPASS,
      ),
    );
  }
  out.push(
    q("SELECT value.secret FROM {H}.secrets value", refuse("database"), BYPASS),
    q("SELECT status.secret FROM {H}.secrets AS status", refuse("database"), BYPASS),
    q("SELECT s.secret FROM {D}.orders user, {H}.secrets s", refuse("database"), BYPASS),
    q("SELECT s.secret FROM `{D}`.`orders` `value`, `{H}`.`secrets` s", refuse("database"), BYPASS),
    q("SELECT s.secret FROM (SELECT 1 AS x) value, {H}.secrets s", refuse("database"), BYPASS),
    q(
      "SELECT s.secret FROM (SELECT id FROM orders) AS date, {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT s.secret FROM orders value, customers status, {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT u.User FROM orders comment, mysql.user u",
      refuse("database"),
      BYPASS,
    ),
  );
  // Writes: the same shapes through mysql_execute.
  for (const kw of ["status", "comment", "user", "first", "begin"]) {
    out.push(
      e(`UPDATE orders ${kw}, {H}.secrets s SET s.secret = 'pwned'`, refuse("database"), BYPASS),
    );
  }
  for (const kw of ["value", "duplicate", "level", "data"]) {
    out.push(e(`DELETE s FROM customers ${kw}, {H}.secrets s`, refuse("database"), BYPASS));
  }
  for (const kw of ["name", "action", "processlist"]) {
    out.push(
      e(
        `INSERT INTO gate_scratch (v) SELECT s.secret FROM orders ${kw}, {H}.secrets s`,
        refuse("database"),
        BYPASS,
      ),
    );
  }
  out.push(
    e("UPDATE gate_scratch value JOIN orders o ON o.id = value.id SET value.v = o.status", ADMIT),
    e(
      "UPDATE gate_scratch status, orders duplicate SET status.v = duplicate.total WHERE status.id = duplicate.id",
      ADMIT,
    ),
    e("DELETE value FROM gate_scratch value, orders o WHERE value.id = o.id + 100", ADMIT),
    e(
      "DELETE FROM value USING gate_scratch value, orders status WHERE value.id = status.id + 100",
      ADMIT,
    ),
    e(
      "INSERT INTO gate_scratch (v) SELECT comment.status FROM orders comment, customers user",
      ADMIT,
    ),
  );
  return out;
}

/** Everything else, construct by construct. */
function constructs(): CorpusEntry[] {
  return [
    // ---- The examples, verbatim where it gives them.
    q("SELECT s.secret FROM orders duplicate, {H}.secrets s", refuse("database"), BYPASS),
    q(
      "SELECT s.secret FROM orders USE INDEX FOR ORDER BY (PRIMARY), {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT s.secret FROM gate_versioned FOR SYSTEM_TIME ALL, {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    q("SELECT secret FROM {OJ {H}.secrets}", refuse("database"), BYPASS),
    q(
      "SELECT t.TABLE_NAME FROM orders duplicate, information_schema.TABLES t WHERE t.TABLE_SCHEMA = '{H}'",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT u.User, u.Password, u.authentication_string FROM orders value, mysql.user u",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT t.TABLE_NAME FROM orders USE INDEX FOR ORDER BY (PRIMARY), information_schema.TABLES t WHERE t.TABLE_SCHEMA = '{H}'",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT u.authentication_string FROM gate_versioned FOR SYSTEM_TIME ALL, mysql.user u",
      refuse("database"),
      BYPASS,
    ),
    q("SELECT authentication_string FROM {OJ mysql.user}", refuse("database"), BYPASS),
    q(
      "SELECT TABLE_NAME FROM {OJ information_schema.TABLES} WHERE TABLE_SCHEMA = '{H}'",
      refuse("database"),
      BYPASS,
    ),
    e("UPDATE orders value, {H}.secrets s SET s.secret = 'pwned'", refuse("database"), BYPASS),
    e("DELETE s FROM orders value, {H}.secrets s", refuse("database"), BYPASS),
    e(
      "INSERT INTO gate_scratch (v) SELECT s.secret FROM orders duplicate, {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    e(
      "UPDATE orders USE INDEX FOR ORDER BY (PRIMARY), {H}.secrets s SET s.secret = 'pwned'",
      refuse("database"),
      BYPASS,
    ),
    e(
      "UPDATE gate_versioned FOR SYSTEM_TIME ALL, {H}.secrets s SET s.secret = 'pwned'",
      refuse("database"),
      BYPASS,
    ),
    e("DELETE FROM s USING orders duplicate, {H}.secrets s", refuse("database"), BYPASS),
    e(
      "INSERT INTO gate_scratch (v) SELECT secret FROM {OJ {H}.secrets}",
      refuse("database"),
      BYPASS,
    ),
    e(
      "REPLACE INTO gate_scratch (v) SELECT s.secret FROM orders status, {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    q("SHOW BINLOG EVENTS", refuse("show"), BYPASS),
    q("SHOW FULL PROCESSLIST", refuse("show"), BYPASS),
    q("SHOW PROCESSLIST", refuse("show"), BYPASS),
    q("SHOW ENGINE INNODB STATUS", refuse("show"), BYPASS),
    q("SHOW EXPLAIN FOR 1", refuse("show")),
    q("EXPLAIN FOR CONNECTION 1", refuse("any"), {
      note: "MariaDB 10.9+ spelling of SHOW EXPLAIN FOR: another session's plan",
    }),
    q("SHOW ANALYZE FOR 1", refuse("show")),
    q("SELECT gate_set_global()", refuse("function"), BYPASS),
    q("SELECT gate_lock()", refuse("function"), BYPASS),
    q("SELECT gate_peek()", refuse("function"), BYPASS),
    q("SHOW GLOBAL VARIABLES LIKE '%dir%'", "either", {
      note: "admitted with the path rows filtered out, or refused",
    }),
    q("SHOW VARIABLES WHERE Variable_name = 'datadir'", "either"),
    q("SHOW SESSION VARIABLES LIKE 'sql_mode'", "either"),
    q("SELECT LAST_INSERT_ID(4242)", ADMIT, {
      note: "admitted, and the connection is reset before the next caller gets it",
    }),

    // ---- Index hints.
    q("SELECT id FROM orders USE INDEX (idx_status_created) WHERE status = 'paid'", ADMIT),
    q("SELECT id FROM orders FORCE INDEX FOR JOIN (PRIMARY) WHERE id > 0", ADMIT),
    q(
      "SELECT status, COUNT(*) FROM orders IGNORE INDEX FOR GROUP BY (idx_status_created) GROUP BY status",
      ADMIT,
    ),
    q(
      "SELECT id FROM orders USE KEY FOR ORDER BY (PRIMARY, idx_status_created) ORDER BY id",
      ADMIT,
    ),
    q(
      "SELECT o.id FROM orders AS o USE INDEX () IGNORE KEY (idx_status_created) ORDER BY o.id",
      ADMIT,
    ),
    q(
      "SELECT o.id FROM orders o USE INDEX FOR ORDER BY (PRIMARY), customers c WHERE c.id = o.customer_id",
      ADMIT,
    ),
    q(
      "SELECT c.id FROM customers c FORCE KEY (PRIMARY) JOIN orders o IGNORE INDEX (idx_status_created) ON o.customer_id = c.id",
      ADMIT,
    ),
    q("SELECT s.secret FROM orders USE INDEX (PRIMARY), {H}.secrets s", refuse("database"), BYPASS),
    q(
      "SELECT s.secret FROM orders IGNORE INDEX FOR GROUP BY (idx_status_created), {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT s.secret FROM orders value FORCE KEY FOR JOIN (PRIMARY), {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    q("SELECT s.secret FROM orders USE INDEX (), {H}.secrets s", refuse("database"), BYPASS),
    q(
      "SELECT s.secret FROM orders AS o IGNORE KEY FOR ORDER BY (PRIMARY) JOIN {H}.secrets s ON 1 = 1",
      refuse("database"),
      BYPASS,
    ),
    q("SELECT s.secret FROM {H}.secrets s FORCE INDEX (PRIMARY)", refuse("database"), BYPASS),
    q(
      "SELECT u.User FROM orders USE INDEX FOR ORDER BY (PRIMARY) USE INDEX FOR GROUP BY (PRIMARY), mysql.user u",
      refuse("database"),
      BYPASS,
    ),
    e(
      "UPDATE orders IGNORE INDEX (idx_status_created), {H}.secrets s SET s.secret = 'pwned'",
      refuse("database"),
      BYPASS,
    ),
    e("DELETE s FROM orders FORCE INDEX (PRIMARY), {H}.secrets s", refuse("database"), BYPASS),
    e(
      "UPDATE orders FORCE INDEX (PRIMARY) JOIN {H}.secrets s SET s.secret = 'pwned'",
      refuse("database"),
      BYPASS,
    ),

    // ---- PARTITION.
    q("SELECT * FROM gate_parts PARTITION (p0)", ADMIT),
    q("SELECT * FROM gate_parts PARTITION (p0, p1) AS value USE INDEX (PRIMARY)", ADMIT),
    q("SELECT p.v FROM gate_parts PARTITION (p1) p JOIN orders o ON o.id = p.id", ADMIT),
    q("SELECT p.v FROM gate_parts PARTITION (p1) p, orders o WHERE o.id = p.id", ADMIT),
    e("UPDATE gate_parts PARTITION (p0) SET v = v WHERE id = 2", ADMIT),
    e("DELETE FROM gate_parts PARTITION (p1) WHERE id = -1", ADMIT),
    e("INSERT INTO gate_scratch (v) SELECT v FROM gate_parts PARTITION (p0)", ADMIT),
    q("SELECT s.secret FROM gate_parts PARTITION (p0), {H}.secrets s", refuse("database"), BYPASS),
    q(
      "SELECT s.secret FROM gate_parts PARTITION (p0) value, {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT s.secret FROM gate_parts PARTITION (p0, p1) AS p USE INDEX (PRIMARY), {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    q("SELECT * FROM {H}.secrets PARTITION (p0)", refuse("database")),
    e(
      "UPDATE gate_parts PARTITION (p0) value, {H}.secrets s SET s.secret = 'pwned'",
      refuse("database"),
      BYPASS,
    ),
    e("DELETE s FROM gate_parts PARTITION (p1) p, {H}.secrets s", refuse("database"), BYPASS),

    // ---- FOR SYSTEM_TIME.
    q("SELECT * FROM gate_versioned FOR SYSTEM_TIME ALL", ADMIT),
    q(
      "SELECT * FROM gate_versioned FOR SYSTEM_TIME AS OF TIMESTAMP '2030-01-01 00:00:00' AS v",
      ADMIT,
    ),
    q("SELECT * FROM gate_versioned FOR SYSTEM_TIME AS OF NOW() v", ADMIT),
    q(
      "SELECT * FROM gate_versioned FOR SYSTEM_TIME BETWEEN TIMESTAMP '2000-01-01 00:00:00' AND TIMESTAMP '2100-01-01 00:00:00' v",
      ADMIT,
    ),
    q(
      "SELECT * FROM gate_versioned FOR SYSTEM_TIME FROM '2000-01-01' TO '2100-01-01' history",
      ADMIT,
    ),
    q(
      "SELECT v.id, o.total FROM gate_versioned FOR SYSTEM_TIME ALL v JOIN orders o ON o.id = v.id",
      ADMIT,
    ),
    q(
      "SELECT * FROM gate_versioned FOR SYSTEM_TIME AS OF (SELECT MAX(created_at) FROM orders)",
      ADMIT,
    ),
    q("SELECT id, ROW_START, ROW_END FROM gate_versioned FOR SYSTEM_TIME ALL", ADMIT),
    q(
      "SELECT s.secret FROM gate_versioned FOR SYSTEM_TIME AS OF TIMESTAMP '2030-01-01 00:00:00' AS v, {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT s.secret FROM gate_versioned FOR SYSTEM_TIME BETWEEN TIMESTAMP '2000-01-01 00:00:00' AND NOW() value, {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT s.secret FROM gate_versioned FOR SYSTEM_TIME FROM '2000-01-01' TO '2100-01-01' JOIN {H}.secrets s ON 1 = 1",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT * FROM gate_versioned FOR SYSTEM_TIME AS OF (SELECT NOW() FROM {H}.secrets LIMIT 1)",
      refuse("database"),
    ),
    q(
      "SELECT u.User FROM gate_versioned FOR SYSTEM_TIME AS OF NOW() v USE INDEX (PRIMARY), mysql.user u",
      refuse("database"),
      BYPASS,
    ),
    e(
      "DELETE FROM s USING gate_versioned FOR SYSTEM_TIME ALL, {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),

    // ---- ODBC escapes: {OJ ...} and MariaDB's {ident ...} (any identifier).
    q("SELECT * FROM {OJ orders o LEFT OUTER JOIN customers c ON c.id = o.customer_id}", ADMIT),
    q(
      "SELECT o.id FROM {oj orders o LEFT JOIN customers c ON c.id = o.customer_id} WHERE o.id > 1",
      ADMIT,
    ),
    q("SELECT {d '2024-01-01'}, {ts '2024-01-01 10:00:00'}, {t '10:00:00'}", ADMIT),
    q("SELECT {fn CONCAT('a', 'b')}", ADMIT),
    q("SELECT id FROM orders WHERE created_at > {ts '2024-02-01 00:00:00'}", ADMIT),
    q("SELECT * FROM {OJ orders}", ADMIT),
    q(
      "SELECT * FROM {OJ orders o LEFT OUTER JOIN {H}.secrets s ON 1 = 1}",
      refuse("database"),
      BYPASS,
    ),
    q("SELECT * FROM {anything {H}.secrets}", refuse("database"), BYPASS),
    q("SELECT * FROM {OJ (orders o JOIN {H}.secrets s ON 1 = 1)}", refuse("database"), BYPASS),
    q("SELECT {x (SELECT secret FROM {H}.secrets)}", refuse("database"), BYPASS),
    q("SELECT {d (SELECT secret FROM {H}.secrets)}", refuse("database"), BYPASS),
    q(
      "SELECT s.secret FROM orders o, {OJ customers c LEFT JOIN {H}.secrets s ON s.id = c.id}",
      refuse("database"),
      BYPASS,
    ),
    q("SELECT {fn CONCAT((SELECT secret FROM {H}.secrets), '')}", refuse("database"), BYPASS),
    q(
      "SELECT s.secret FROM {OJ orders value LEFT JOIN customers c ON 1 = 1}, {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    e(
      "UPDATE {OJ orders o LEFT JOIN {H}.secrets s ON 1 = 1} SET s.secret = 'pwned'",
      refuse("database"),
      BYPASS,
    ),
    e("DELETE s FROM {OJ {H}.secrets s}", refuse("database"), BYPASS),
    e(
      "INSERT INTO gate_scratch (v) SELECT s.secret FROM {OJ {H}.secrets s}",
      refuse("database"),
      BYPASS,
    ),

    // ---- Derived tables.
    q("SELECT * FROM (SELECT id, total FROM orders) AS d", ADMIT),
    q("SELECT d.n FROM (SELECT COUNT(*) AS n FROM orders) d", ADMIT),
    q("SELECT * FROM (SELECT * FROM (SELECT id FROM customers) AS inner1) AS outer1", ADMIT),
    q("SELECT d.x FROM (SELECT 1 AS a, 2 AS b) d (x, y)", ADMIT, MYSQL8),
    q("SELECT * FROM ((SELECT id FROM orders) UNION (SELECT id FROM customers)) AS u", ADMIT),
    q(
      "SELECT value.id FROM (SELECT id FROM orders) value JOIN customers c ON c.id = value.id",
      ADMIT,
    ),
    q("SELECT * FROM (SELECT secret FROM {H}.secrets) AS d", refuse("database"), BYPASS),
    q("SELECT * FROM (SELECT 1 AS x) d, {H}.secrets s", refuse("database"), BYPASS),
    q("SELECT * FROM (SELECT * FROM orders) value, {H}.secrets s", refuse("database"), BYPASS),
    q("SELECT * FROM (SELECT * FROM (SELECT * FROM {H}.secrets) a) b", refuse("database"), BYPASS),
    q("SELECT d.x FROM (SELECT secret FROM {H}.secrets) d (x)", refuse("database"), MYSQL8),
    q(
      "SELECT * FROM ((SELECT id FROM orders) UNION (SELECT secret FROM {H}.secrets)) AS u",
      refuse("database"),
      BYPASS,
    ),

    // ---- LATERAL (MySQL 8; MariaDB 10.11 reads LATERAL as an alias).
    q(
      "SELECT c.name, x.n FROM customers c, LATERAL (SELECT COUNT(*) AS n FROM orders o WHERE o.customer_id = c.id) AS x",
      ADMIT,
      MYSQL8,
    ),
    q(
      "SELECT c.name, x.id FROM customers c JOIN LATERAL (SELECT o.id FROM orders o WHERE o.customer_id = c.id LIMIT 1) x ON TRUE",
      ADMIT,
      MYSQL8,
    ),
    q(
      "SELECT c.name FROM customers c LEFT JOIN LATERAL (SELECT 1 AS one) x ON 1 = 1",
      ADMIT,
      MYSQL8,
    ),
    q("SELECT lateral.id FROM orders lateral", ADMIT),
    q("SELECT * FROM orders lateral, customers c WHERE c.id = lateral.customer_id", ADMIT),
    q(
      "SELECT x.secret FROM customers c, LATERAL (SELECT secret FROM {H}.secrets) AS x",
      refuse("database"),
      MYSQL8,
    ),
    q(
      "SELECT * FROM customers c JOIN LATERAL (SELECT s.secret FROM {H}.secrets s WHERE s.id = c.id) x ON TRUE",
      refuse("database"),
      MYSQL8,
    ),
    q(
      "SELECT s.secret FROM orders AS lateral JOIN {H}.secrets s ON 1 = 1",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT * FROM customers c, LATERAL (SELECT 1) AS x, {H}.secrets s",
      refuse("database"),
      MYSQL8,
    ),

    // ---- JSON_TABLE.
    q(
      "SELECT jt.v FROM gate_docs d, JSON_TABLE(d.doc, '$.a[*]' COLUMNS (v INT PATH '$')) AS jt",
      ADMIT,
    ),
    q("SELECT jt.* FROM JSON_TABLE('[1,2]', '$[*]' COLUMNS (v INT PATH '$')) jt", ADMIT),
    q(
      `SELECT jt.* FROM JSON_TABLE('{"a":[{"b":[1,2]}]}', '$.a[*]' COLUMNS (n FOR ORDINALITY, NESTED PATH '$.b[*]' COLUMNS (b INT PATH '$'))) AS jt`,
      ADMIT,
    ),
    q(
      "SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (v INT PATH '$' DEFAULT '0' ON EMPTY, e INT EXISTS PATH '$.x')) jt",
      ADMIT,
    ),
    q(
      "SELECT value.n FROM gate_docs d JOIN JSON_TABLE(d.doc, '$' COLUMNS (n VARCHAR(10) PATH '$.n')) AS value ON TRUE",
      ADMIT,
    ),
    q(
      `SELECT * FROM JSON_TABLE('[{"x":1}]', '$[*]' COLUMNS (x INT PATH '$.x' NULL ON ERROR)) AS jt WHERE jt.x = 1`,
      ADMIT,
    ),
    q(
      "SELECT * FROM JSON_TABLE((SELECT JSON_ARRAY(secret) FROM {H}.secrets), '$[*]' COLUMNS (v TEXT PATH '$')) jt",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (v INT PATH '$')) value, {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (v INT PATH '$')) AS jt JOIN {H}.secrets s ON s.id = jt.v",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT * FROM gate_docs d, JSON_TABLE(d.doc, '$.a[*]' COLUMNS (n FOR ORDINALITY, NESTED PATH '$' COLUMNS (v INT PATH '$'))) jt, {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT jt.v FROM {H}.secrets s, JSON_TABLE(JSON_ARRAY(s.secret), '$[*]' COLUMNS (v TEXT PATH '$')) jt",
      refuse("database"),
      BYPASS,
    ),

    // ---- CTEs, including names that shadow real tables and databases.
    q("WITH c AS (SELECT id, name FROM customers) SELECT * FROM c", ADMIT),
    q(
      "WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r",
      ADMIT,
    ),
    q("WITH orders AS (SELECT 1 AS id) SELECT * FROM orders", ADMIT),
    q("WITH secrets AS (SELECT 'public' AS secret) SELECT secret FROM secrets", ADMIT),
    q("WITH a AS (SELECT 1 AS x), b AS (SELECT x + 1 AS y FROM a) SELECT * FROM a, b", ADMIT),
    q(
      "WITH value AS (SELECT id FROM orders) SELECT * FROM value, customers c WHERE c.id = value.id",
      ADMIT,
    ),
    q("SELECT * FROM (WITH x AS (SELECT 1 AS a) SELECT a FROM x) d", ADMIT),
    q("WITH c AS (SELECT * FROM {H}.secrets) SELECT * FROM c", refuse("database"), BYPASS),
    q("WITH {H} AS (SELECT 1 AS x) SELECT * FROM {H}.secrets", refuse("database"), BYPASS),
    q("WITH secrets AS (SELECT 1) SELECT * FROM {H}.secrets", refuse("database"), BYPASS),
    q(
      "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r, {H}.secrets WHERE n < 3) SELECT * FROM r",
      refuse("database"),
    ),
    q(
      "WITH c AS (SELECT 1) SELECT s.secret FROM c value, {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    q(
      "WITH a AS (SELECT 1), b AS (SELECT secret FROM {H}.secrets) SELECT * FROM a",
      refuse("database"),
    ),
    q(
      "WITH c AS (SELECT * FROM information_schema.TABLES) SELECT TABLE_NAME FROM c",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT * FROM (WITH x AS (SELECT secret FROM {H}.secrets) SELECT * FROM x) d",
      refuse("database"),
      BYPASS,
    ),
    e("WITH c AS (SELECT 1) UPDATE {H}.secrets SET secret = 'pwned'", refuse("database"), MYSQL8),
    e(
      "WITH c AS (SELECT secret FROM {H}.secrets) UPDATE gate_scratch SET v = (SELECT secret FROM c)",
      refuse("database"),
      MYSQL8,
    ),
    e(
      "INSERT INTO gate_scratch (v) WITH c AS (SELECT secret AS v FROM {H}.secrets) SELECT v FROM c",
      refuse("database"),
      BYPASS,
    ),

    // ---- UNION / EXCEPT / INTERSECT.
    q("SELECT id FROM orders UNION SELECT id FROM customers", ADMIT),
    q("SELECT id FROM orders UNION ALL SELECT id FROM customers ORDER BY id LIMIT 3", ADMIT),
    q("SELECT id FROM orders EXCEPT SELECT id FROM customers", ADMIT),
    q("SELECT id FROM orders INTERSECT SELECT id FROM customers", ADMIT),
    q("(SELECT id FROM orders LIMIT 1) UNION (SELECT id FROM customers LIMIT 1)", ADMIT),
    q("SELECT id FROM orders UNION DISTINCT SELECT id FROM customers EXCEPT ALL SELECT 2", ADMIT),
    q("((SELECT 1)) UNION ((SELECT 2))", ADMIT),
    q("SELECT id FROM orders UNION SELECT secret FROM {H}.secrets", refuse("database"), BYPASS),
    q("SELECT id FROM orders EXCEPT SELECT id FROM {H}.secrets", refuse("database")),
    q("SELECT id FROM orders INTERSECT (SELECT id FROM {H}.secrets)", refuse("database")),
    q(
      "(SELECT 1) UNION ALL (SELECT s.secret FROM orders value, {H}.secrets s)",
      refuse("database"),
      BYPASS,
    ),
    q("SELECT 1 UNION SELECT User FROM mysql.user", refuse("database"), BYPASS),
    q("SELECT id FROM orders UNION TABLE {H}.secrets", refuse("database"), MYSQL8),

    // ---- VALUES and TABLE.
    q("VALUES (1, 2), (3, 4)", ADMIT),
    q("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v", ADMIT),
    q("SELECT o.id FROM (VALUES (1), (2)) AS v, orders o", ADMIT),
    q("VALUES (1) UNION SELECT id FROM orders", ADMIT),
    q("SELECT id FROM orders UNION VALUES (42)", ADMIT),
    q("VALUES ROW(1, 2), ROW(3, 4)", ADMIT, MYSQL8),
    q("TABLE orders", ADMIT, MYSQL8),
    q("TABLE orders ORDER BY id LIMIT 1", ADMIT, MYSQL8),
    q("VALUES (1) UNION SELECT secret FROM {H}.secrets", refuse("database"), BYPASS),
    q("VALUES ((SELECT secret FROM {H}.secrets))", refuse("database"), BYPASS),
    q("SELECT * FROM (VALUES (1)) AS value, {H}.secrets s", refuse("database"), BYPASS),
    q("TABLE {H}.secrets", refuse("database"), MYSQL8),
    q("TABLE mysql.user", refuse("database"), MYSQL8),

    // ---- Joins.
    q("SELECT o.id, c.name FROM orders o INNER JOIN customers c ON c.id = o.customer_id", ADMIT),
    q("SELECT * FROM orders o LEFT OUTER JOIN customers c ON c.id = o.customer_id", ADMIT),
    q("SELECT * FROM orders o RIGHT JOIN customers c ON c.id = o.customer_id", ADMIT),
    q("SELECT * FROM orders o CROSS JOIN customers c", ADMIT),
    q("SELECT * FROM orders o STRAIGHT_JOIN customers c ON c.id = o.customer_id", ADMIT),
    q("SELECT STRAIGHT_JOIN o.id FROM orders o, customers c WHERE c.id = o.customer_id", ADMIT),
    q("SELECT * FROM orders NATURAL JOIN customers", ADMIT),
    q("SELECT * FROM orders NATURAL LEFT OUTER JOIN customers", ADMIT),
    q("SELECT * FROM orders JOIN customers USING (id)", ADMIT),
    q("SELECT * FROM (orders o, customers c) JOIN gate_docs d ON d.id = o.id", ADMIT),
    q(
      "SELECT * FROM ((orders o JOIN customers c ON c.id = o.customer_id) LEFT JOIN gate_docs d ON d.id = o.id)",
      ADMIT,
    ),
    q(
      "SELECT * FROM orders o JOIN (customers c JOIN gate_docs d ON d.id = c.id) ON c.id = o.customer_id",
      ADMIT,
    ),
    q("SELECT * FROM orders o JOIN customers c", ADMIT),
    q("SELECT * FROM (((orders)))", ADMIT),
    q("SELECT * FROM orders o INNER JOIN {H}.secrets s ON s.id = o.id", refuse("database"), BYPASS),
    q("SELECT * FROM orders o LEFT OUTER JOIN {H}.secrets s ON TRUE", refuse("database"), BYPASS),
    q("SELECT * FROM orders o RIGHT JOIN {H}.secrets s ON 1 = 1", refuse("database"), BYPASS),
    q("SELECT * FROM orders o CROSS JOIN {H}.secrets", refuse("database"), BYPASS),
    q("SELECT * FROM orders o STRAIGHT_JOIN {H}.secrets s", refuse("database"), BYPASS),
    q("SELECT * FROM orders NATURAL JOIN {H}.secrets", refuse("database"), BYPASS),
    q("SELECT * FROM orders JOIN {H}.secrets USING (id)", refuse("database"), BYPASS),
    q("SELECT * FROM (orders o, {H}.secrets s)", refuse("database"), BYPASS),
    q(
      "SELECT * FROM ((orders o JOIN customers c ON 1 = 1) LEFT JOIN {H}.secrets s ON 1 = 1)",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT * FROM orders o JOIN (customers c JOIN {H}.secrets s ON 1 = 1) ON 1 = 1",
      refuse("database"),
      BYPASS,
    ),
    q("SELECT * FROM (((({H}.secrets))))", refuse("database"), BYPASS),
    q(
      "SELECT * FROM orders o JOIN customers c ON c.id IN (SELECT id FROM {H}.secrets)",
      refuse("database"),
    ),
    e("UPDATE (orders o, {H}.secrets s) SET s.secret = 'pwned'", refuse("database"), BYPASS),
    e("DELETE s FROM orders o JOIN ({H}.secrets s) ON 1 = 1", refuse("database"), BYPASS),

    // ---- Subqueries everywhere.
    q("SELECT (SELECT COUNT(*) FROM orders) AS n", ADMIT),
    q("SELECT * FROM customers WHERE id IN (SELECT customer_id FROM orders)", ADMIT),
    q(
      "SELECT * FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)",
      ADMIT,
    ),
    q(
      "SELECT * FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)",
      ADMIT,
    ),
    q(
      "SELECT * FROM orders WHERE total > ANY (SELECT total FROM orders WHERE status = 'paid')",
      ADMIT,
    ),
    q("SELECT * FROM orders WHERE total >= ALL (SELECT total FROM orders)", ADMIT),
    q("SELECT * FROM orders WHERE total = SOME (SELECT total FROM orders)", ADMIT),
    q(
      "SELECT customer_id, SUM(total) FROM orders GROUP BY customer_id HAVING SUM(total) > (SELECT AVG(total) FROM orders)",
      ADMIT,
    ),
    q(
      "SELECT * FROM customers ORDER BY (SELECT COUNT(*) FROM orders o WHERE o.customer_id = customers.id) DESC",
      ADMIT,
    ),
    q(
      "SELECT * FROM orders o WHERE (o.id, o.customer_id) = (SELECT id, customer_id FROM orders LIMIT 1)",
      ADMIT,
    ),
    q(
      "SELECT c.name, (SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id) FROM customers c",
      ADMIT,
    ),
    q("SELECT (SELECT secret FROM {H}.secrets) AS x", refuse("database"), BYPASS),
    q("SELECT * FROM customers WHERE name IN (SELECT secret FROM {H}.secrets)", refuse("database")),
    q("SELECT * FROM customers WHERE EXISTS (SELECT 1 FROM {H}.secrets)", refuse("database")),
    q("SELECT * FROM orders WHERE id = ANY (SELECT id FROM {H}.secrets)", refuse("database")),
    q("SELECT * FROM orders WHERE id <> ALL (SELECT id FROM {H}.secrets)", refuse("database")),
    q(
      "SELECT status FROM orders GROUP BY status HAVING MAX(id) > (SELECT COUNT(*) FROM {H}.secrets)",
      refuse("database"),
    ),
    q("SELECT * FROM orders ORDER BY (SELECT secret FROM {H}.secrets)", refuse("database")),
    q("SELECT * FROM orders GROUP BY (SELECT secret FROM {H}.secrets)", refuse("database")),
    q("SELECT CASE WHEN 1 THEN (SELECT secret FROM {H}.secrets) END", refuse("database"), BYPASS),
    q("SELECT * FROM orders WHERE (id, 1) IN (SELECT id, 1 FROM {H}.secrets)", refuse("database")),

    // ---- Window functions, WINDOW, ROLLUP.
    q("SELECT id, ROW_NUMBER() OVER (ORDER BY total DESC) AS rn FROM orders", ADMIT),
    q(
      "SELECT id, SUM(total) OVER w FROM orders WINDOW w AS (PARTITION BY customer_id ORDER BY id)",
      ADMIT,
    ),
    q(
      "SELECT id, SUM(total) OVER (PARTITION BY customer_id ORDER BY created_at ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM orders",
      ADMIT,
    ),
    q("SELECT status, COUNT(*) FROM orders GROUP BY status WITH ROLLUP", ADMIT),
    q(
      "SELECT customer_id, status, SUM(total) FROM orders GROUP BY customer_id, status WITH ROLLUP",
      ADMIT,
    ),
    q(
      "SELECT DENSE_RANK() OVER (ORDER BY total), NTILE(2) OVER (ORDER BY id), FIRST_VALUE(id) OVER (ORDER BY id) FROM orders",
      ADMIT,
    ),
    q("SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY total) OVER () FROM orders", ADMIT),
    q(
      "SELECT id, SUM(total) OVER (ORDER BY (SELECT secret FROM {H}.secrets)) FROM orders",
      refuse("database"),
    ),
    q(
      "SELECT id FROM orders WINDOW w AS (ORDER BY (SELECT secret FROM {H}.secrets))",
      refuse("database"),
    ),
    q(
      "SELECT status FROM orders GROUP BY status WITH ROLLUP UNION SELECT secret FROM {H}.secrets",
      refuse("database"),
      BYPASS,
    ),

    // ---- Expression syntax whose FROM, IN, USING or AS is not a table reference.
    q(
      "SELECT CASE status WHEN 'paid' THEN 1 ELSE 0 END, CASE WHEN total > 10 THEN 'big' END FROM orders",
      ADMIT,
    ),
    q(
      "SELECT CAST(total AS CHAR), CAST('2024-01-01' AS DATE), CAST(id AS UNSIGNED) FROM orders",
      ADMIT,
    ),
    q("SELECT CONVERT(name USING utf8mb4), CONVERT(id, CHAR) FROM customers", ADMIT),
    q("SELECT EXTRACT(YEAR FROM created_at), EXTRACT(DAY_HOUR FROM created_at) FROM orders", ADMIT),
    q(
      "SELECT TRIM(LEADING 'x' FROM 'xxabc'), TRIM(BOTH FROM '  a  '), TRIM(TRAILING '.' FROM name) FROM customers",
      ADMIT,
    ),
    q(
      "SELECT SUBSTRING(name FROM 2 FOR 3), SUBSTRING(email, 1, 3), SUBSTR(name FROM 1) FROM customers",
      ADMIT,
    ),
    q("SELECT POSITION('@' IN email) FROM customers", ADMIT),
    q(
      "SELECT DATE_ADD(created_at, INTERVAL 1 DAY), DATE_SUB(created_at, INTERVAL '1:30' HOUR_MINUTE) FROM orders",
      ADMIT,
    ),
    q("SELECT created_at + INTERVAL 1 DAY, INTERVAL 2 MONTH + created_at FROM orders", ADMIT),
    q(
      "SELECT GROUP_CONCAT(DISTINCT status ORDER BY status DESC SEPARATOR '; ') FROM orders",
      ADMIT,
    ),
    q(
      "SELECT JSON_EXTRACT(doc, '$.a[0]'), JSON_VALUE(doc, '$.n'), JSON_QUERY(doc, '$.a'), JSON_OBJECT('k', id) FROM gate_docs",
      ADMIT,
    ),
    q("SELECT JSON_ARRAYAGG(id), JSON_OBJECTAGG(id, body) FROM gate_docs", ADMIT),
    q("SELECT doc->'$.n', doc->>'$.n' FROM gate_docs", ADMIT, MYSQL8),
    q("SELECT id FROM gate_docs WHERE MATCH (body) AGAINST ('fox' IN BOOLEAN MODE)", ADMIT),
    q(
      "SELECT id, MATCH (body) AGAINST ('quick fox' IN NATURAL LANGUAGE MODE WITH QUERY EXPANSION) FROM gate_docs",
      ADMIT,
    ),
    q("SELECT id FROM gate_docs WHERE MATCH (body) AGAINST ('lazy')", ADMIT),
    q("SELECT name FROM customers ORDER BY name COLLATE utf8mb4_bin", ADMIT),
    q("SELECT 'a' COLLATE utf8mb4_general_ci = 'A'", ADMIT),
    q("SELECT _utf8mb4'x', _latin1'y', _binary'z', _utf8mb4 0x41", ADMIT),
    q("SELECT X'414243', x'00', 0x41, b'0101', B'1', 0b101, N'national', n'x'", ADMIT),
    q("SELECT DATE '2024-01-01', TIME '10:00:00', TIMESTAMP '2024-01-01 10:00:00'", ADMIT),
    q(
      "SELECT 5 DIV 2, 5 MOD 2, 1 <=> NULL, 'a' RLIKE '^a', 'a' SOUNDS LIKE 'A', NOT 1, !0, 1 XOR 0, ~1, 1 << 2, 'abc' LIKE 'a%' ESCAPE '!'",
      ADMIT,
    ),
    q(
      "SELECT BINARY 'a' = 'A', 1 IS TRUE, NULL IS UNKNOWN, 2 BETWEEN 1 AND 3, ROW(1, 2) = ROW(1, 2)",
      ADMIT,
    ),
    q(
      "SELECT CONCAT_WS('-', 'a', 'b'), COALESCE(NULL, 1), IFNULL(NULL, 2), NULLIF(1, 1), GREATEST(1, 2), LEAST(1, 2), ROUND(1.25, 1), FLOOR(1.5), CEIL(1.2)",
      ADMIT,
    ),
    q(
      "SELECT DATE_FORMAT(created_at, '%Y-%m'), STR_TO_DATE('01/02/2024', '%d/%m/%Y'), UNIX_TIMESTAMP('2024-01-01'), FROM_UNIXTIME(0), LAST_DAY(created_at), TIMESTAMPDIFF(DAY, created_at, '2025-01-01') FROM orders",
      ADMIT,
    ),
    q(
      "SELECT MD5('a'), SHA2('a', 256), HEX('a'), UNHEX('41'), LPAD('a', 3, '*'), REGEXP_REPLACE('abc', 'b', 'x'), REGEXP_SUBSTR('abc', 'b+'), CRC32('a'), FORMAT(1234.5, 1), CHAR_LENGTH('é'), INET_ATON('10.0.0.1'), SEC_TO_TIME(61), WEEKDAY('2024-01-01')",
      ADMIT,
    ),
    q(
      "SELECT COLUMN_JSON(COLUMN_CREATE('a', 1)), UUID() IS NOT NULL, NOW() IS NOT NULL, CURDATE() IS NOT NULL",
      ADMIT,
    ),
    q("SELECT DATABASE(), SCHEMA(), USER(), CURRENT_USER(), VERSION(), CONNECTION_ID() > 0", ADMIT),
    q("SELECT id FROM orders ORDER BY id OFFSET 1 ROWS FETCH NEXT 1 ROWS WITH TIES", ADMIT),
    q("SELECT id FROM orders LIMIT ROWS EXAMINED 100", ADMIT),
    q("SELECT id FROM orders ORDER BY id DESC LIMIT 1, 1", ADMIT),
    q("SELECT SQL_NO_CACHE DISTINCT HIGH_PRIORITY SQL_CALC_FOUND_ROWS id FROM orders", ADMIT),
    q("SELECT * FROM seq_1_to_3", ADMIT, { note: "MariaDB's sequence engine, resolved in {D}" }),
    q("SELECT * FROM gate_seq", ADMIT, { note: "reading a sequence's row does not advance it" }),
    q("SELECT 'INTO OUTFILE', 'FOR UPDATE', 'LOCK IN SHARE MODE', '{H}.secrets' AS x", ADMIT),
    q("SELECT TRIM(LEADING 'x' FROM (SELECT secret FROM {H}.secrets))", refuse("database"), BYPASS),
    q("SELECT TRIM(secret) FROM {H}.secrets", refuse("database"), BYPASS),
    q(
      "SELECT SUBSTRING((SELECT secret FROM {H}.secrets) FROM 1 FOR 3)",
      refuse("database"),
      BYPASS,
    ),
    q("SELECT SUBSTRING(secret FROM 1 FOR 20) FROM {H}.secrets", refuse("database"), BYPASS),
    q("SELECT EXTRACT(YEAR FROM (SELECT NOW() FROM {H}.secrets LIMIT 1))", refuse("database")),
    q(
      "SELECT EXTRACT(DAY FROM created_at), s.secret FROM orders value, {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    q("SELECT POSITION('a' IN (SELECT secret FROM {H}.secrets))", refuse("database")),
    q("SELECT CONVERT((SELECT secret FROM {H}.secrets) USING utf8mb4)", refuse("database"), BYPASS),
    q("SELECT CAST((SELECT secret FROM {H}.secrets) AS CHAR)", refuse("database"), BYPASS),
    q(
      "SELECT GROUP_CONCAT(s.secret SEPARATOR ',') FROM orders value, {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    q("SELECT JSON_OBJECT('k', (SELECT secret FROM {H}.secrets))", refuse("database"), BYPASS),
    q("SELECT (SELECT secret FROM {H}.secrets) COLLATE utf8mb4_bin", refuse("database"), BYPASS),
    q("SELECT _utf8mb4'x', secret FROM {H}.secrets", refuse("database"), BYPASS),
    q(
      "SELECT DATE_ADD((SELECT NOW() FROM {H}.secrets LIMIT 1), INTERVAL 1 DAY)",
      refuse("database"),
    ),

    // ---- Variables: harmless ones read, paths and assignments refused.
    q("SELECT @@version", ADMIT),
    q("SELECT @@sql_mode, @@session.time_zone", ADMIT),
    q("SELECT @@version_comment, @@max_allowed_packet, @@character_set_server", ADMIT),
    q("SELECT @@session.autocommit, @@global.max_connections", ADMIT),
    q("SELECT @gate_x, @gate_y", ADMIT),
    q("SELECT @@datadir", refuse("variable"), BYPASS),
    q("SELECT @@basedir", refuse("variable"), BYPASS),
    q("SELECT @@plugin_dir", refuse("variable"), BYPASS),
    q("SELECT @@socket", refuse("variable"), BYPASS),
    q("SELECT @@hostname", refuse("variable"), BYPASS),
    q("SELECT @@global.secure_file_priv", refuse("variable"), BYPASS),
    q("SELECT @@tmpdir", refuse("variable"), BYPASS),
    q("SELECT @@log_error", refuse("variable"), BYPASS),
    q("SELECT @@general_log_file, @@slow_query_log_file", refuse("variable"), BYPASS),
    q("SELECT @@pid_file", refuse("variable"), BYPASS),
    q("SELECT @@`datadir`", refuse("variable"), BYPASS),
    q("SELECT @@GLOBAL.datadir", refuse("variable"), BYPASS),
    q("SELECT @@global.`aria_log_dir_path`", refuse("variable"), BYPASS),
    q("SELECT @@character_sets_dir, @@lc_messages_dir", refuse("variable"), BYPASS),
    q("SELECT CONCAT('x', @@datadir)", refuse("variable"), BYPASS),
    q("SELECT id FROM orders WHERE @@datadir LIKE '/%'", refuse("variable")),
    q("SELECT @gate_x := 1", refuse("variable")),
    q("SELECT id, @gate_r := id FROM orders", refuse("variable")),
    q("SELECT 1 INTO @gate_x", refuse("variable")),
    q("SELECT id FROM orders LIMIT 1 INTO @gate_x", refuse("variable")),
    q("SELECT id, status INTO @gate_x, @gate_y FROM orders LIMIT 1", refuse("variable")),
    q(
      "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_VARIABLES WHERE VARIABLE_NAME = 'DATADIR'",
      refuse("database"),
      BYPASS,
    ),

    // ---- Qualified column references.
    q("SELECT {D}.orders.id FROM orders", ADMIT),
    q("SELECT {D}.orders.id FROM {D}.orders", ADMIT),
    q("SELECT `{D}`.`orders`.`id` FROM `{D}`.`orders`", ADMIT),
    q("SELECT orders.id FROM {D}.orders WHERE {D}.orders.total > 0", ADMIT),
    q("SELECT {D} . orders . id FROM orders", ADMIT),
    q("SELECT {H}.secrets.secret FROM {H}.secrets", refuse("database"), BYPASS),
    q("SELECT {H}.orders.id FROM orders", refuse("database")),
    q("SELECT 1 FROM orders WHERE {H}.secrets.id = 1", refuse("database")),
    q("SELECT `{H}`.`secrets`.`secret` FROM `{H}`.`secrets`", refuse("database"), BYPASS),

    // ---- The system schemas: not on the allow-list.
    q(
      "SELECT * FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{H}'",
      refuse("database"),
      BYPASS,
    ),
    q(
      "SELECT COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = '{H}'",
      refuse("database"),
      BYPASS,
    ),
    q("SELECT * FROM information_schema.PROCESSLIST", refuse("database"), BYPASS),
    q("SELECT * FROM information_schema.USER_PRIVILEGES", refuse("database"), BYPASS),
    q("SELECT User, Password FROM mysql.user", refuse("database"), BYPASS),
    q("SELECT * FROM mysql.global_priv", refuse("database"), BYPASS),
    q("SELECT * FROM `mysql`.`user`", refuse("database"), BYPASS),
    q("SELECT * FROM mysql . db", refuse("database"), BYPASS),
    q("SELECT * FROM performance_schema.threads", refuse("database"), BYPASS),
    q("SELECT * FROM sys.version", refuse("database"), BYPASS),
    q(
      "SELECT * FROM orders WHERE id IN (SELECT 1 FROM information_schema.SCHEMATA)",
      refuse("database"),
      BYPASS,
    ),

    // ---- SHOW: the harmless forms, scoped to the allowed database.
    q("SHOW TABLES", ADMIT),
    q("SHOW FULL TABLES FROM {D}", ADMIT),
    q("SHOW TABLES LIKE 'c%'", ADMIT),
    q("SHOW COLUMNS FROM customers", ADMIT),
    q("SHOW FULL COLUMNS FROM orders FROM {D}", ADMIT),
    q("SHOW FIELDS IN customers IN {D}", ADMIT),
    q("SHOW INDEX FROM orders IN {D}", ADMIT),
    q("SHOW INDEXES FROM {D}.orders", ADMIT),
    q("SHOW KEYS FROM orders WHERE Key_name = 'PRIMARY'", ADMIT),
    q("SHOW CREATE TABLE {D}.orders", ADMIT),
    q("SHOW CREATE VIEW gate_view", ADMIT),
    q("SHOW TABLE STATUS LIKE 'o%'", ADMIT),
    q("SHOW TABLE STATUS FROM {D} WHERE Engine = 'InnoDB'", ADMIT),
    // A pooled connection's warnings are another caller's: refused.
    q("SHOW WARNINGS", refuse("show")),
    q("SHOW ERRORS", refuse("show")),
    q("SHOW COUNT(*) WARNINGS", refuse("show")),
    q("SHOW CHARACTER SET LIKE 'utf8%'", ADMIT),
    q("SHOW CHARSET WHERE Charset = 'latin1'", ADMIT),
    q("SHOW COLLATION WHERE Charset = 'utf8mb4'", ADMIT),
    q("SHOW COLLATION LIKE 'utf8mb4_bin'", ADMIT),
    // ... and the same forms naming the hidden database.
    q("SHOW TABLES FROM {H}", refuse("database"), BYPASS),
    q("SHOW FULL TABLES IN `{H}`", refuse("database"), BYPASS),
    q("SHOW COLUMNS FROM secrets FROM {H}", refuse("database"), BYPASS),
    q("SHOW COLUMNS FROM {H}.secrets", refuse("database"), BYPASS),
    q("SHOW INDEX FROM secrets IN {H}", refuse("database"), BYPASS),
    q("SHOW CREATE TABLE {H}.secrets", refuse("database"), BYPASS),
    q("SHOW CREATE TABLE `{H}`.`secrets`", refuse("database"), BYPASS),
    q("SHOW TABLE STATUS FROM {H}", refuse("database"), BYPASS),
    q(
      "SHOW TABLES WHERE Tables_in_{D} IN (SELECT secret FROM {H}.secrets)",
      refuse("database"),
    ),
    q(
      "SHOW TABLE STATUS WHERE Name = (SELECT secret FROM {H}.secrets)",
      refuse("database"),
    ),
    q(
      "SHOW COLUMNS FROM customers WHERE Field IN (SELECT secret FROM {H}.secrets)",
      refuse("database"),
    ),
    q("SHOW TRIGGERS FROM {H}", refuse("database", "show")),
    // ... and every SHOW that reveals the server, other sessions or credentials.
    q("SHOW GRANTS", refuse("show"), BYPASS),
    q("SHOW GRANTS FOR CURRENT_USER", refuse("show"), BYPASS),
    q("SHOW CREATE USER CURRENT_USER", refuse("show"), BYPASS),
    q("SHOW MASTER STATUS", refuse("show"), BYPASS),
    q("SHOW BINLOG STATUS", refuse("show"), BYPASS),
    q("SHOW SLAVE STATUS", refuse("show"), BYPASS),
    q("SHOW REPLICA STATUS", refuse("show"), BYPASS),
    q("SHOW ALL SLAVES STATUS", refuse("show"), BYPASS),
    q("SHOW BINARY LOGS", refuse("show")),
    q("SHOW MASTER LOGS", refuse("show")),
    q("SHOW RELAYLOG EVENTS", refuse("show"), BYPASS),
    q("SHOW PROFILE", refuse("show"), BYPASS),
    q("SHOW PROFILES", refuse("show"), BYPASS),
    q("SHOW OPEN TABLES", refuse("show"), BYPASS),
    q("SHOW DATABASES", refuse("show"), BYPASS),
    q("SHOW SCHEMAS LIKE '%'", refuse("show"), BYPASS),
    q("SHOW ENGINE INNODB MUTEX", refuse("show"), BYPASS),
    q("SHOW ENGINE ALL STATUS", refuse("show"), BYPASS),
    q("SHOW FUNCTION STATUS", refuse("show"), BYPASS),
    q("SHOW PROCEDURE STATUS", refuse("show"), BYPASS),
    q("SHOW USER_STATISTICS", refuse("show"), BYPASS),
    q("SHOW CLIENT_STATISTICS", refuse("show"), BYPASS),
    q("SHOW TABLE_STATISTICS", refuse("show"), BYPASS),
    q("show /* c */ full /* c */ processlist", refuse("show"), BYPASS),
    q("/*!50000 SHOW PROCESSLIST */", refuse("show"), BYPASS),

    // ---- EXPLAIN / DESCRIBE: of reads only.
    q("EXPLAIN SELECT * FROM orders", ADMIT),
    q("EXPLAIN FORMAT=JSON SELECT * FROM orders", ADMIT),
    q("EXPLAIN EXTENDED SELECT 1", ADMIT),
    q("EXPLAIN PARTITIONS SELECT * FROM gate_parts", ADMIT),
    q("EXPLAIN WITH c AS (SELECT 1) SELECT * FROM c", ADMIT),
    q("DESCRIBE SELECT * FROM orders", ADMIT),
    q("DESCRIBE orders", ADMIT),
    q("DESC {D}.customers", ADMIT),
    q("DESCRIBE orders status", ADMIT),
    q("EXPLAIN orders", ADMIT),
    q("EXPLAIN SELECT * FROM {H}.secrets", refuse("database"), BYPASS),
    q("DESCRIBE {H}.secrets", refuse("database"), BYPASS),
    q("EXPLAIN SELECT s.secret FROM orders value, {H}.secrets s", refuse("database")),
    q("EXPLAIN UPDATE gate_scratch SET v = 'x'", refuse("statement_kind")),
    q("EXPLAIN ANALYZE DELETE FROM gate_scratch", refuse("statement_kind")),
    q("ANALYZE DELETE FROM gate_scratch", refuse("statement_kind")),

    // ---- Stored functions and UDFs (this datasource does not allow them).
    q("SELECT gate_pure(1)", refuse("function")),
    q("SELECT {D}.gate_pure(1)", refuse("function")),
    q("SELECT `gate_pure`(1)", refuse("function")),
    q("SELECT gate_pure (1)", refuse("function")),
    q("SELECT GATE_PURE(1)", refuse("function")),
    q("SELECT * FROM orders WHERE id = gate_pure(0)", refuse("function")),
    q("SELECT id FROM orders ORDER BY gate_pure(id)", refuse("function")),
    q("SELECT * FROM (SELECT gate_peek() AS x) d", refuse("function"), BYPASS),
    q("WITH c AS (SELECT gate_peek() AS x) SELECT * FROM c", refuse("function"), BYPASS),
    q("SELECT 1 /*!50000 , gate_peek() */", refuse("function"), BYPASS),
    q("SELECT {D}.gate_set_global()", refuse("function"), BYPASS),
    q("SELECT {H}.gate_hidden_fn()", refuse("database"), BYPASS),
    e("INSERT INTO gate_scratch (v) SELECT gate_peek()", refuse("function"), {
      note: "beyond the letter of the issue (which names mysql_query): through mysql_execute a " +
        "stored function copies a hidden value into an allowed table",
    }),

    // ---- Built-ins with effects beyond the statement, however spelled.
    q("SELECT LOAD_FILE('/etc/hostname')", refuse("refused_function")),
    q("SELECT load_file('/etc/hostname')", refuse("refused_function")),
    q("SELECT `LOAD_FILE`('/etc/hostname')", refuse("refused_function")),
    q("SELECT `load_file` ('/etc/hostname')", refuse("refused_function")),
    q("SELECT LOAD_FILE/**/('/etc/hostname')", refuse("refused_function")),
    q(
      "SELECT * FROM customers WHERE name = LOAD_FILE('/etc/hostname')",
      refuse("refused_function"),
    ),
    q("SELECT 1 /*!50000 , LOAD_FILE('/etc/hostname') */", refuse("refused_function")),
    q("SELECT GET_LOCK('gate_lock_a', 0)", refuse("refused_function")),
    q("SELECT get_lock ('gate_lock_b', 0)", refuse("refused_function")),
    q("SELECT RELEASE_LOCK('gate_lock_a')", refuse("refused_function")),
    q("SELECT RELEASE_ALL_LOCKS()", refuse("refused_function")),
    q("SELECT BENCHMARK(1000, MD5('a'))", refuse("refused_function")),
    q("SELECT MASTER_POS_WAIT('log', 4, 0.01)", refuse("refused_function")),
    q("SELECT MASTER_GTID_WAIT('0-1-1', 0.01)", refuse("refused_function")),
    q("SELECT NEXTVAL(gate_seq)", refuse("refused_function")),
    q("SELECT SETVAL(gate_seq, 100)", refuse("refused_function")),
    q("SELECT NEXT VALUE FOR gate_seq", refuse("any")),
    e(
      "INSERT INTO gate_scratch (v) VALUES (LOAD_FILE('/etc/hostname'))",
      refuse("refused_function"),
    ),

    // ---- Locking reads.
    q("SELECT * FROM orders FOR UPDATE", refuse("locking")),
    q("SELECT * FROM orders FOR SHARE", refuse("locking"), MYSQL8),
    q("SELECT * FROM orders LOCK IN SHARE MODE", refuse("locking")),
    q("SELECT * FROM orders FOR UPDATE SKIP LOCKED", refuse("locking")),
    q("SELECT * FROM orders FOR UPDATE NOWAIT", refuse("locking")),
    q("SELECT * FROM orders FOR UPDATE WAIT 1", refuse("locking")),
    q("SELECT * FROM orders LOCK IN SHARE MODE NOWAIT", refuse("locking")),
    q("SELECT * FROM (SELECT * FROM orders FOR UPDATE) d", refuse("locking")),
    q("SELECT * FROM orders WHERE id IN (SELECT id FROM orders FOR UPDATE)", refuse("locking")),
    q("SELECT id FROM customers UNION SELECT id FROM orders FOR UPDATE", refuse("locking")),
    q("SELECT * FROM orders /*!50000 FOR UPDATE */", refuse("locking")),
    q("SELECT * FROM orders FOR UPDATE OF orders", refuse("locking"), MYSQL8),
    q("SELECT nowait.id, locked.id FROM orders nowait, customers locked", ADMIT),
    q("SELECT skip.id FROM orders skip WHERE skip.status = 'for update'", ADMIT),
    q("LOCK TABLES orders READ", refuse("statement_kind", "locking")),
    e("LOCK TABLES gate_scratch WRITE", refuse("statement_kind", "locking")),

    // ---- INTO: files and variables.
    q("SELECT * FROM orders INTO OUTFILE '{F}'", refuse("file")),
    q("SELECT 1 INTO DUMPFILE '{F}'", refuse("file")),
    q("SELECT id INTO OUTFILE '{F}' FIELDS TERMINATED BY ',' FROM orders", refuse("file")),
    q("SELECT id FROM orders UNION SELECT id FROM customers INTO OUTFILE '{F}'", refuse("file")),
    q("SELECT 1 /*!50000 INTO OUTFILE '{F}' */", refuse("file")),
    q("SELECT * FROM (SELECT 1) d INTO DUMPFILE '{F}'", refuse("file")),
    q("WITH c AS (SELECT 1) SELECT * FROM c INTO OUTFILE '{F}'", refuse("file")),

    // ---- Statement kinds that neither tool runs (each also fine to refuse for what it names).
    ...([
      ["CREATE TABLE gate_evil (id INT)"],
      ["CREATE TABLE gate_evil AS SELECT * FROM {H}.secrets", "database"],
      ["DROP TABLE IF EXISTS gate_evil"],
      ["ALTER TABLE gate_scratch ADD COLUMN evil INT"],
      ["TRUNCATE TABLE gate_scratch"],
      ["RENAME TABLE gate_evil TO gate_evil2"],
      ["CREATE USER 'gate_evil'@'localhost'"],
      ["GRANT SELECT ON {H}.* TO 'gate_nobody'@'%'", "database"],
      ["SET @gate_x = 1", "variable"],
      ["SET SESSION sql_mode = ''", "variable"],
      ["SET GLOBAL max_connections = 777", "variable"],
      ["CALL gate_nothing()"],
      ["DO GET_LOCK('gate_corpus_lock', 0)", "refused_function"],
      ["DO 1"],
      ["HANDLER gate_scratch OPEN"],
      ["LOAD DATA INFILE '/etc/hostname' INTO TABLE gate_scratch", "file"],
      ["LOAD XML INFILE '/etc/hostname' INTO TABLE gate_scratch", "file"],
      ["PREPARE gate_s FROM 'SELECT 1'"],
      ["EXECUTE gate_s"],
      ["DEALLOCATE PREPARE gate_s"],
      ["USE {H}", "database"],
      ["FLUSH TABLES"],
      ["ANALYZE TABLE orders"],
      ["CHECK TABLE orders"],
      ["BEGIN"],
      ["XA START 'gate'"],
      ["SIGNAL SQLSTATE '45000'"],
    ] as [string, Reason?][]).flatMap(([sql, also]) => {
      const expect = also ? refuse("statement_kind", also) : refuse("statement_kind");
      return [q(sql, expect), e(sql, expect)];
    }),
    q("INSERT INTO gate_scratch (v) VALUES ('q')", refuse("statement_kind")),
    q("UPDATE gate_scratch SET v = 'q'", refuse("statement_kind")),
    q("DELETE FROM gate_scratch", refuse("statement_kind")),
    q("REPLACE INTO gate_scratch (id, v) VALUES (1, 'q')", refuse("statement_kind")),
    e("SELECT * FROM orders", refuse("statement_kind")),
    e("SHOW TABLES", refuse("statement_kind")),
    e("WITH c AS (SELECT 1) SELECT * FROM c", refuse("statement_kind")),

    // ---- Writes into the allowed database.
    e("INSERT INTO gate_scratch (v) VALUES ('r1'), ('r2')", ADMIT),
    e("INSERT INTO gate_scratch (v) VALUES ('r1'), ('r2') RETURNING id", ADMIT),
    e(
      "INSERT INTO gate_scratch (v) SELECT status FROM orders ON DUPLICATE KEY UPDATE v = VALUES(v)",
      ADMIT,
    ),
    e("INSERT INTO gate_scratch SET v = 'set-form'", ADMIT),
    e("INSERT INTO gate_scratch VALUE (DEFAULT, 'value-form')", ADMIT),
    e("INSERT IGNORE INTO gate_scratch (id, v) VALUES (1, 'dup')", ADMIT),
    e("INSERT LOW_PRIORITY INTO gate_scratch (v) VALUES ('l')", ADMIT),
    e("INSERT INTO gate_scratch (v) VALUES ((SELECT MAX(status) FROM orders))", ADMIT),
    e("INSERT INTO gate_scratch (v) SELECT {d '2024-01-01'}", ADMIT),
    e(
      `INSERT INTO gate_scratch (v) SELECT jt.v FROM JSON_TABLE('["a","b"]', '$[*]' COLUMNS (v VARCHAR(5) PATH '$')) jt`,
      ADMIT,
    ),
    e("INSERT INTO gate_scratch (v) WITH c AS (SELECT 'cte' AS v) SELECT v FROM c", ADMIT),
    e("INSERT INTO gate_scratch (v) TABLE orders", ADMIT, MYSQL8),
    e("REPLACE INTO gate_scratch (id, v) VALUES (1, 'r')", ADMIT),
    e("REPLACE INTO gate_scratch (id, v) VALUES (1, 'r') RETURNING id, v", ADMIT),
    e("UPDATE gate_scratch SET v = 'u' ORDER BY id LIMIT 1", ADMIT),
    e("UPDATE LOW_PRIORITY IGNORE gate_scratch SET v = 'i' WHERE id = 2", ADMIT),
    e(
      "UPDATE gate_scratch s JOIN (SELECT id, status FROM orders) d ON d.id = s.id SET s.v = d.status",
      ADMIT,
    ),
    e("UPDATE {D}.gate_scratch SET v = CONCAT(v, '!') WHERE id IN (SELECT id FROM orders)", ADMIT),
    e("DELETE FROM gate_scratch ORDER BY id DESC LIMIT 1", ADMIT),
    e("DELETE QUICK IGNORE FROM gate_scratch WHERE id = -5", ADMIT),
    e("DELETE FROM gate_scratch WHERE id > 2 RETURNING id", ADMIT),
    e("WITH c AS (SELECT 1) UPDATE gate_scratch SET v = 'w' WHERE id = 1", ADMIT, MYSQL8),

    // ---- Every write shape into the hidden database.
    e("INSERT INTO {H}.secrets VALUES (2, 'planted')", refuse("database"), BYPASS),
    e("INSERT INTO `{H}`.`secrets` (id, secret) VALUES (3, 'planted')", refuse("database"), BYPASS),
    e("REPLACE INTO {H}.secrets VALUES (1, 'replaced')", refuse("database"), BYPASS),
    e("UPDATE {H}.secrets SET secret = 'pwned'", refuse("database"), BYPASS),
    e("DELETE FROM {H}.secrets", refuse("database"), BYPASS),
    e("INSERT INTO gate_scratch (v) SELECT secret FROM {H}.secrets", refuse("database"), BYPASS),
    e("REPLACE INTO gate_scratch (v) SELECT secret FROM {H}.secrets", refuse("database"), BYPASS),
    e(
      "INSERT INTO gate_scratch (v) SELECT secret FROM {H}.secrets UNION SELECT 'x'",
      refuse("database"),
      BYPASS,
    ),
    e("UPDATE gate_scratch SET v = (SELECT secret FROM {H}.secrets)", refuse("database"), BYPASS),
    e(
      "DELETE FROM gate_scratch WHERE v IN (SELECT secret FROM {H}.secrets)",
      refuse("database"),
    ),
    e(
      "INSERT INTO gate_scratch SET v = (SELECT secret FROM {H}.secrets)",
      refuse("database"),
      BYPASS,
    ),
    e(
      "INSERT INTO gate_scratch (id, v) VALUES (1, 'a') ON DUPLICATE KEY UPDATE v = (SELECT secret FROM {H}.secrets)",
      refuse("database"),
      BYPASS,
    ),
    e(
      "UPDATE gate_scratch, {H}.secrets SET gate_scratch.v = secrets.secret",
      refuse("database"),
      BYPASS,
    ),
    e(
      "UPDATE gate_scratch JOIN {H}.secrets s USING (id) SET gate_scratch.v = s.secret",
      refuse("database"),
      BYPASS,
    ),
    e(
      "DELETE gate_scratch FROM gate_scratch JOIN {H}.secrets s ON s.id = gate_scratch.id",
      refuse("database"),
    ),
    e(
      "UPDATE gate_scratch SET v = 'y' WHERE id = (SELECT id FROM {H}.secrets)",
      refuse("database"),
    ),
    e(
      "UPDATE orders AS comment JOIN {H}.secrets AS s ON 1 = 1 SET s.secret = 'pwned'",
      refuse("database"),
      BYPASS,
    ),
    e(
      "INSERT INTO gate_scratch (v) SELECT s.secret FROM (SELECT 1) value, {H}.secrets s",
      refuse("database"),
      BYPASS,
    ),
    e(
      "INSERT INTO gate_scratch (v) VALUES ('x') RETURNING (SELECT secret FROM {H}.secrets LIMIT 1)",
      refuse("database"),
      BYPASS,
    ),
    e(
      "DELETE FROM gate_scratch WHERE id = -1 RETURNING (SELECT secret FROM {H}.secrets)",
      refuse("database"),
    ),
    e(
      "UPDATE orders value, mysql.global_priv g SET g.Priv = g.Priv WHERE 1 = 0",
      refuse("database"),
      BYPASS,
    ),
    e("DELETE FROM mysql.servers WHERE 1 = 0", refuse("database"), BYPASS),

    // ---- Comments and executable comments hiding any of it.
    q("SELECT s.secret FROM orders /*!50000 value, {H}.secrets s */", refuse("database"), BYPASS),
    q("SELECT s.secret FROM orders /*M! value, {H}.secrets s */", refuse("database"), BYPASS),
    q(
      "SELECT s.secret FROM orders /*M!100000 duplicate, {H}.secrets s */",
      refuse("database"),
      BYPASS,
    ),
    q("SELECT s.secret FROM orders -- hidden\n value, {H}.secrets s", refuse("database"), BYPASS),
    q("SELECT s.secret FROM orders # hidden\n value, {H}.secrets s", refuse("database"), BYPASS),
    q(
      "SELECT s.secret FROM orders /* a */ value /* b */, /* c */ {H}/* d */./* e */secrets s",
      refuse("database"),
      BYPASS,
    ),
    q("SELECT s.secret FROM orders /*!value*/, {H}.secrets s", refuse("database"), BYPASS),
    q("SELECT s.secret FROM orders value /*!, {H}.secrets s */", refuse("database"), BYPASS),
    q("SELECT 1 /*!50000 FROM orders value, {H}.secrets s */", refuse("database")),
    e(
      "UPDATE orders /*!50000 value, {H}.secrets s */ SET s.secret = 'pwned'",
      refuse("database"),
      BYPASS,
    ),
    q("SELECT 1 /*!50000 , @@datadir */", refuse("variable"), BYPASS),
    q("SELECT /* c */ id FROM orders -- trailing", ADMIT),
    q("SELECT id FROM orders # trailing", ADMIT),
    q("SELECT id /*!50000 , status */ FROM orders", ADMIT),
    q("SELECT id FROM /*M!100000 {D}.*/orders", ADMIT),
    q("SELECT /*+ NO_INDEX_MERGE(orders) */ id FROM orders", ADMIT),
    q(`SELECT 'a -- b', "c /* d */", 'e # f'`, ADMIT),

    // ---- The second layer: result columns from outside the allow-list are withheld.
    q("SELECT * FROM gate_leak_view", refuse("withheld", "database"), {
      ...BYPASS,
      note: "a view in {D} over {H}: the text names only {D}; its columns come from {H}. " +
        "Refused for the view's definition, or withheld by the check of result columns",
    }),
    q(
      "SELECT v.secret FROM gate_leak_view v JOIN orders o ON o.id = v.id",
      refuse("withheld", "database"),
      BYPASS,
    ),
    q("SELECT * FROM (SELECT * FROM gate_leak_view) d", refuse("withheld", "database"), BYPASS),
    q("SELECT id, name FROM gate_view", ADMIT),
  ];
}

/** The corpus for a datasource with the default settings (stored functions not allowed). */
export const CORPUS: readonly CorpusEntry[] = [...constructs(), ...keywordAliases(), ...nesting()];

/** The corpus for a datasource with `allow_stored_functions = true`. */
export const STORED_FUNCTION_CORPUS: readonly CorpusEntry[] = [
  q("SELECT gate_pure(1)", ADMIT),
  q("SELECT {D}.gate_pure(41) AS answer", ADMIT),
  q("SELECT `gate_pure` (2)", ADMIT),
  q("SELECT id, gate_pure(id) FROM orders", ADMIT),
  q("SELECT * FROM orders WHERE id = gate_pure(0)", ADMIT),
  q("SELECT gate_lock()", ADMIT, { note: "the lock is released (connection reset) on return" }),
  q("SELECT gate_setvar()", ADMIT, { note: "@gate_var is gone (connection reset) on return" }),
  q("SELECT {H}.gate_hidden_fn()", refuse("database"), BYPASS),
  q("SELECT gate_pure(1), s.secret FROM orders value, {H}.secrets s", refuse("database"), BYPASS),
  q("SELECT LOAD_FILE('/etc/hostname')", refuse("refused_function")),
  q("SELECT GET_LOCK('gate_lock_a', 0)", refuse("refused_function")),
  q("SELECT gate_pure(1) FROM orders FOR UPDATE", refuse("locking")),
  q("SELECT gate_pure(1) INTO @gate_x", refuse("variable")),
  q("SELECT gate_pure(1) FROM gate_leak_view", "either", {
    note: "column without a schema: the function's value, not the view's",
  }),
];

/** Replaces the placeholders. */
export function fill(sql: string, names: { db: string; hidden: string; file?: string }): string {
  return sql.replaceAll("{D}", names.db).replaceAll("{H}", names.hidden)
    .replaceAll("{F}", names.file ?? "/nonexistent/gate_corpus_out.txt");
}
