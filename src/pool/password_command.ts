import { Secret } from "../config/secret.ts";
import { ToolError } from "../errors/tool_error.ts";

/** Asks for the password of one new connection. */
export type PasswordSource = (signal?: AbortSignal) => Promise<Secret>;

export interface PasswordCommandOptions {
  /** How long the program may take (default 10 s); then it is killed. */
  readonly timeoutMs?: number;
  /** Told every password the program prints, before it is used (the secret scrubber). */
  readonly onPassword?: (value: string) => void;
}

/** More output than any token: a program printing this much is not printing a password. */
const MAX_OUTPUT_BYTES = 64 * 1024;

/**
 * The password source of `password_command = ["program", "arg", ...]`: runs the program for
 * every call (short-lived tokens such as AWS RDS IAM expire in about 15 minutes, so each new
 * connection asks again) and returns its trimmed stdout. The program gets no stdin; its
 * stderr is discarded, as it may echo the token or name files. Failures are
 * CONNECTION_FAILED saying what to change, never the output, the program or its path.
 */
export function passwordCommand(
  argv: readonly string[],
  options: PasswordCommandOptions = {},
): PasswordSource {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async (signal) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const stop = signal ? AbortSignal.any([signal, deadline]) : deadline;
    let output: { code: number; stdout: Uint8Array | undefined };
    try {
      output = await run(argv, stop);
    } catch (error) {
      if (deadline.aborted) {
        throw failure(`did not finish within ${timeoutMs / 1000} s`, true);
      }
      if (signal?.aborted) throw new ToolError("CONNECTION_FAILED", "Cannot connect: aborted");
      throw startFailure(error);
    }
    if (deadline.aborted) throw failure(`did not finish within ${timeoutMs / 1000} s`, true);
    if (output.stdout === undefined) {
      throw failure(`printed more than ${MAX_OUTPUT_BYTES / 1024} KiB, not a password`, false);
    }
    if (output.code !== 0) {
      throw failure(`exited with status ${output.code}; run it by hand to see why`, true);
    }
    const password = new TextDecoder().decode(output.stdout).trim();
    if (password === "") throw failure("printed nothing", true);
    options.onPassword?.(password);
    return new Secret(password);
  };
}

/**
 * Runs the program; `stdout` is undefined when it printed more than MAX_OUTPUT_BYTES. Rejects
 * once `signal` aborts, without waiting for the output to end: a killed shell's own children
 * may hold the pipe open for long after.
 */
async function run(argv: readonly string[], signal: AbortSignal) {
  signal.throwIfAborted();
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "null",
    signal,
  }).spawn();
  const reader = child.stdout.getReader();
  const aborted = new Promise<never>((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  aborted.catch(() => {});
  const chunks: Uint8Array[] = [];
  let size = 0;
  let tooLong = false;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), aborted]);
      if (done) break;
      size += value.length;
      if (size > MAX_OUTPUT_BYTES) {
        tooLong = true;
        break;
      }
      chunks.push(value);
    }
  } finally {
    if (signal.aborted || tooLong) {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }
    reader.cancel().catch(() => {});
  }
  const { code } = await Promise.race([child.status, aborted]);
  if (tooLong) return { code, stdout: undefined };
  const stdout = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    stdout.set(chunk, offset);
    offset += chunk.length;
  }
  return { code, stdout };
}

function startFailure(error: unknown): ToolError {
  if (error instanceof Deno.errors.NotFound) {
    return failure("could not start: its program was not found; check password_command", false);
  }
  if (error instanceof Deno.errors.NotCapable) {
    return failure(
      "may not run: grant --allow-run for its program (mysql-mcp permissions prints the flags)",
      false,
    );
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return failure("could not start: its program is not executable", false);
  }
  return failure("could not start; check password_command", false);
}

/** `transient`: whether trying again later can help (SourceHealth's retries). */
function failure(what: string, transient: boolean): ToolError {
  return new ToolError("CONNECTION_FAILED", `Cannot connect: the password command ${what}`, {
    reason: "PASSWORD_COMMAND_FAILED",
    transient,
  });
}
