import assert from "assert";
import fc from "fast-check";
import { SecretScrubber } from "../../src/log/secret_scrubber.ts";
import { messageJson, withRowsJson } from "../../src/mcp/encoded_json.ts";
import { StdioTransport } from "../../src/mcp/stdio_transport.ts";
import type { JSONRPCMessage } from "../../src/mcp/sdk.ts";
import { encodeRows, renderRows } from "../../src/tools/render_rows.ts";

const columns = [
  { name: "id", data_type: "int", nullable: false },
  { name: 'note "quoted"\n', data_type: "varchar", nullable: true },
];

/** Values a row may hold once encodeRow() made it JSON-safe, and a few it never holds. */
const value = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.record({ $base64: fc.base64String() }),
  fc.jsonValue(),
);

const rowResult = fc.record({
  columns: fc.constant(columns),
  rows: fc.array(fc.array(value, { maxLength: 4 }), { maxLength: 20 }),
  row_count: fc.nat(),
  truncated: fc.boolean(),
  execution_time_ms: fc.double({ min: 0, max: 1e6, noNaN: true }),
  warnings: fc.option(fc.array(fc.string(), { maxLength: 2 }), { nil: undefined }),
  stream_id: fc.option(fc.uuid(), { nil: undefined }),
  has_more: fc.option(fc.boolean(), { nil: undefined }),
});

Deno.test("encodeRows: the text is renderRows() and the rows are JSON.stringify's, byte for byte", () => {
  fc.assert(
    fc.property(rowResult, (result) => {
      const { text, rows } = encodeRows(result);
      assert.equal(text, renderRows(result));
      assert.equal(`[${rows.join(",")}]`, JSON.stringify(result.rows));
    }),
    { numRuns: 300 },
  );
});

/** A tool answer as the MCP layer makes it for a row result. */
function answer(result: { rows: unknown[][]; [member: string]: unknown }) {
  const { text, rows } = encodeRows(result);
  return withRowsJson({ content: [{ type: "text", text }], structuredContent: result }, rows);
}

Deno.test("messageJson splices the rows into a response: the same bytes as JSON.stringify", () => {
  fc.assert(
    fc.property(rowResult, fc.oneof(fc.integer(), fc.string()), (result, id) => {
      const message = { result: answer(result), jsonrpc: "2.0", id } as unknown as JSONRPCMessage;
      assert.equal(messageJson(message), JSON.stringify(message));
    }),
    { numRuns: 300 },
  );
  // Names, values and members (a hook may add some) that look like the rows do not move them.
  const tricky = {
    columns: [{ name: '"rows":0', data_type: "int", nullable: false, rows: 0 }],
    extra: { rows: 0, also: '"rows":"rows:' },
    rows: [['"rows":0', 0]],
    row_count: 1,
    truncated: false,
    execution_time_ms: 1,
    warnings: ['"rows":0'],
  };
  const message = { result: answer(tricky), jsonrpc: "2.0", id: 1 } as unknown as JSONRPCMessage;
  assert.equal(messageJson(message), JSON.stringify(message));
  // Messages without rows of their own are stringified as they are.
  const plain = { jsonrpc: "2.0", id: 3, result: { content: [] } } as unknown as JSONRPCMessage;
  assert.equal(messageJson(plain), JSON.stringify(plain));
  const notification = { jsonrpc: "2.0", method: "x" } as unknown as JSONRPCMessage;
  assert.equal(messageJson(notification), JSON.stringify(notification));
});

Deno.test("a pre-encoded result still passes the secret scrubber on its way out", async () => {
  const scrubber = new SecretScrubber();
  scrubber.add("hunter2-secret");
  const written: Uint8Array[] = [];
  const transport = new StdioTransport({
    scrubber,
    input: { read: () => new Promise<null>(() => {}) },
    output: {
      write(p: Uint8Array) {
        written.push(p.slice());
        return Promise.resolve(p.length);
      },
    },
  });
  const rows = {
    columns,
    rows: [[1, "hunter2-secret"]],
    row_count: 1,
    truncated: false,
    execution_time_ms: 1,
  };
  await transport.send(
    { jsonrpc: "2.0", id: 7, result: answer(rows) } as unknown as JSONRPCMessage,
  );
  await transport.close();
  const out = written.map((b) => new TextDecoder().decode(b)).join("");
  assert.ok(!out.includes("hunter2"), out);
  const message = JSON.parse(out);
  assert.equal(message.id, 7);
  assert.deepEqual(message.result.structuredContent.rows, [[1, "[REDACTED]"]]);
  assert.ok(message.result.content[0].text.includes('[1,"[REDACTED]"]'));
});
