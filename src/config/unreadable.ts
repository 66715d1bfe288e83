/** Why a file could not be read, in words that name no path. */
export function whyUnreadable(error: unknown): string {
  return error instanceof Deno.errors.NotFound
    ? "file not found"
    : error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
    ? "no permission to read it"
    : "cannot read it";
}
