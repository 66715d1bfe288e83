import assert from "assert";
import { DB_TEST, startTestApp } from "../support/test_app.ts";
import { on, textOf } from "./_support.ts";

const COLUMNS = [
  "id",
  "big",
  "ubig",
  "dec_value",
  "float_value",
  "d",
  "dt",
  "ts",
  "t",
  "doc",
  "bin",
  "blob_value",
  "txt",
  "nullable_text",
  "bits",
];

/** Row 1 and 2 of the seeded value_types table, as an agent must see them. */
const SEEDED = [
  [
    1,
    "9007199254740993",
    "18446744073709551615",
    "12345678901234567890.0123456789",
    0.1,
    "2024-02-29",
    "2024-03-10 02:30:00.123456",
    "2024-03-10 02:30:00",
    "-838:59:59",
    { a: [1, 2, { b: null }], emoji: "\u{1F600}" },
    { $base64: "AP8Q" },
    { $base64: "3q2+7w==" },
    "caf\u00e9 \u{1F600} \u65e5\u672c",
    "NULL",
    { $base64: "pQ==" },
  ],
  [
    2,
    "-9007199254740993",
    0,
    "-0.0000000001",
    -1.5e300,
    "0001-01-01",
    "9999-12-31 23:59:59.999999",
    null,
    "00:00:00",
    null,
    { $base64: "" },
    null,
    "",
    null,
    { $base64: "AA==" },
  ],
];

/**
 * A BIGINT within 2^53 may come as a number or as a string (both exact);
 * compare it as a number.
 */
function safeBigintsAsNumbers(row: unknown[]): unknown[] {
  return row.map((value, i) =>
    (i === 1 || i === 2) && typeof value === "string" && Number.isSafeInteger(Number(value))
      ? Number(value)
      : value
  );
}

