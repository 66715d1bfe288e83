import assert from "assert";
import { quoteIdentifier } from "../../src/sql/quote_identifier.ts";

Deno.test("quoteIdentifier() wraps a name in backticks", () => {
  assert.equal(quoteIdentifier("orders"), "`orders`");
  assert.equal(quoteIdentifier("my table"), "`my table`");
  assert.equal(quoteIdentifier("名前"), "`名前`");
});

Deno.test("quoteIdentifier() doubles backticks inside the name", () => {
  assert.equal(quoteIdentifier("a`b"), "`a``b`");
  assert.equal(quoteIdentifier("`; DROP TABLE t; --"), "```; DROP TABLE t; --`");
});

Deno.test("quoteIdentifier() accepts a name of exactly 64 characters", () => {
  assert.equal(quoteIdentifier("a".repeat(64)), "`" + "a".repeat(64) + "`");
  assert.equal(quoteIdentifier("😀".repeat(64)).length, 2 + 128);
});

Deno.test("quoteIdentifier() rejects names MySQL would reject", () => {
  assert.throws(() => quoteIdentifier(""), { name: "TypeError", message: /empty/ });
  assert.throws(() => quoteIdentifier("a".repeat(65)), {
    name: "TypeError",
    message: /65 characters, the limit is 64/,
  });
  assert.throws(() => quoteIdentifier("a\0b"), { name: "TypeError", message: /NUL/ });
  assert.throws(() => quoteIdentifier("name "), {
    name: "TypeError",
    message: /ends with a space/,
  });
});
