/**
 * Every rule of the gate's policy, one row each, in the order decide() checks them: the SQL,
 * the datasource, the tool, and the refusal (or the admission) that must result.
 */
import assert from "assert";
import { ToolError } from "../../src/errors/tool_error.ts";
import {
  type Admission,
  checkFunctionsOn,
  checkTableEngines,
  checkViews,
  decide,
  foreignColumnSchema,
  isBuiltin,
  isReadableVariable,
  type PolicySource,
  type ToolKind,
} from "../../src/gate/policy.ts";
import { objectKey, viewReach } from "../../src/gate/view_reach.ts";
import { classifySql } from "../../src/sql/classify.ts";
import { gateRefusal } from "../sql/_gate_refusal.ts";

const LISTED: PolicySource = {
  key: "shop",
  databases: ["shop"],
  readOnly: false,
  allowStoredFunctions: false,
};
const OPEN: PolicySource = { ...LISTED, databases: [] };

interface Rule {
  rule: string;
  sql: string;
  kind?: ToolKind;
  source?: Partial<PolicySource>;
  database?: string;
  /** A pattern the refusal must match, or the admission's flags that must hold. */
  expect: RegExp | Partial<Admission>;
}

const RULES: Rule[] = [
  // 1. What the parser refused.
  {
    rule: "a construct outside the grammar",
    sql: "SELECT 1 FROM t WHERE",
    expect: /not understood/,
  },
  { rule: "a row lock", sql: "SELECT * FROM t FOR UPDATE", expect: /FOR UPDATE takes row locks/ },
  { rule: "a file write", sql: "SELECT 1 INTO OUTFILE '/tmp/x'", expect: /writes a file/ },
  { rule: "a variable assignment", sql: "SELECT @a := 1", expect: /assigns a user variable/ },
  {
    rule: "a SHOW form not on the list",
    sql: "SHOW PROCESSLIST",
    expect: /SHOW PROCESSLIST is not allowed/,
  },
  { rule: "another connection's plan", sql: "EXPLAIN FOR CONNECTION 7", expect: /another session/ },
  { rule: "a sequence read", sql: "SELECT NEXT VALUE FOR s", expect: /sequence/ },
  {
    rule: "a plan hint that sets variables",
    sql: "SELECT /*+ SET_VAR(a=1) */ 1",
    expect: /SET_VAR/,
  },
  {
    rule: "nesting past the limit",
    sql: `SELECT ${"(".repeat(200)}1${")".repeat(200)}`,
    expect: /nested too deeply/,
  },
  // 2. Statement kind, per tool.
  {
    rule: "mysql_execute on a read-only source",
    sql: "DELETE FROM t",
    kind: "execute",
    source: { readOnly: true },
    expect: /read-only/,
  },
  {
    rule: "a read through mysql_execute",
    sql: "SELECT 1",
    kind: "execute",
    expect: /is a read statement: use mysql_query/,
  },
  {
    rule: "DDL through mysql_execute",
    sql: "DROP TABLE t",
    kind: "execute",
    expect: /only INSERT, UPDATE, DELETE and REPLACE/,
  },
  {
    rule: "a write through mysql_query",
    sql: "UPDATE t SET a = 1",
    expect: /changes data: mysql_query runs read statements only/,
  },
  {
    rule: "a session statement through mysql_query",
    sql: "SET GLOBAL max_connections = 1",
    expect: /SET is not allowed: mysql_query runs/,
  },
  {
    rule: "EXPLAIN of a write through mysql_query",
    sql: "EXPLAIN DELETE FROM t",
    expect: /EXPLAIN is not allowed/,
  },
  // 3. Databases reached.
  {
    rule: "a database off the allow-list, in FROM",
    sql: "SELECT * FROM t value, secret.c",
    expect: /names database "secret"/,
  },
  {
    rule: "a database off the allow-list, in a write target",
    sql: "DELETE s FROM t value, secret.c s",
    kind: "execute",
    expect: /names database "secret"/,
  },
  {
    rule: "a database off the allow-list, in a column",
    sql: "SELECT secret.c.token FROM t",
    expect: /names database "secret"/,
  },
  {
    rule: "a database off the allow-list, in SHOW",
    sql: "SHOW TABLES FROM secret",
    expect: /names database "secret"/,
  },
  {
    rule: "the request's own database off the allow-list",
    sql: "SELECT 1",
    database: "secret",
    expect: /names database "secret"/,
  },
  {
    rule: "an internal schema without an allow-list",
    sql: "SELECT * FROM mysql.user",
    source: { databases: [] },
    expect: /names database "mysql"/,
  },
  {
    rule: "an internal schema as the request's database",
    sql: "SELECT * FROM user",
    source: { databases: [] },
    database: "mysql",
    expect: /names database "mysql"/,
  },
  {
    rule: "performance_schema in any case",
    sql: "SELECT * FROM PERFORMANCE_SCHEMA.threads",
    source: { databases: [] },
    expect: /names database "PERFORMANCE_SCHEMA"/,
  },
  {
    rule: "an internal schema the allow-list names",
    sql: "SELECT * FROM sys.version",
    source: { databases: ["shop", "sys"] },
    expect: { resetAfter: false },
  },
  {
    rule: "information_schema off the allow-list",
    sql: "SELECT * FROM information_schema.tables",
    expect: /names database "information_schema"/,
  },
  {
    rule: "information_schema's session tables",
    sql: "SELECT * FROM information_schema.processlist",
    source: { databases: [] },
    expect: /information_schema.processlist is not available/,
  },
  {
    rule: "information_schema's variables",
    sql: "SELECT * FROM information_schema.GLOBAL_VARIABLES",
    source: { databases: [] },
    expect: /not available/,
  },
  {
    rule: "information_schema's descriptive tables",
    sql: "SELECT table_name FROM information_schema.tables",
    source: { databases: [] },
    expect: { checkColumns: true },
  },
  {
    rule: "SHOW DATABASES under an allow-list",
    sql: "SHOW DATABASES",
    expect: /use mysql_list_databases/,
  },
  {
    rule: "SHOW DATABASES without one",
    sql: "SHOW DATABASES",
    source: { databases: [] },
    expect: { checkColumns: false },
  },
  // 4. System variables.
  { rule: "a path-valued variable", sql: "SELECT @@datadir", expect: /@@datadir is not readable/ },
  {
    rule: "a scoped path-valued variable",
    sql: "SELECT @@GLOBAL.secure_file_priv",
    expect: /@@secure_file_priv is not readable/,
  },
  {
    rule: "a host-valued variable",
    sql: "SELECT @@hostname",
    expect: /@@hostname is not readable/,
  },
  {
    rule: "a harmless setting",
    sql: "SELECT @@version, @@session.sql_mode",
    expect: { resetAfter: false },
  },
  {
    rule: "SHOW VARIABLES WHERE (an oracle over hidden rows)",
    sql: "SHOW VARIABLES WHERE Variable_name = 'datadir' AND SLEEP(1)",
    expect: /LIKE 'pattern' only/,
  },
  {
    rule: "SHOW VARIABLES is filtered",
    sql: "SHOW GLOBAL VARIABLES LIKE '%dir%'",
    expect: { filterVariables: true, checkColumns: false },
  },
  // 5. Functions.
  {
    rule: "a refused built-in",
    sql: "SELECT LOAD_FILE('/etc/passwd')",
    expect: /LOAD_FILE\(\) reads a file/,
  },
  {
    rule: "a refused built-in, backquoted",
    sql: "SELECT `load_file`('/etc/passwd')",
    expect: /LOAD_FILE\(\)/,
  },
  { rule: "a named lock", sql: "SELECT GET_LOCK('a', 0)", expect: /GET_LOCK\(\)/ },
  {
    rule: "a stored function",
    sql: "SELECT evil()",
    expect: /EVIL\(\) is not a built-in function/,
  },
  {
    rule: "a qualified stored function",
    sql: "SELECT shop.evil()",
    expect: /shop.evil\(\) is not a built-in function/,
  },
  {
    rule: "a stored function in a write",
    sql: "UPDATE t SET a = evil()",
    kind: "execute",
    expect: /not a built-in function/,
  },
  {
    rule: "a built-in name with a space before (",
    sql: "SELECT count (id) FROM t",
    expect: /calls a stored function of that name/,
  },
  {
    rule: "a built-in name quoted",
    sql: "SELECT `count`(id) FROM t",
    expect: /calls a stored function of that name/,
  },
  {
    rule: "another session's named lock",
    sql: "SELECT IS_FREE_LOCK('job')",
    expect: /another session/,
  },
  {
    rule: "DELETE HISTORY",
    sql: "DELETE HISTORY FROM audit",
    kind: "execute",
    expect: /purges the history/,
  },
  {
    rule: "another caller's FOUND_ROWS()",
    sql: "SELECT FOUND_ROWS()",
    expect: /another caller's/,
  },
  {
    rule: "another caller's warning count",
    sql: "SELECT @@warning_count",
    expect: /@@warning_count is not readable/,
  },
  {
    rule: "a stored function when allowed",
    sql: "SELECT evil()",
    source: { allowStoredFunctions: true },
    expect: { resetAfter: true },
  },
  {
    rule: "LAST_INSERT_ID(n) leaves state",
    sql: "SELECT LAST_INSERT_ID(4242)",
    expect: { resetAfter: true },
  },
  {
    rule: "SQL_CALC_FOUND_ROWS leaves state",
    sql: "SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 1",
    expect: { resetAfter: true },
  },
  {
    rule: "an ordinary read leaves none",
    sql: "SELECT COUNT(*), NOW(), LAST_INSERT_ID() FROM t",
    expect: { resetAfter: false, checkColumns: true },
  },
  {
    rule: "a plain write leaves no state to wait for (its runner resets it anyway)",
    sql: "INSERT INTO t VALUES (1) RETURNING id",
    kind: "execute",
    expect: { resetAfter: false },
  },
];

