import assert from "assert";
import type { ServerConfig } from "../../src/config/config.ts";
import type { Catalog } from "../../src/datasources/catalog.ts";
import type { Datasources } from "../../src/datasources/datasources.ts";
import { type AdmittedStatement, SqlGate } from "../../src/gate/sql_gate.ts";
import { Logger } from "../../src/log/logger.ts";
import type { PooledConnection } from "../../src/pool/types.ts";
import { classifySql } from "../../src/sql/classify.ts";

// statementText() needs no database: the gate is built from plain values.
const gate = new SqlGate(
  {} as Datasources,
  {} as Catalog,
  { queryTimeoutMs: 30_000 } as ServerConfig,
  new Logger({ level: "error", sinks: [] }),
);
const text = (flavor: "mysql" | "mariadb", sql: string, cap = 1001) =>
  gate.statementText(
    { flavor } as PooledConnection,
    { analysis: classifySql(sql) } as AdmittedStatement,
    cap,
  );

Deno.test("statementText() gives MariaDB its timeout and row cap in the same round trip", () => {
  assert.equal(
    text("mariadb", "SELECT * FROM t"),
    "SET STATEMENT max_statement_time=30, sql_select_limit=1001 FOR SELECT * FROM t",
  );
  assert.equal(
    text("mariadb", "DELETE FROM t", 0),
    "SET STATEMENT max_statement_time=30 FOR DELETE FROM t",
  );
});

Deno.test("statementText() gives a MySQL 8 SELECT optimizer hints for timeout and row cap", () => {
  assert.equal(
    text("mysql", "select a from b -- tail"),
    "select /*+ MAX_EXECUTION_TIME(30000) SET_VAR(sql_select_limit=1001) */ a from b",
  );
  // Only a SELECT at the very start takes hints; the rest rely on KILL QUERY.
  assert.equal(text("mysql", "SHOW TABLES"), "SHOW TABLES");
  assert.equal(
    text("mysql", "WITH x AS (SELECT 1) SELECT * FROM x"),
    "WITH x AS (SELECT 1) SELECT * FROM x",
  );
});
