import assert from "assert";
import fc from "fast-check";
import { Secret } from "../../src/config/secret.ts";
import { SecretScrubber } from "../../src/log/secret_scrubber.ts";

const R = SecretScrubber.MARKER;

function scrubberOf(...secrets: string[]): SecretScrubber {
  const scrubber = new SecretScrubber();
  for (const secret of secrets) assert.ok(scrubber.add(secret), secret);
  return scrubber;
}

Deno.test("scrub() replaces every plain occurrence of a secret with [REDACTED]", () => {
  const s = scrubberOf("hunter22");
  assert.equal(s.scrub("pw hunter22, again hunter22."), `pw ${R}, again ${R}.`);
  assert.equal(s.scrub("hunter22"), R);
});

Deno.test("scrub() returns the very same string when no secret is present", () => {
  const s = scrubberOf("hunter22", 'tr"icky\\pässword');
  const text = JSON.stringify({ result: { rows: [[1, "Ann"]] } });
  assert.equal(s.scrub(text), text);
  assert.equal(new SecretScrubber().scrub(text), text);
});

Deno.test("scrub() returns the same string when only a part of a secret is present", () => {
  const s = scrubberOf("P@ss w0rd!");
  const text = '{"note":"w0rd and P@ss"}';
  assert.equal(s.scrub(text), text);
});

Deno.test("scrub() catches a secret JSON-escaped once and twice, as in a message and in a result's text", () => {
  const secret = 'q"uo\\te\n\ttab\u0001é€😀';
  const s = scrubberOf(secret);
  const message = JSON.stringify({
    structuredContent: { value: secret },
    content: [{ type: "text", text: JSON.stringify({ value: secret }) }],
  });
  const out = s.scrub(message);
  const parsed = JSON.parse(out);
  assert.equal(parsed.structuredContent.value, R);
  assert.equal(JSON.parse(parsed.content[0].text).value, R);
  assert.ok(!out.includes(JSON.stringify(secret).slice(1, -1)));
});

Deno.test("scrub() catches non-ASCII written as \\uXXXX escapes in lower- or upper-case hex", () => {
  const s = scrubberOf("pässwörd€");
  assert.equal(s.scrub(String.raw`{"v":"p\u00e4ssw\u00f6rd\u20ac"}`), `{"v":"${R}"}`);
  assert.equal(s.scrub(String.raw`{"v":"p\u00E4ssw\u00F6rd\u20AC"}`), `{"v":"${R}"}`);
});

Deno.test("scrub() catches a secret percent-encoded the ways URLs and forms write it", () => {
  const secret = "p@ss w/rd!(x)";
  const s = scrubberOf(secret);
  for (
    const encoded of [
      encodeURIComponent(secret), // p%40ss%20w%2Frd!(x)
      "p%40ss%20w%2Frd%21%28x%29", // strict RFC 3986
      "p%40ss+w%2Frd%21%28x%29", // form encoding
      "p%40ss%20w%2frd!(x)", // lower-case hex
    ]
  ) {
    assert.equal(s.scrub(`mysql://u:${encoded}@db:3306`), `mysql://u:${R}@db:3306`, encoded);
  }
});

Deno.test("scrub() catches a secret in a Prometheus label value", () => {
  const secret = 'a"b\\c\td';
  const s = scrubberOf(secret);
  const label = secret.replaceAll("\\", "\\\\").replaceAll('"', '\\"');
  assert.equal(s.scrub(`m{pool="${label}"} 1`), `m{pool="${R}"} 1`);
});

Deno.test("scrub() handles several secrets, and overlapping occurrences become one marker", () => {
  const s = scrubberOf("alpha-one", "beta-two", "abcdef", "defghi", "abab", "password1", "word");
  assert.equal(s.scrub("x alpha-one y beta-two z"), `x ${R} y ${R} z`);
  assert.equal(s.scrub("xxabcdefghixx"), `xx${R}xx`);
  assert.equal(s.scrub("ababab!"), `${R}!`);
  assert.equal(s.scrub("my password1 and a word"), `my ${R} and a ${R}`);
});

