/**
 * Shows every permission check mysql2 and Deno's node compat make while the
 * probe queries a real MariaDB under exactly the derived flags:
 *
 *   deno run -A tests/permissions/audit_mysql2.ts [--host=localhost] [--trace]
 *
 * Prints the distinct checks from DENO_AUDIT_PERMISSIONS and the probe's
 * outcome; the findings are summarised atop src/permissions/derive_permissions.ts.
 */
import { startDatabaseServer } from "../../scripts/throwaway_mariadb.ts";
import { loadConfig } from "../../src/config/load_config.ts";
import { derivePermissions, permissionFlags } from "../../src/permissions/derive_permissions.ts";
import { writeProbeConfig } from "./_probe_config.ts";

const server = await startDatabaseServer();
try {
  const probe = await writeProbeConfig(
    server,
    Deno.args.find((a) => a.startsWith("--host="))?.slice(7),
  );
  const { config } = await loadConfig(probe.path, (name) => probe.env[name]);
  const flags = permissionFlags(derivePermissions(config));
  const audit = `${probe.dir}/audit.jsonl`;
  const args = [
    "run",
    "--no-prompt",
    ...flags,
    new URL("./_probe_mysql2.ts", import.meta.url).pathname,
    probe.path,
    "--escapes",
  ];
  console.log("deno", args.join(" "));
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    env: {
      ...probe.env,
      DENO_AUDIT_PERMISSIONS: audit,
      ...(Deno.args.includes("--trace") ? { DENO_TRACE_PERMISSIONS: "1" } : {}),
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  console.log("exit", out.code);
  console.log("stdout", new TextDecoder().decode(out.stdout));
  console.log("stderr", new TextDecoder().decode(out.stderr));
  const lines = (await Deno.readTextFile(audit)).trim().split("\n");
  const counts = new Map<string, number>();
  for (const line of lines) {
    const entry = JSON.parse(line);
    const key = JSON.stringify({ ...entry, v: undefined, datetime: undefined, stack: undefined });
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [key, count] of counts) console.log(count, key);
  await Deno.remove(probe.dir, { recursive: true });
} finally {
  await server.stop();
}
