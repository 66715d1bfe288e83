import type { DatabaseServer } from "../../scripts/throwaway_mariadb.ts";

/**
 * Writes a one-source config for `server` into a temp dir (password by
 * variable, as the README recommends) and returns its path and environment.
 * `host` may respell the server's address, e.g. `localhost`.
 */
export async function writeProbeConfig(
  server: DatabaseServer,
  host = server.host,
): Promise<{ dir: string; path: string; env: Record<string, string> }> {
  const dir = await Deno.makeTempDir({ prefix: "mysql_mcp_permissions_" });
  const path = `${dir}/datasources.toml`;
  await Deno.writeTextFile(
    path,
    [
      "[[datasources]]",
      `key = "probe"`,
      `host = "${host}"`,
      `port = ${server.port}`,
      `username = "${server.adminUser}"`,
      `password_env = "PROBE_DB_PASSWORD"`,
      "",
    ].join("\n"),
  );
  return { dir, path, env: { PROBE_DB_PASSWORD: server.adminPassword } };
}
