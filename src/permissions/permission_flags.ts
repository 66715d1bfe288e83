import type { Permissions } from "./derive_permissions.ts";

const KINDS = ["net", "read", "write", "env", "sys", "run"] as const;

/**
 * The `deno run` flags granting exactly `permissions`, e.g.
 * `--allow-net=127.0.0.1:3306`. A kind with an empty list gets no flag at all:
 * a bare `--allow-net` would grant every host, the opposite of what is meant.
 */
export function permissionFlags(permissions: Permissions): string[] {
  const flags: string[] = [];
  for (const kind of KINDS) {
    const values = permissions[kind] ?? [];
    if (values.length === 0) continue;
    for (const value of values) {
      // Deno splits the list on commas and has no escape for one inside a value.
      if (value.includes(",")) {
        throw new TypeError(
          `Cannot grant ${kind} access to "${value}": Deno's --allow-${kind} list cannot express a comma inside a value`,
        );
      }
      // An empty entry would read as a bare, unscoped flag.
      if (value.trim() === "") {
        throw new TypeError(`Cannot grant ${kind} access to an empty name`);
      }
    }
    flags.push(`--allow-${kind}=${values.join(",")}`);
  }
  return flags;
}
