import assert from "assert";
import { DB_TEST, startTestApp, type TestApp } from "../support/test_app.ts";
import { dbState, on } from "./_support.ts";

type Tool = "mysql_query" | "mysql_execute";

/**
 * What must happen: an error code (or any of several), "first-only" (the
 * first statement runs, the rest is ignored with a warning), or "harmless"
 * (may succeed, as long as it changes nothing and reveals nothing).
 */
type Expect = string | string[] | "first-only" | "harmless";

interface Hostile {
  tool: Tool;
  sql: string;
  expect: Expect;
  params?: (string | number | null)[];
  /** Rows a harmless statement returns (default 0). */
  rows?: number;
}

const NOT_ALLOWED = "STATEMENT_NOT_ALLOWED";

/** The hostile statements, with `{D}` the test database, `{O}` the hidden one, `{F}` a fresh file. */
function hostileStatements(): Hostile[] {
  const q = (sql: string, expect: Expect = NOT_ALLOWED): Hostile => ({
    tool: "mysql_query",
    sql,
    expect,
  });
  const e = (sql: string, expect: Expect = NOT_ALLOWED): Hostile => ({
    tool: "mysql_execute",
    sql,
    expect,
  });
  return [
    // DDL and DCL through either tool.
    q("DROP TABLE customers"),
    q("CREATE TABLE evil (id INT)"),
    q("ALTER TABLE customers ADD COLUMN evil INT"),
    q("TRUNCATE TABLE orders"),
    q("RENAME TABLE customers TO evil"),
    q("CREATE USER evil IDENTIFIED BY 'evil'"),
    q("GRANT ALL PRIVILEGES ON *.* TO CURRENT_USER"),
    e("DROP TABLE customers"),
    e("drop table if exists `customers`"),
    e("CREATE TABLE evil (id INT)"),
    e("CREATE TABLE evil AS SELECT * FROM customers"),
    e("ALTER TABLE orders DROP FOREIGN KEY fk_orders_customer"),
    e("TRUNCATE orders"),
    e("DROP DATABASE {D}"),
    e("REVOKE ALL PRIVILEGES ON {D}.* FROM CURRENT_USER"),
    e("CREATE PROCEDURE evil() SELECT 1"),
    e("CREATE TRIGGER evil BEFORE INSERT ON customers FOR EACH ROW SET NEW.name = 'x'"),
    e("CREATE VIEW evil AS SELECT * FROM customers"),
    e("CREATE INDEX evil ON customers (name)"),
    e("/* harmless */ DROP TABLE orders"),
    e("/*!DROP TABLE orders*/"),
    // Multi-statement smuggling: only the first statement may ever run.
    q("SELECT 1; DROP TABLE customers", "first-only"),
    q("SELECT 1 /* ; */ ; DELETE FROM customers", "first-only"),
    q("SELECT ';' ; DROP TABLE orders", "first-only"),
    q("SELECT 1 -- ; not a separator\n; TRUNCATE orders", "first-only"),
    q("SELECT 1 # ; not a separator\n; DROP TABLE customers", "first-only"),
    q("SELECT `a;b` FROM (SELECT 1 AS `a;b`) x; DROP TABLE customers", "first-only"),
    e("DELETE FROM customers WHERE id = -1; DROP TABLE customers", "first-only"),
    e("UPDATE customers SET name = name WHERE id = -1; DELETE FROM customers", "first-only"),
    q("SELECT 1 /*!; DROP TABLE customers */"),
    q("SELECT 1 /*!50000 ; DROP TABLE customers */"),
    q("SELECT 1 /*M!100000 ; TRUNCATE orders */"),
    q("/*! DROP TABLE customers */"),
    q("/*!50000 DROP TABLE customers */ SELECT 1"),
    q("/*M! DROP TABLE customers */ SELECT 1"),
    q("SELECT 1 /*! UNION SELECT secret FROM {O}.secrets */"),
    e("DELETE FROM customers WHERE id = -1 /*! ; DROP TABLE customers */"),
    {
      tool: "mysql_query",
      sql: "SELECT 'x'';DROP TABLE customers;--'",
      expect: "harmless",
      rows: 1,
    },
    // Files: written, read or loaded.
    q("SELECT * FROM customers INTO OUTFILE '{F}'"),
    q("SELECT * FROM customers INTO DUMPFILE '{F}'"),
    q("SELECT name INTO OUTFILE '{F}' FROM customers"),
    q("SELECT 1 /*! INTO OUTFILE '{F}' */"),
    q("WITH x AS (SELECT 1) SELECT * FROM x INTO OUTFILE '{F}'"),
    q("SELECT * FROM (SELECT 1) x UNION SELECT 2 INTO DUMPFILE '{F}'"),
    q("SELECT LOAD_FILE('/etc/passwd')"),
    q("SELECT load_file ('/etc/hostname') AS x"),
    q("SELECT * FROM customers WHERE name = LOAD_FILE('/etc/passwd')"),
    e("LOAD DATA INFILE '/etc/passwd' INTO TABLE customers"),
    e("LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE customers"),
    e("LOAD XML INFILE '/etc/passwd' INTO TABLE customers"),
    e("INSERT INTO customers (email, name) SELECT 'f@x', LOAD_FILE('/etc/passwd')"),
    // Locks that outlive the statement or block others.
    q("SELECT * FROM customers FOR UPDATE"),
    q("SELECT * FROM customers LOCK IN SHARE MODE"),
    q("SELECT * FROM customers FOR SHARE"),
    q("SELECT * FROM customers WHERE id = 1 FOR UPDATE NOWAIT"),
    q("SELECT GET_LOCK('evil', 0)"),
    q("SELECT RELEASE_ALL_LOCKS()"),
    q("LOCK TABLES customers WRITE"),
    e("LOCK TABLES customers WRITE"),
    q("UNLOCK TABLES"),
    // Session state, procedures, handlers, prepared statements, administration.
    q("SET @evil = 1"),
    q("SET SESSION sql_mode = ''"),
    e("SET GLOBAL max_connections = 1"),
    q("SELECT 1 INTO @evil"),
    q("CALL evil()"),
    e("CALL evil()"),
    q("HANDLER customers OPEN"),
    q("PREPARE s FROM 'DROP TABLE customers'"),
    q("EXECUTE s"),
    q("DEALLOCATE PREPARE s"),
    q("DO SLEEP(0)"),
    q("USE {O}"),
    q("KILL CONNECTION_ID()"),
    e("KILL 1"),
    q("FLUSH PRIVILEGES"),
    q("START TRANSACTION"),
    e("COMMIT"),
    q("SHUTDOWN"),
    q("INSTALL PLUGIN evil SONAME 'evil.so'"),
    q("BINLOG 'evil'"),
    q("XA START 'evil'"),
    // DML dressed as a read.
    q("WITH x AS (SELECT 1) DELETE FROM customers"),
    q("WITH x AS (SELECT id FROM customers) UPDATE customers SET name = 'x'"),
    q("EXPLAIN ANALYZE DELETE FROM customers"),
    q("EXPLAIN ANALYZE UPDATE customers SET name = 'x'"),
    q("ANALYZE DELETE FROM customers"),
    q("ANALYZE UPDATE orders SET total = 0"),
    q("ANALYZE TABLE customers"),
    q("OPTIMIZE TABLE customers"),
    q("REPLACE INTO customers (id, email, name) VALUES (1, 'x@x', 'x')"),
    q("INSERT INTO customers (email, name) VALUES ('q@x', 'q')"),
    q("(DELETE FROM customers)"),
    // The hidden database, however it is named.
    q("SELECT * FROM {O}.secrets"),
    q("SELECT * FROM `{O}`.`secrets`"),
    q("SELECT * FROM {O} . secrets"),
    q("SELECT * FROM /* x */ {O}./* y */secrets"),
    q("SELECT c.name, s.secret FROM customers c JOIN {O}.secrets s ON s.id = c.id"),
    q("SELECT (SELECT secret FROM {O}.secrets LIMIT 1)"),
    q("SELECT * FROM customers WHERE id IN (SELECT id FROM {O}.secrets)"),
    q("SELECT id, email, name, NULL FROM customers UNION SELECT id, secret, secret, NULL FROM {O}.secrets"),
    q("WITH s AS (SELECT * FROM {O}.secrets) SELECT * FROM s"),
    q("SHOW TABLES FROM {O}"),
    q("SHOW TABLES IN `{O}`"),
    q("SHOW COLUMNS FROM secrets FROM {O}"),
    q("SHOW CREATE TABLE {O}.secrets"),
    q("DESCRIBE {O}.secrets"),
    q("EXPLAIN SELECT * FROM {O}.secrets"),
    q("SELECT * FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{O}'"),
    q("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA"),
    q("SELECT * FROM mysql.user"),
    q("SHOW DATABASES"),
    q("SHOW SCHEMAS"),
    q("show /* x */ databases like '%'"),
    e("INSERT INTO customers (email, name) SELECT secret, secret FROM {O}.secrets"),
    e("DELETE FROM {O}.secrets"),
    e("UPDATE {O}.secrets SET secret = 'pwned'"),
    e("UPDATE customers c JOIN {O}.secrets s ON s.id = c.id SET s.secret = 'pwned'"),
    // Harmless: plain EXPLAIN does not run the statement; a read-only transaction keeps any
    // function call from writing.
    q("EXPLAIN DELETE FROM customers", "harmless"),
    q("SELECT evil_write()"),
    q("SELECT * FROM customers WHERE evil_write() = 1"),
    // SQL text in params is bound as data.
    {
      tool: "mysql_query",
      sql: "SELECT * FROM customers WHERE name = ?",
      params: ["' OR 1=1 --"],
      expect: "harmless",
    },
    {
      tool: "mysql_execute",
      sql: "DELETE FROM customers WHERE name = ?",
      params: ["' OR 1=1 -- "],
      expect: "harmless",
    },
    {
      tool: "mysql_execute",
      sql: "UPDATE customers SET name = ? WHERE id = -1",
      params: ["x'; DROP TABLE customers; --"],
      expect: "harmless",
    },
    {
      tool: "mysql_query",
      sql: "SELECT * FROM customers WHERE email = ? OR name = ?",
      params: ["\\' OR 1=1 #", '" OR ""="'],
      expect: "harmless",
    },
  ];
}

