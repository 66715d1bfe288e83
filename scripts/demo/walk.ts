/**
 * The guided tour: the calls an agent would make, through the real MCP
 * client, each printed with its arguments and a readable result. A failing
 * call is printed and the tour goes on; it never throws.
 */
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/index.d.ts"
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { ServerLog } from "./server_log.ts";
import { block, callLine, out, section, style } from "./ui.ts";

type McpClient = InstanceType<typeof Client>;

interface ToolResult {
  isError?: boolean;
  content?: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

interface CallOptions {
  /** The error code(s) this call should be refused with; absent = it should succeed. */
  expect?: string | string[];
  /** Lines of result text to show; 0 shows none (the caller prints its own summary). */
  lines?: number;
  /** Why this call is in the tour, shown above it. */
  why?: string;
}

/** Counts of what happened, for the closing summary. */
export interface WalkReport {
  calls: number;
  refusedAsExpected: number;
  surprises: string[];
}

export class Walk {
  readonly report: WalkReport = { calls: 0, refusedAsExpected: 0, surprises: [] };

  constructor(
    private readonly client: McpClient,
    private readonly log: ServerLog,
    private readonly verbose: boolean,
  ) {}

  /** Calls a tool and prints call and result; returns structuredContent when it succeeded. */
  async call(
    name: string,
    args: Record<string, unknown>,
    options: CallOptions = {},
  ): Promise<Record<string, unknown> | undefined> {
    if (options.why) out(style.dim(`  # ${options.why}`));
    out(`  ${callLine(name, args)}`);
    this.report.calls++;
    const expected = options.expect === undefined
      ? []
      : Array.isArray(options.expect)
      ? options.expect
      : [options.expect];
    let result: ToolResult;
    try {
      result = await this.client.callTool({ name, arguments: args }) as ToolResult;
    } catch (error) {
      const message = (error as Error).message;
      out(style.red(block(`✗ protocol error: ${message}`, 6)));
      this.#surprise(`${name}: protocol error: ${message}`);
      await this.#flushLog();
      return undefined;
    }
    const text = (result.content ?? []).map((c) => c.text ?? `[${c.type}]`).join("\n");
    if (result.isError) {
      const { code, message } = parseError(text);
      out(style.red(block(`✗ ${code}: ${message}`, options.lines ?? 6)));
      if (expected.includes(code)) {
        this.report.refusedAsExpected++;
        out(style.green(`    ✓ refused as expected (${code})`));
      } else {
        const wanted = expected.length ? `expected ${expected.join(" or ")}` : "expected success";
        out(style.yellow(`    ! ${wanted}; the tour goes on`));
        this.#surprise(`${name} ${JSON.stringify(args)} → ${code}: ${message} (${wanted})`);
      }
      await this.#flushLog();
      return undefined;
    }
    if (options.lines !== 0) out(block(readable(text), options.lines ?? 20));
    if (expected.length) {
      out(style.yellow(`    ! expected ${expected.join(" or ")}, but it succeeded`));
      this.#surprise(`${name} ${JSON.stringify(args)} succeeded; expected ${expected.join("/")}`);
    }
    await this.#flushLog();
    return result.structuredContent ?? {};
  }

  /** Reads an MCP resource and prints its JSON readably. */
  async read(uri: string, lines = 20): Promise<void> {
    out(`  ${style.cyan("→")} ${style.bold(style.cyan("resources/read"))} ${style.dim(uri)}`);
    this.report.calls++;
    try {
      const result = await this.client.readResource({ uri }) as {
        contents: { mimeType?: string; text?: string }[];
      };
      for (const content of result.contents) {
        out(style.dim(`    (${content.mimeType ?? "?"})`));
        out(block(readable(content.text ?? ""), lines));
      }
    } catch (error) {
      const message = (error as Error).message;
      out(style.red(block(`✗ ${message}`, 6)));
      this.#surprise(`resources/read ${uri}: ${message}`);
    }
    await this.#flushLog();
  }

  /** Runs `step`, catching anything so one broken step cannot end the tour. */
  async step(title: string, explanation: string, step: () => Promise<void>): Promise<void> {
    section(title, explanation);
    try {
      await step();
    } catch (error) {
      out(style.red(`  ✗ step failed: ${(error as Error).message}`));
      this.#surprise(`${title}: ${(error as Error).message}`);
    }
  }

  /** Prints and records something that should not have happened, without a call. */
  flag(text: string): void {
    out(style.yellow(`  ! ${text}`));
    this.#surprise(text);
  }

  #surprise(text: string) {
    this.report.surprises.push(text);
  }

  /** Shows what the server logged during the call (stderr lags stdout by a moment). */
  async #flushLog() {
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (const line of this.log.drain(this.verbose)) out(line);
  }
}

function parseError(text: string): { code: string; message: string } {
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed?.error_code === "string") {
      const details = parsed.details ? `  ${JSON.stringify(parsed.details)}` : "";
      return { code: parsed.error_code, message: `${parsed.message}${details}` };
    }
  } catch { /* not JSON: an SDK-level error text */ }
  return { code: "UNSTRUCTURED", message: text };
}

/**
 * The result text as the agent gets it; long one-line JSON is reflowed
 * (arrays of objects one element per line) so a person can read it.
 */
export function readable(text: string): string {
  if (!/^[{[]/.test(text.trim())) return text;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  return reflow(value, "").join("\n");
}

function reflow(value: unknown, indent: string): string[] {
  const flat = JSON.stringify(value);
  if (flat.length <= 96 - indent.length || value === null || typeof value !== "object") {
    return [indent + flat];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      // A list of small records reads best one record per line.
      const inline = JSON.stringify(item);
      if (inline.length <= 150 - indent.length) return [`${indent}- ${inline}`];
      const lines = reflow(item, indent + "  ");
      lines[0] = indent + "- " + lines[0].slice(indent.length + 2);
      return lines;
    });
  }
  return Object.entries(value).flatMap(([key, child]) => {
    const inline = JSON.stringify(child);
    if (inline.length + key.length + indent.length <= 94 || child === null) {
      return [`${indent}${key}: ${inline}`];
    }
    return [`${indent}${key}:`, ...reflow(child, indent + "  ")];
  });
}