Deno.test({
  name: "values keep their meaning: big numbers, decimals, dates, JSON, binary, NULL, emoji",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const result = await t.raw(
        "mysql_query",
        on(t, { query: `SELECT ${COLUMNS.join(", ")} FROM value_types ORDER BY id` }),
      );
      const q = result.structuredContent;
      assert.deepEqual(q.columns.map((c: { name: string }) => c.name), COLUMNS);
      assert.deepEqual(q.rows.map(safeBigintsAsNumbers), SEEDED);
      // Beyond 2^53 a BIGINT must be a string, or it would be rounded.
      assert.equal(typeof q.rows[0][1], "string");
      assert.equal(typeof q.rows[0][2], "string");
      assert.equal(typeof q.rows[1][1], "string");
      const types = Object.fromEntries(
        q.columns.map((c: { name: string; data_type: string }) => [c.name, c.data_type]),
      );
      assert.equal(types.big, "BIGINT");
      assert.equal(types.ubig, "BIGINT UNSIGNED");
      assert.equal(types.dec_value, "DECIMAL");
      assert.equal(types.dt, "DATETIME");
      assert.equal(types.bin, "VARBINARY");
      // MariaDB stores JSON as LONGTEXT; its extended metadata still says JSON.
      assert.equal(types.doc, "JSON");
      assert.equal(types.txt, "TEXT");

      // The text rendering keeps the same distinctions.
      const text = textOf(result);
      assert.ok(text.includes('"9007199254740993"'), "BIGINT exact in text");
      assert.ok(text.includes('"NULL"'), "the string NULL is quoted");
      assert.ok(text.includes('"$base64":"AP8Q"'), "binary is marked");
      assert.ok(text.includes("\u{1F600}"), "emoji intact");
      assert.match(text, /,"",null,/, "empty string and NULL both appear, distinct");
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "params compare exactly with big numbers, dates, 'NULL', empty strings and emoji",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    const ids = async (where: string, params: unknown[]) =>
      (await t.call(
        "mysql_query",
        on(t, { query: `SELECT id FROM value_types WHERE ${where} ORDER BY id`, params }),
      )).rows.map((r: unknown[]) => r[0]);
    try {
      assert.deepEqual(await ids("big = ?", ["9007199254740993"]), [1]);
      assert.deepEqual(await ids("big = ?", ["9007199254740992"]), []);
      assert.deepEqual(await ids("ubig = ?", ["18446744073709551615"]), [1]);
      assert.deepEqual(await ids("dec_value = ?", ["12345678901234567890.0123456789"]), [1]);
      assert.deepEqual(await ids("dec_value = ?", ["-0.0000000001"]), [2]);
      assert.deepEqual(await ids("dt = ?", ["2024-03-10 02:30:00.123456"]), [1]);
      assert.deepEqual(await ids("d = ?", ["0001-01-01"]), [2]);
      assert.deepEqual(await ids("nullable_text = ?", ["NULL"]), [1]);
      assert.deepEqual(await ids("nullable_text <=> ?", [null]), [2]);
      assert.deepEqual(await ids("txt = ?", [""]), [2]);
      assert.deepEqual(await ids("txt = ?", ["caf\u00e9 \u{1F600} \u65e5\u672c"]), [1]);
      assert.deepEqual(await ids("JSON_VALUE(doc, '$.emoji') = ?", ["\u{1F600}"]), [1]);
      assert.deepEqual(await ids("bin = UNHEX(?)", ["00FF10"]), [1]);
      const echoed = await t.call(
        "mysql_query",
        on(t, {
          query: "SELECT ? AS s, ? AS n, ? AS e, ? AS z",
          params: ["NULL", null, "\u{1F600}\u{1F469}\u200D\u{1F4BB}", ""],
        }),
      );
      assert.deepEqual(echoed.rows, [["NULL", null, "\u{1F600}\u{1F469}\u200D\u{1F4BB}", ""]]);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "values written through mysql_execute params read back exactly as stored",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    const insert = `INSERT INTO value_types (${COLUMNS.join(", ")}) VALUES
      (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UNHEX(?), FROM_BASE64(?), ?, ?, ?)`;
    try {
      const one = await t.call(
        "mysql_execute",
        on(t, {
          statement: insert,
          params: [
            101,
            "9007199254740993",
            "18446744073709551615",
            "12345678901234567890.0123456789",
            0.1,
            "2024-02-29",
            "2024-03-10 02:30:00.123456",
            "2024-03-10 02:30:00",
            "-838:59:59",
            JSON.stringify({ a: [1, 2, { b: null }], emoji: "\u{1F600}" }),
            "00FF10",
            "3q2+7w==",
            "caf\u00e9 \u{1F600} \u65e5\u672c",
            "NULL",
            165,
          ],
        }),
      );
      assert.equal(one.affected_rows, 1);
      const two = await t.call(
        "mysql_execute",
        on(t, {
          statement: insert,
          params: [
            102,
            "-9007199254740993",
            "0",
            "-0.0000000001",
            -1.5e300,
            "0001-01-01",
            "9999-12-31 23:59:59.999999",
            null,
            "00:00:00",
            null,
            "",
            null,
            "",
            null,
            0,
          ],
        }),
      );
      assert.equal(two.affected_rows, 1);
      const q = await t.call(
        "mysql_query",
        on(t, {
          query: `SELECT ${COLUMNS.join(", ")} FROM value_types WHERE id > 100 ORDER BY id`,
        }),
      );
      assert.deepEqual(q.rows.map(safeBigintsAsNumbers), [
        [101, ...SEEDED[0].slice(1)],
        [102, ...SEEDED[1].slice(1)],
      ]);
      // What the administrator sees agrees: nothing was shifted or rounded on the way in.
      const [stored] = await t.db.server.admin(
        `SELECT big, dec_value, dt, HEX(bin) AS bin, nullable_text FROM ${t.db.db}.value_types
          WHERE id = 101`,
      );
      assert.deepEqual(stored, {
        big: "9007199254740993",
        dec_value: "12345678901234567890.0123456789",
        dt: "2024-03-10 02:30:00.123456",
        bin: "00FF10",
        nullable_text: "NULL",
      });
    } finally {
      await t.db.server.admin(`DELETE FROM ${t.db.db}.value_types WHERE id > 100`);
      await t.close();
    }
  },
});
