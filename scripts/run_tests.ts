/**
 * `deno task test`: starts one throwaway MariaDB for the whole run (unless
 * MYSQL_TEST_URL names a server), runs every test against it, and always
 * stops it, whatever the tests do.
 */
import { ensureMariaDbInstalled, startDatabaseServer } from "./throwaway_mariadb.ts";

const external = Deno.env.get("MYSQL_TEST_URL");
if (!external) await ensureMariaDbInstalled();
const server = await startDatabaseServer();
const url = external ??
  `mysql://${encodeURIComponent(server.adminUser)}:${
    encodeURIComponent(server.adminPassword)
  }@${server.host}:${server.port}`;

let child: Deno.ChildProcess | undefined;
const stop = async () => {
  try {
    child?.kill("SIGTERM");
  } catch { /* already exited */ }
  await server.stop();
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => void stop().then(() => Deno.exit(130)));
}

let code = 1;
try {
  child = new Deno.Command(Deno.execPath(), {
    args: ["test", "--allow-all", "--frozen", ...Deno.args],
    env: { MYSQL_TEST_URL: url },
    stdin: "null",
  }).spawn();
  code = (await child.status).code;
} finally {
  await stop();
}
Deno.exit(code);
