import type { Permissions } from "./derive_permissions.ts";

/** Asks whether one permission is granted; Deno.permissions.query unless a test fakes it. */
export type PermissionQuery = (
  descriptor: Deno.PermissionDescriptor,
) => Promise<Pick<Deno.PermissionStatus, "state">>;

const SYS_KINDS: NonNullable<Deno.SysPermissionDescriptor["kind"]>[] = [
  "loadavg",
  "hostname",
  "systemMemoryInfo",
  "networkInterfaces",
  "osRelease",
  "osUptime",
  "uid",
  "gid",
  "username",
  "cpus",
  "homedir",
  "statfs",
  "getPriority",
  "setPriority",
  "ca",
  "umask",
];

/**
 * Deno cannot list what a scoped flag grants, so besides the unscoped grants
 * we probe a few items whose access would mean a wider scope than the config
 * asked for: the whole disk, a system file, cloud metadata, a common secret.
 */
const SENTINELS = {
  read: ["/", "/etc/passwd"],
  write: ["/", "/tmp"],
  net: ["example.com:443", "169.254.169.254:80"],
  env: ["HOME", "PATH", "AWS_SECRET_ACCESS_KEY"],
  run: ["sh"],
} as const;

/**
 * What this process may do beyond `needed`, as short phrases such as
 * `net: all hosts` or `sys: hostname`; empty when it runs exactly scoped
 * (as far as Deno lets a process inspect its own grants).
 */
export async function broaderThanNeeded(
  needed: Permissions,
  query: PermissionQuery = (descriptor) => Deno.permissions.query(descriptor),
): Promise<string[]> {
  const granted = async (descriptor: Deno.PermissionDescriptor) =>
    (await query(descriptor)).state === "granted";
  const found: string[] = [];

  const unscoped: [Deno.PermissionDescriptor, string][] = [
    [{ name: "net" }, "net: all hosts"],
    [{ name: "read" }, "read: all files"],
    [{ name: "write" }, "write: all files"],
    [{ name: "env" }, "env: all variables"],
    [{ name: "sys" }, "sys: all"],
    [{ name: "run" }, "run: any program"],
    [{ name: "ffi" }, "ffi: any library"],
    [{ name: "import" }, "import: all hosts"],
  ];
  const everything = new Set<string>();
  for (const [descriptor, phrase] of unscoped) {
    if (await granted(descriptor)) {
      found.push(phrase);
      everything.add(descriptor.name);
    }
  }

  // Scoped grants: only items the config does not need, and only for kinds
  // not already reported as wide open.
  const probe = async (
    kind: string,
    items: readonly string[],
    covered: (item: string) => boolean,
    describe: (item: string) => Deno.PermissionDescriptor,
  ) => {
    if (everything.has(kind)) return;
    for (const item of items) {
      if (covered(item) || !await granted(describe(item))) continue;
      found.push(`${kind}: ${item}`);
      // Sentinels run broadest first: one hit says enough, except for sys,
      // whose kinds are a closed list worth naming one by one.
      if (kind !== "sys") return;
    }
  };
  await probe("read", SENTINELS.read, (p) => coversPath(needed.read, p), (path) => ({
    name: "read",
    path,
  }));
  await probe("write", SENTINELS.write, (p) => coversPath(needed.write ?? [], p), (path) => ({
    name: "write",
    path,
  }));
  await probe("net", SENTINELS.net, (h) => needed.net.includes(h), (host) => ({
    name: "net",
    host,
  }));
  await probe("env", SENTINELS.env, (v) => needed.env.includes(v), (variable) => ({
    name: "env",
    variable,
  }));
  await probe("sys", SYS_KINDS, (k) => needed.sys.includes(k), (kind) => ({
    name: "sys",
    kind: kind as Deno.SysPermissionDescriptor["kind"],
  }));
  await probe("run", SENTINELS.run, (c) => (needed.run ?? []).includes(c), (command) => ({
    name: "run",
    command,
  }));
  return found;
}

/** True when `path` is one of `allowed` or lies inside one of them. */
function coversPath(allowed: readonly string[], path: string): boolean {
  return allowed.some((a) => path === a || path.startsWith(a.endsWith("/") ? a : `${a}/`));
}
