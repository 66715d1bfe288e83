import assert from "assert";

/** node:assert/strict with the (actual, expected) spelling of std's asserts. */
export function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}

/** Expects `fn` to throw an instance of `type` whose message contains `includes`. */
export function assertThrows(
  fn: () => unknown,
  type: abstract new (...a: any[]) => Error,
  includes: string,
): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    assert.ok(error.message.includes(includes), `"${error.message}" lacks "${includes}"`);
    return true;
  });
}
