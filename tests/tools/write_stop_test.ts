/**
 * A write stopped by its timeout says whether anything was applied, from what the server
 * answered and the engines of the tables it writes: nothing on InnoDB, possibly some rows on a
 * non-transactional engine.
 */
import assert from "assert";
import { DB_TEST, startTestApp } from "../support/test_app.ts";
import { on } from "./_support.ts";

Deno.test({
  name: "a write stopped by its timeout says it was rolled back on InnoDB, and partial on MyISAM",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp({ server: { query_timeout: '"1s"' } });
    const { db } = t.db;
    try {
      await t.db.server.admin(
        `DROP TABLE IF EXISTS ${db}.stop_inno, ${db}.stop_myisam;` +
          `CREATE TABLE ${db}.stop_inno (id INT PRIMARY KEY, v INT) ENGINE=InnoDB;` +
          `CREATE TABLE ${db}.stop_myisam (id INT PRIMARY KEY, v INT) ENGINE=MyISAM;` +
          `INSERT INTO ${db}.stop_inno SELECT seq, 0 FROM ${db}.seq_1_to_20;` +
          `INSERT INTO ${db}.stop_myisam SELECT seq, 0 FROM ${db}.seq_1_to_20;`,
      );
      const inno = await t.fail(
        "mysql_execute",
        on(t, { statement: "UPDATE stop_inno SET v = v + 1 + SLEEP(0.2)" }),
      );
      assert.equal(inno.error_code, "QUERY_TIMEOUT");
      assert.equal(inno.details.applied, false, JSON.stringify(inno));
      assert.match(inno.message, /nothing was applied \(its tables are InnoDB\)/);

      const myisam = await t.fail(
        "mysql_execute",
        on(t, { statement: "UPDATE stop_myisam SET v = v + 1 + SLEEP(0.2)" }),
      );
      assert.equal(myisam.error_code, "QUERY_TIMEOUT");
      assert.equal(myisam.details.applied, "partial", JSON.stringify(myisam));
      const [row] = await t.db.server.admin(
        `SELECT SUM(v) AS changed FROM ${db}.stop_myisam`,
      ) as { changed: unknown }[];
      assert.ok(Number(row.changed) > 0, "some MyISAM rows were changed before the stop");
    } finally {
      await t.db.server.admin(`DROP TABLE IF EXISTS ${db}.stop_inno, ${db}.stop_myisam`);
      await t.close();
    }
  },
});
