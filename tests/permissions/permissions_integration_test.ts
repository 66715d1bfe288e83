import { assertEquals } from "./_assert.ts";
import { startDatabaseServer } from "../../scripts/throwaway_mariadb.ts";
import { loadConfig } from "../../src/config/load_config.ts";
import { derivePermissions, permissionFlags } from "../../src/permissions/derive_permissions.ts";
import { writeProbeConfig } from "./_probe_config.ts";

const PROBE = new URL("./_probe_mysql2.ts", import.meta.url).pathname;

/** Accesses mysql2 makes that the flags leave denied because it survives them. */
const HARMLESS = new Set(["env:TZ"]);
/** What the probe tries on purpose, to see it refused. */
const ESCAPES = new Set([
  "net:http://127.0.0.2:8080/",
  "net:127.0.0.2:8080",
  "read:/etc/hostname",
  "env:HOME",
]);

Deno.test({
  name: "a subprocess with exactly the derived flags can query MariaDB and nothing else",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const server = await startDatabaseServer();
    const probe = await writeProbeConfig(server);
    try {
      const { config } = await loadConfig(probe.path, (name) => probe.env[name]);
      const permissions = derivePermissions(config);
      const flags = permissionFlags(permissions);
      const audit = `${probe.dir}/audit.jsonl`;
      // Deno.Command with explicit flags: node:child_process would add -A.
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--no-prompt", ...flags, PROBE, probe.path, "--escapes"],
        env: { ...probe.env, DENO_AUDIT_PERMISSIONS: audit },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assertEquals(out.code, 0, stderr);
      const result = JSON.parse(new TextDecoder().decode(out.stdout));

      await t.step("the query, a streamed result and a refused login all work", () => {
        assertEquals(result.query[0].answer, 42);
        assertEquals(result.streamed, 50);
        assertEquals(result.refused, "ER_ACCESS_DENIED_ERROR");
      });

      await t.step("another host, file and variable each get Deno's permission error", () => {
        const scoped = "this server runs with permissions scoped to its config";
        assertEquals(result.escapes, {
          fetch: {
            error: "NotCapable",
            described: `Deno denied net access to "127.0.0.2:8080": ${scoped}`,
          },
          read: {
            error: "NotCapable",
            described: `Deno denied read access to "hostname": ${scoped}`,
          },
          env: { error: "NotCapable", described: `Deno denied env access to "HOME": ${scoped}` },
        });
      });

      await t.step("mysql2 asks for nothing else the flags would have to grant", async () => {
        const granted = new Set([
          ...permissions.net.map((v) => `net:${v}`),
          ...permissions.read.map((v) => `read:${v}`),
          ...permissions.env.map((v) => `env:${v}`),
          ...permissions.sys.map((v) => `sys:${v}`),
        ]);
        const checks = (await Deno.readTextFile(audit)).trim().split("\n")
          .map((line) => JSON.parse(line))
          .map((entry) => `${entry.permission}:${entry.value}`);
        const unexpected = checks.filter((c) =>
          !granted.has(c) && !HARMLESS.has(c) && !ESCAPES.has(c)
        );
        assertEquals(unexpected, []);
      });
    } finally {
      await Deno.remove(probe.dir, { recursive: true });
      await server.stop();
    }
  },
});