function run(rule: Rule): Admission {
  const source = { ...LISTED, ...rule.source };
  return decide(classifySql(rule.sql), source, rule.database ?? "shop", rule.kind ?? "query");
}

for (const rule of RULES) {
  Deno.test(`policy: ${rule.rule}`, () => {
    if (rule.expect instanceof RegExp) {
      assert.throws(() => run(rule), (error: unknown) => {
        assert.ok(error instanceof ToolError, String(error));
        assert.equal(error.code, "STATEMENT_NOT_ALLOWED");
        assert.match(error.message, rule.expect as RegExp);
        return true;
      });
    } else {
      const admission = run(rule);
      for (const [flag, value] of Object.entries(rule.expect)) {
        assert.equal(admission[flag as keyof Admission], value, `${flag}: ${rule.sql}`);
      }
    }
  });
}

Deno.test("decide() applies the caller's scope before anything else", () => {
  const read = classifySql("SELECT 1");
  const write = classifySql("DELETE FROM t");
  assert.doesNotThrow(() => decide(read, LISTED, "shop", "query", {}));
  assert.throws(
    () => decide(read, LISTED, "shop", "query", { datasources: ["other"] }),
    /Datasource "shop" is outside this caller's scope/,
  );
  assert.throws(
    () => decide(write, LISTED, "shop", "execute", { readOnly: true }),
    /scope is read-only/,
  );
  assert.doesNotThrow(() => decide(write, LISTED, "shop", "execute", { datasources: ["shop"] }));
});

