/**
 * Deno's wording for a refused permission check, e.g. `Requires net access to
 * "example.com:443", run again with the --allow-net flag`; the item is missing
 * when a whole kind was asked for (`Deno.env.toObject()`).
 */
const DENO_DENIAL = /Requires (\w+) access(?: to "(.*)")?, run again with the --allow-\w+ flag/s;

/** Absolute paths (POSIX, `C:\`, `\\server\`) at the start of a word or quote. */
const ABSOLUTE_PATH = /(?<=^|[\s"'`(=])(?:[A-Za-z]:[\\/]|\\\\|\/)[^\s"'`,;)]*/g;

const SCOPED = "this server runs with permissions scoped to its config";

/**
 * A message for an agent or a log line when a plugin (or the server) hits a
 * permission it was not granted, naming the kind and the item but not where
 * files live on this machine, ending with `why` (what the sandbox is). Undefined
 * when `error` is not a denial.
 */
export function describeDenial(error: unknown, why: string = SCOPED): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const denial = DENO_DENIAL.exec(error.message);
  // Deno 2 throws NotCapable; a refused dynamic import arrives as a TypeError
  // with the same wording, so the wording decides, not only the class.
  if (denial && (isCapabilityError(error) || error instanceof TypeError)) {
    const [, kind, item] = denial;
    const target = item === undefined ? "" : ` to "${stripPaths(item)}"`;
    return `Deno denied ${kind} access${target}: ${why}`;
  }
  // node:net and node:dns report a denied host lookup as a node-style EPERM.
  const code = (error as { code?: unknown }).code;
  const hostname = (error as { hostname?: unknown }).hostname;
  if (code === "EPERM" && typeof hostname === "string" && /getaddrinfo/.test(error.message)) {
    return `Deno denied net access to "${hostname}": ${why}`;
  }
  if (error instanceof Deno.errors.NotCapable) {
    return `Deno denied access: ${why}`;
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    // Since Deno 2 this is the operating system refusing, not Deno's flags.
    return `The operating system denied access: ${stripPaths(osReason(error.message))}`;
  }
  return undefined;
}

function isCapabilityError(error: Error): boolean {
  return error instanceof Deno.errors.NotCapable ||
    error instanceof Deno.errors.PermissionDenied;
}

function stripPaths(text: string): string {
  return text.replace(ABSOLUTE_PATH, (path) => {
    const segments = path.split(/[\\/]/).filter((s) => s !== "");
    return segments.at(-1) ?? path;
  });
}

/** `Permission denied (os error 13): open '/root/x'` → `Permission denied: open '/root/x'`. */
function osReason(message: string): string {
  return message.replace(/\s*\(os error \d+\)/, "");
}
