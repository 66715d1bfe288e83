import assert from "assert";
import { encodeFrame, FrameError, FrameReader } from "../../src/plugins/frames.ts";

Deno.test("frames survive any split into chunks, in order", () => {
  const messages = [{ t: "a", n: 1 }, { t: "b", text: "é✓\n" + "x".repeat(70_000) }, [1, null]];
  const bytes = new Uint8Array(messages.flatMap((m) => [...encodeFrame(m)]));
  for (const size of [1, 3, 4, 5, 1000, 65_536, bytes.byteLength]) {
    const reader = new FrameReader();
    const got: unknown[] = [];
    for (let i = 0; i < bytes.byteLength; i += size) {
      got.push(...reader.push(bytes.subarray(i, i + size)));
    }
    assert.deepEqual(got, messages, `chunks of ${size}`);
  }
});

Deno.test("a frame over the limit, bytes that are not JSON or not UTF-8 are refused", () => {
  assert.throws(() => new FrameReader(10).push(encodeFrame("x".repeat(20))), FrameError);
  const notJson = new Uint8Array([0, 0, 0, 3, 0x7b, 0x7b, 0x7b]);
  assert.throws(() => new FrameReader().push(notJson), FrameError);
  const notUtf8 = new Uint8Array([0, 0, 0, 2, 0xff, 0xfe]);
  assert.throws(() => new FrameReader().push(notUtf8), FrameError);
  // A header announcing 4 GB is refused at once, not waited for.
  assert.throws(() => new FrameReader().push(new Uint8Array([0xff, 0xff, 0xff, 0xff])), FrameError);
});

Deno.test("what JSON cannot carry is the sender's error, not a broken frame", () => {
  assert.throws(() => encodeFrame({ n: 1n }), TypeError);
});