Deno.test("checkFunctionsOn() refuses a built-in of the other flavour only", () => {
  const mysqlOnly = classifySql("SELECT ANY_VALUE(a) FROM t");
  assert.doesNotThrow(() => decide(mysqlOnly, LISTED, "shop", "query"));
  assert.doesNotThrow(() => checkFunctionsOn(mysqlOnly, "mysql", "8.4.3", LISTED));
  assert.throws(
    () => checkFunctionsOn(mysqlOnly, "mariadb", "10.11.9-MariaDB", LISTED),
    /ANY_VALUE\(\) is not a built-in/,
  );
  assert.doesNotThrow(() =>
    checkFunctionsOn(mysqlOnly, "mariadb", "10.11.9-MariaDB", {
      ...LISTED,
      allowStoredFunctions: true,
    })
  );
  const mariadbOnly = classifySql("SELECT ADD_MONTHS(NOW(), 1)");
  assert.doesNotThrow(() => checkFunctionsOn(mariadbOnly, "mariadb", "10.11.9-MariaDB", LISTED));
  assert.throws(() => checkFunctionsOn(mariadbOnly, "mysql", "8.4.3", LISTED), /ADD_MONTHS/);
});

Deno.test("checkFunctionsOn() takes a newer built-in as a stored function on an older server", () => {
  const newer = classifySql("SELECT UUID_V7()");
  assert.doesNotThrow(() => decide(newer, LISTED, "shop", "query"));
  assert.throws(
    () => checkFunctionsOn(newer, "mariadb", "10.11.19-MariaDB-0+deb12u1", LISTED),
    /UUID_V7\(\) is not a built-in/,
  );
  assert.doesNotThrow(() => checkFunctionsOn(newer, "mariadb", "11.8.2-MariaDB", LISTED));
  assert.doesNotThrow(() => checkFunctionsOn(newer, "mariadb", "12.0.1-MariaDB", LISTED));
});