Deno.test("scrub() never leaves half a JSON escape behind", () => {
  const s = scrubberOf("nopass", "00e9zz");
  // "\n" followed by "opass": the secret starts on the escaped letter.
  assert.equal(s.scrub(String.raw`{"v":"a\nopass"}`), `{"v":"a${R}"}`);
  // A match inside \u00e9 takes the whole escape.
  assert.equal(s.scrub(String.raw`{"v":"x\u00e9zz"}`), `{"v":"x${R}"}`);
  // An escaped backslash before it is not an escape introducer.
  assert.equal(s.scrub(String.raw`{"v":"\\nopass"}`), String.raw`{"v":"\\${R}"}`);
  JSON.parse(s.scrub(String.raw`{"v":"\\nopass"}`));
});

Deno.test("a secret shorter than MIN_LENGTH is not registered: it would mangle every message", () => {
  const s = new SecretScrubber();
  assert.equal(SecretScrubber.MIN_LENGTH, 4);
  assert.equal(s.add("abc"), false);
  assert.equal(s.add(""), false);
  assert.equal(s.size, 0);
  assert.equal(s.scrub("abc abc"), "abc abc");
  assert.equal(s.add("abcd"), true);
  assert.equal(s.add("abcd"), true);
  assert.equal(s.size, 1);
});

Deno.test("add() takes effect at once, for secrets learnt at run time", () => {
  const s = new SecretScrubber();
  assert.equal(s.scrub("Bearer tok-123456"), "Bearer tok-123456");
  s.add("tok-123456");
  assert.equal(s.scrub("Bearer tok-123456"), `Bearer ${R}`);
});

Deno.test("addPasswords() registers every datasource password and warns once, by key, for a short one", () => {
  const warnings: { msg: string; fields?: Record<string, unknown> }[] = [];
  const s = new SecretScrubber();
  s.addPasswords([
    { key: "main", password: new Secret("long-enough-pw") },
    { key: "legacy", password: new Secret("pw") },
    { key: "nopass", password: new Secret("") },
  ], { warn: (msg, fields) => void warnings.push({ msg, fields }) });
  assert.equal(s.size, 1);
  assert.equal(s.scrub("long-enough-pw"), R);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0].msg, /datasource "legacy".*shorter than 4 characters/);
  assert.deepEqual(warnings[0].fields, { datasource: "legacy" });
  assert.ok(!JSON.stringify(warnings).includes('"pw"'));
});

const secretArb = fc.string({
  unit: fc.oneof(
    fc.constantFrom('"', "\\", "\n", "\t", "\u0001", "%", "+", " ", "/", "é", "€", "😀", "u"),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
  ),
  minLength: SecretScrubber.MIN_LENGTH,
  maxLength: 12,
}).filter((s) => s.length >= SecretScrubber.MIN_LENGTH && !/[[\]]/.test(s) && !R.includes(s));

Deno.test("property: a secret anywhere in a message, JSON-escaped once or twice, never survives scrubbing", () => {
  fc.assert(
    fc.property(secretArb, fc.string(), fc.string(), (secret, before, after) => {
      const s = scrubberOf(secret);
      const value = before + secret + after;
      const out = s.scrub(JSON.stringify({ v: value, text: JSON.stringify({ v: value }) }));
      assert.ok(!out.includes(secret));
      assert.ok(!out.includes(JSON.stringify(secret).slice(1, -1)));
      // A secret without quote or backslash can only match inside strings: the JSON stays valid.
      if (!/["\\]/.test(secret)) {
        const parsed = JSON.parse(out);
        assert.ok(!parsed.v.includes(secret));
        assert.ok(!parsed.text.includes(secret));
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: scrub() leaves text without the secret (in any form) untouched", () => {
  fc.assert(
    fc.property(secretArb, fc.string(), (secret, text) => {
      // Every encoded form differs from the plain one by a backslash, % or +.
      fc.pre(!text.includes(secret) && !/[\\%+]/.test(text));
      assert.equal(scrubberOf(secret).scrub(text), text);
    }),
    { numRuns: 300 },
  );
});