/** Files a hostile statement may have tried to write. */
function outputFiles(dir: string): string[] {
  return [...Array(64).keys()].map((i) => `${dir}/out_${i}.txt`);
}

async function assertNoFiles(dir: string) {
  const entries = [];
  for await (const entry of Deno.readDir(dir)) entries.push(entry.name);
  assert.deepEqual(entries, [], `files written to ${dir}`);
}

async function run(t: TestApp, hostile: Hostile, sql: string) {
  const args = hostile.tool === "mysql_query" ? { query: sql } : { statement: sql };
  return await t.raw(hostile.tool, on(t, { ...args, params: hostile.params }));
}

Deno.test({
  name: "hostile statements are refused and change nothing, write no file, reveal nothing",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    const { db, otherDb } = t.db;
    const dir = await Deno.makeTempDir({ prefix: "mysql_mcp_outfile_" });
    await Deno.chmod(dir, 0o777);
    // A function with side effects, defined by the administrator: mysql_query must not let it write.
    await t.db.server.admin(
      `CREATE FUNCTION ${db}.evil_write() RETURNS INT MODIFIES SQL DATA
         BEGIN INSERT INTO ${db}.customers (email, name) VALUES (UUID(), 'evil'); RETURN 1; END`,
    );
    try {
      const hostiles = hostileStatements();
      assert.ok(hostiles.length >= 40);
      const files = outputFiles(dir);
      const before = await dbState(t);
      for (const [i, hostile] of hostiles.entries()) {
        const sql = hostile.sql.replaceAll("{D}", db).replaceAll("{O}", otherDb)
          .replaceAll("{F}", files[i % files.length]);
        const label = `${hostile.tool}: ${sql}`;
        const result = await run(t, hostile, sql);
        const text = JSON.stringify(result);
        if (hostile.expect === "first-only") {
          assert.notEqual(result.isError, true, `${label} -> ${text}`);
          assert.ok(
            result.structuredContent.warnings?.some((w: string) => /Only the first/.test(w)),
            `${label} warns that only the first statement ran`,
          );
        } else if (hostile.expect === "harmless") {
          if (result.isError) {
            const code = JSON.parse(result.content[0].text).error_code;
            assert.ok(
              ["STATEMENT_NOT_ALLOWED", "QUERY_EXECUTION_ERROR"].includes(code),
              `${label} -> ${text}`,
            );
          }
          const affected = result.structuredContent?.affected_rows;
          assert.ok(!affected, `${label} affected ${affected} rows`);
          assert.equal(
            result.structuredContent?.rows?.length ?? 0,
            hostile.rows ?? 0,
            `${label} returned rows`,
          );
        } else {
          assert.equal(result.isError, true, `${label} should fail -> ${text}`);
          const error = JSON.parse(result.content[0].text);
          const codes = Array.isArray(hostile.expect) ? hostile.expect : [hostile.expect];
          assert.ok(codes.includes(error.error_code), `${label} -> ${text}`);
        }
        assert.ok(!text.includes(otherDb) || sql.includes(otherDb), `${label} names otherDb`);
        assert.ok(!text.includes("do-not-read"), `${label} revealed a secret`);
        assert.ok(!text.includes("root:"), `${label} revealed /etc/passwd`);
        assert.equal(await dbState(t), before, `${label} changed the database`);
      }
      await assertNoFiles(dir);
      // Nothing of it lingers on the pooled connections: a session lock, a variable, a table lock.
      for (let i = 0; i < 6; i++) {
        const q = await t.call(
          "mysql_query",
          on(t, { query: "SELECT @evil, COUNT(*) FROM customers" }),
        );
        assert.deepEqual(q.rows.map((r: unknown[]) => r.map(String)), [["null", "3"]]);
      }
      // IS_FREE_LOCK is refused to agents (it shows other sessions' locks): ask as admin.
      const [lock] = await t.db.server.admin("SELECT IS_FREE_LOCK('evil') AS free") as any[];
      assert.equal(String(lock.free), "1");
    } finally {
      await t.db.server.admin(`DROP FUNCTION IF EXISTS ${db}.evil_write`);
      await Deno.remove(dir, { recursive: true });
      await t.close();
    }
  },
});