Deno.test("checkViews() refuses a view that reaches a database off the allow-list", () => {
  const definitions = new Map([
    [objectKey("shop", "leak"), "select `secret`.`creds`.`token` AS `token` from `secret`.`creds`"],
    [
      objectKey("shop", "wrapper"),
      "select concat(`shop`.`leak`.`token`) AS `t` from `shop`.`leak`",
    ],
    [
      objectKey("shop", "names"),
      "select `shop`.`customers`.`name` AS `name` from `shop`.`customers`",
    ],
    [objectKey("shop", "hidden"), ""],
    [objectKey("shop", "calls"), "select `shop`.`f`() AS `x`"],
  ]);
  const reach = viewReach(definitions, isBuiltin, "mariadb");
  const check = (sql: string, kind: ToolKind = "query") => {
    const analysis = classifySql(sql, { flavor: "mariadb" });
    decide(analysis, LISTED, "shop", kind);
    checkViews(analysis, LISTED, "shop", reach);
  };
  assert.throws(
    () => check("SELECT CONCAT(token) FROM leak"),
    /view "shop.leak", which reads database "secret"/,
  );
  assert.throws(() => check("SELECT (SELECT t FROM shop.wrapper)"), /reads database "secret"/);
  assert.throws(() => check("UPDATE leak SET token = 'x'", "execute"), /reads database "secret"/);
  assert.throws(() => check("SELECT * FROM hidden"), /cannot read or does not understand/);
  assert.throws(() => check("SELECT CONCAT(token) FROM LEAK"), /reads database "secret"/);
  assert.throws(() => check("SELECT * FROM calls"), /calls a stored function/);
  assert.doesNotThrow(() => check("SELECT name FROM names JOIN customers c USING (name)"));
});

Deno.test("checkTableEngines() refuses tables whose engine reads other tables", () => {
  const engines: Record<string, string> = { "shop.m": "MRG_MyISAM", "shop.f": "FEDERATED" };
  const check = (sql: string) =>
    checkTableEngines(
      classifySql(sql).tables.map((t) => ({ db: t.db ?? "shop", name: t.name })),
      (db, t) => engines[`${db}.${t}`] ? [engines[`${db}.${t}`]] : [],
    );
  assert.throws(() => check("SELECT * FROM m"), /MRG_MYISAM engine reads other tables/);
  assert.throws(() => check("SELECT 1 FROM orders JOIN shop.f USING (id)"), /FEDERATED/);
  assert.doesNotThrow(() => check("SELECT * FROM orders"));
});

