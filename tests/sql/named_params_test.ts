import assert from "assert";
import { placeholderNames, toPositional } from "../../src/sql/named_params.ts";

Deno.test("toPositional() replaces each :name with ? in order, repeats included", () => {
  assert.deepEqual(
    toPositional("SELECT * FROM t WHERE a = :status AND b > :min OR a = :status LIMIT :limit"),
    {
      sql: "SELECT * FROM t WHERE a = ? AND b > ? OR a = ? LIMIT ?",
      names: ["status", "min", "status", "limit"],
    },
  );
});

Deno.test("toPositional() leaves :name inside strings, identifiers and comments alone", () => {
  const sql = "SELECT ':a', \":b\", `:c` /* :d */ -- :e\nFROM t WHERE x = :f # :g";
  assert.deepEqual(toPositional(sql), {
    sql: "SELECT ':a', \":b\", `:c` /* :d */ -- :e\nFROM t WHERE x = ? # :g",
    names: ["f"],
  });
});

Deno.test("toPositional() does not mistake := or a time literal for a placeholder", () => {
  assert.deepEqual(toPositional("SELECT @a := 1, '12:30:00', 1 :2"), {
    sql: "SELECT @a := 1, '12:30:00', 1 :2",
    names: [],
  });
});

Deno.test("toPositional() returns the input unchanged when there are no placeholders", () => {
  const sql = "SELECT 1";
  assert.equal(toPositional(sql).sql, sql);
});

Deno.test("toPositional() replaces placeholders inside executable comments, which are code", () => {
  assert.deepEqual(toPositional("SELECT 1 /*! + :x */"), {
    sql: "SELECT 1 /*! + ? */",
    names: ["x"],
  });
});

Deno.test("placeholderNames() lists distinct names in first-seen order", () => {
  assert.deepEqual(placeholderNames("SELECT :b, :a, :b, :c_1"), ["b", "a", "c_1"]);
});
