/**
 * A bare MCP client over stdio: one JSON-RPC message per line, no size
 * limit on a line. The SDK's stdio client refuses any message over 10 MB,
 * which results up to max_result_bytes (16 MB by default) can exceed; the
 * 1 MB-rows measurements read them with this instead.
 */
export class LineClient {
  readonly pid: number;
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #pending = new Map<number, (message: any) => void>();
  #nextId = 1;
  readonly #done: Promise<void>;

  constructor(command: string, args: string[], env: Record<string, string> = {}) {
    this.#child = new Deno.Command(command, {
      args,
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.pid = this.#child.pid;
    this.#writer = this.#child.stdin.getWriter();
    this.#done = this.#read();
  }

  async initialize(): Promise<void> {
    await this.request("initialize", {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "line-client", version: "1" },
    });
    await this.#send({ jsonrpc: "2.0", method: "notifications/initialized" });
  }

  /** Same shape as the SDK's Client.callTool for what the measurements use. */
  async callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<any> {
    const message = await this.request("tools/call", params);
    if (message.error || message.unanswered) {
      throw new Error(`tools/call failed: ${JSON.stringify(message.error ?? message)}`);
    }
    return message.result;
  }

  request(method: string, params: unknown): Promise<any> {
    const id = this.#nextId++;
    const answered = new Promise((resolve) => this.#pending.set(id, resolve));
    return this.#send({ jsonrpc: "2.0", id, method, params }).then(() => answered);
  }

  /** Closes stdin and waits for the server to exit. */
  async close(): Promise<Deno.CommandStatus> {
    await this.#writer.close().catch(() => {});
    await this.#done;
    return await this.#child.status;
  }

  #send(message: unknown): Promise<void> {
    return this.#writer.write(new TextEncoder().encode(JSON.stringify(message) + "\n"));
  }

  async #read() {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of this.#child.stdout) {
      pending += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (!line.trim()) continue;
        const message = JSON.parse(line);
        const resolve = this.#pending.get(message.id);
        if (resolve) {
          this.#pending.delete(message.id);
          resolve(message);
        }
      }
    }
    // The server is gone: whatever it never answered is reported as such, not left waiting.
    for (const resolve of this.#pending.values()) resolve({ unanswered: true });
    this.#pending.clear();
  }

  /** Ends the server's input without waiting for it to exit. */
  endInput(): Promise<void> {
    return this.#writer.close().catch(() => {});
  }

  /** The server's exit status. */
  get status(): Promise<Deno.CommandStatus> {
    return this.#child.status;
  }
}