Deno.test("viewReach() follows a view to its base tables, and names that differ in case to all", () => {
  const definitions = new Map([
    [objectKey("shop", "vm"), "select `shop`.`mrg`.`secret` AS `secret` from `shop`.`mrg`"],
    [objectKey("shop", "Xa"), "select `secret`.`s`.`x` AS `x` from `secret`.`s`"],
    [objectKey("shop", "xa"), "select 1 AS `one`"],
  ]);
  const reach = viewReach(definitions, isBuiltin, "mariadb");
  assert.deepEqual(reach("shop", "vm")!.tables, [{ db: "shop", name: "mrg" }]);
  assert.deepEqual(reach("shop", "Xa")!.databases, ["shop", "secret"]);
  assert.deepEqual(reach("shop", "xa")!.databases, ["shop"]);
  // Spelled neither way: both candidates count.
  assert.ok(reach("shop", "XA")!.databases.includes("secret"));
  assert.deepEqual(reach("shop", "orders")!.tables, [{ db: "shop", name: "orders" }]);
});

Deno.test("the lexer ends a number at its exponent, as the server does", () => {
  const analysis = classifySql("SELECT CONCAT(secret) AS s, 1e+5FROM v");
  assert.deepEqual(analysis.tables, [{ name: "v" }]);
  assert.deepEqual(classifySql("SELECT 1e5FROM secret.t").databases, ["secret"]);
});

Deno.test("CTEs: forward references under RECURSIVE count, cycles are refused", () => {
  const chain = (k: number) =>
    "WITH RECURSIVE " +
    Array.from({ length: k - 1 }, (_, i) =>
      `c${i} AS (SELECT 1 AS x FROM c${i + 1} p, c${i + 1} q)`)
      .concat(`c${k - 1} AS (SELECT 1 AS x)`).join(", ") +
    " SELECT COUNT(*) FROM c0";
  assert.equal(classifySql(chain(5)).refusal, undefined);
  assert.match(classifySql(chain(18)).refusal ?? "", /expand to more than 64 copies/);
  assert.match(
    classifySql("WITH RECURSIVE a AS (SELECT 1 FROM b), b AS (SELECT 1 FROM a) SELECT * FROM a")
      .refusal ?? "",
    /cycle/,
  );
});

Deno.test("geometry constructors with another number of arguments count as stored calls", () => {
  assert.equal(gateRefusal("SELECT POINT(1, 2)"), undefined);
  assert.match(gateRefusal("SELECT POINT(1)") ?? "", /stored function/);
  assert.match(gateRefusal("SELECT GEOMETRYCOLLECTION()") ?? "", /stored function/);
});

Deno.test("foreignColumnSchema() finds a result column from outside the allow-list", () => {
  assert.equal(foreignColumnSchema(["shop", "", undefined], LISTED), undefined);
  assert.equal(foreignColumnSchema(["shop", "secret"], LISTED), "secret");
  assert.equal(foreignColumnSchema(["information_schema"], LISTED), "information_schema");
  assert.equal(foreignColumnSchema(["anything", "information_schema"], OPEN), undefined);
  assert.equal(foreignColumnSchema(["mysql"], OPEN), "mysql");
  assert.equal(foreignColumnSchema(["sys"], { ...OPEN, databases: ["sys"] }), undefined);
});

Deno.test("isReadableVariable() admits settings and no paths, hosts or secrets", () => {
  for (const name of ["version", "sql_mode", "time_zone", "max_allowed_packet", "autocommit"]) {
    assert.ok(isReadableVariable(name), name);
  }
  for (
    const name of [
      "datadir",
      "basedir",
      "tmpdir",
      "plugin_dir",
      "socket",
      "pid_file",
      "log_error",
      "general_log_file",
      "secure_file_priv",
      "hostname",
      "ssl_key",
      "wsrep_sst_auth",
      "server_uuid",
    ]
  ) {
    assert.ok(!isReadableVariable(name), name);
  }
});