Deno.test({
  name: "statements that leak other databases' names are refused under an allow-list",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      // Each of these lists objects across every database the account can see, or prints
      // the account's password hash.
      await t.db.server.admin(`SELECT * FROM ${t.db.otherDb}.secrets`); // into the table cache
      await t.db.server.admin(`CREATE PROCEDURE ${t.db.otherDb}.hidden_proc() SELECT 1`);
      try {
        for (
          const query of [
            "SHOW GRANTS",
            "show /* x */ grants FOR CURRENT_USER",
            "SHOW CREATE USER CURRENT_USER",
            "SHOW OPEN TABLES",
            "SHOW FUNCTION STATUS",
            "SHOW PROCEDURE STATUS",
            "SHOW PACKAGE BODY STATUS",
            "SHOW TABLE_STATISTICS",
          ]
        ) {
          const result = await t.raw("mysql_query", on(t, { query }));
          const text = JSON.stringify(result);
          assert.ok(!text.includes(t.db.otherDb), `${query} names the hidden database: ${text}`);
          assert.doesNotMatch(text, /PASSWORD|\*[0-9A-F]{40}/, `${query} shows a password hash`);
          assert.equal(JSON.parse(result.content[0].text).error_code, "STATEMENT_NOT_ALLOWED");
        }
        // Within the allowed database these stay available.
        for (const query of ["SHOW TABLES", "SHOW TABLE STATUS", "SHOW OPEN TABLES FROM {D}"]) {
          const result = await t.raw(
            "mysql_query",
            on(t, { query: query.replace("{D}", t.db.db) }),
          );
          if (query.startsWith("SHOW OPEN")) continue; // refused or not, it names no other db
          assert.notEqual(result.isError, true, query);
        }
      } finally {
        await t.db.server.admin(`DROP PROCEDURE ${t.db.otherDb}.hidden_proc`);
      }
    } finally {
      await t.close();
    }
  },
});
