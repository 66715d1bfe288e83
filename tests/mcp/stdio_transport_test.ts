import assert from "assert";
import { SecretScrubber } from "../../src/log/secret_scrubber.ts";
import { StdioTransport } from "../../src/mcp/stdio_transport.ts";

/** stdin that yields `lines` and then ends; stdout that collects what is written. */
function pipes(lines: string[]) {
  let sent = false;
  const written: Uint8Array[] = [];
  return {
    input: {
      read(p: Uint8Array): Promise<number | null> {
        if (sent) return Promise.resolve(null);
        sent = true;
        const bytes = new TextEncoder().encode(lines.map((l) => l + "\n").join(""));
        p.set(bytes);
        return Promise.resolve(bytes.length);
      },
    },
    output: {
      write(p: Uint8Array): Promise<number> {
        written.push(p.slice());
        return Promise.resolve(p.length);
      },
    },
    text: () => written.map((b) => new TextDecoder().decode(b)).join(""),
  };
}

Deno.test("StdioTransport scrubs every message it writes, also replies sent after stdin ended", async () => {
  const scrubber = new SecretScrubber();
  scrubber.add("hunter2-secret");
  const io = pipes([JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call" })]);
  const transport = new StdioTransport({ scrubber, input: io.input, output: io.output });
  const inputEnded = new Promise<void>((resolve) => (transport.oninputend = resolve));
  const answered = new Promise<void>((resolve) => {
    transport.onmessage = (message) => {
      // Answered after stdin has already ended: the owner closes once it has answered.
      setTimeout(async () => {
        await transport.send({
          jsonrpc: "2.0",
          method: "notifications/message",
          params: { level: "info", data: { msg: "using hunter2-secret" } },
        });
        await transport.send({
          jsonrpc: "2.0",
          id: (message as { id: number }).id,
          result: { content: [{ type: "text", text: JSON.stringify({ pw: "hunter2-secret" }) }] },
        });
        resolve();
      }, 50);
    };
  });
  await transport.start();
  await inputEnded;
  await answered;
  await transport.flushed();
  await transport.close();
  const lines = io.text().trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.equal(lines[0].params.data.msg, "using [REDACTED]");
  assert.deepEqual(JSON.parse(lines[1].result.content[0].text), { pw: "[REDACTED]" });
  assert.ok(!io.text().includes("hunter2-secret"));
});
