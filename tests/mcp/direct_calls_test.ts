import assert from "assert";
import { DirectCalls } from "../../src/mcp/direct_calls.ts";
import { ErrorCode, type JSONRPCMessage, McpError } from "../../src/mcp/sdk.ts";

function setup(handle: ConstructorParameters<typeof DirectCalls>[0]) {
  const sent: any[] = [];
  const calls = new DirectCalls(handle, (message) => {
    sent.push(message);
    return Promise.resolve();
  });
  const take = (message: unknown) => calls.take(message as JSONRPCMessage);
  return { calls, sent, take };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("DirectCalls answers tools/call as the SDK's Protocol does", async () => {
  const { sent, take } = setup((request) => {
    if (request.params.name === "boom") {
      throw new McpError(ErrorCode.InvalidParams, "bad", { x: 1 });
    }
    if (request.params.name === "plain") throw new Error("oops");
    return Promise.resolve({ content: [{ type: "text", text: request.params.name }] });
  });
  assert.equal(take({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "a" } }), true);
  assert.equal(
    take({ jsonrpc: "2.0", id: "b", method: "tools/call", params: { name: "boom" } }),
    true,
  );
  assert.equal(
    take({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "plain" } }),
    true,
  );
  await settle();
  const byId = (id: unknown) => sent.find((message) => message.id === id);
  assert.equal(sent.length, 3);
  assert.deepEqual([byId(1), byId("b"), byId(3)], [
    { result: { content: [{ type: "text", text: "a" }] }, jsonrpc: "2.0", id: 1 },
    {
      jsonrpc: "2.0",
      id: "b",
      error: { code: ErrorCode.InvalidParams, message: "MCP error -32602: bad", data: { x: 1 } },
    },
    { jsonrpc: "2.0", id: 3, error: { code: ErrorCode.InternalError, message: "oops" } },
  ]);
});

Deno.test("DirectCalls leaves everything but a plain tools/call request to the SDK", () => {
  const { take } = setup(() => Promise.reject(new Error("not called")));
  for (
    const message of [
      { jsonrpc: "2.0", id: 1, method: "tools/list" },
      { jsonrpc: "2.0", method: "tools/call", params: { name: "a" } },
      { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "a", _meta: {} } },
      { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "a", task: {} } },
      { jsonrpc: "2.0", id: 1, method: "tools/call", params: ["a"] },
      { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1 } },
    ]
  ) assert.equal(take(message), false, JSON.stringify(message));
});

Deno.test("a cancelled direct call aborts its handler and is not answered", async () => {
  let signal: AbortSignal | undefined;
  const { sent, take, calls } = setup((_, extra) => {
    signal = extra.signal;
    return new Promise((_, reject) =>
      extra.signal.addEventListener("abort", () => reject(new Error("stopped")))
    );
  });
  take({ jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "slow" } });
  assert.equal(
    take({
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: 9, reason: "user" },
    }),
    false,
  );
  await settle();
  assert.equal(signal?.aborted, true);
  assert.equal(signal?.reason, "user");
  assert.deepEqual(sent, []);
  // And every call in flight when the transport closes.
  take({ jsonrpc: "2.0", id: 10, method: "tools/call", params: { name: "slow" } });
  calls.abortAll();
  await settle();
  assert.equal(signal?.aborted, true);
  assert.deepEqual(sent, []);
});
