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

async function denoTest(args: string[], env: Record<string, string>): Promise<number> {
  child = new Deno.Command(Deno.execPath(), {
    args: ["test", "--allow-all", "--frozen", ...args],
    env: {
      MYSQL_TEST_URL: url,
      // The socket of the server started here, for the unix-socket tests.
      ...(!external && server.socket ? { MYSQL_TEST_SOCKET: server.socket } : {}),
      ...env,
    },
    stdin: "null",
  }).spawn();
  return (await child.status).code;
}

let code = 1;
try {
  code = await denoTest(Deno.args, {});
  if (Deno.args.length === 0) {
    // Second pass: the tool and stream suites against the server exactly as
    // `deno task start` launches it (stdio, derived minimal permissions).
    console.log("\n== tools and streams again, through `deno task start` over stdio ==\n");
    const second = await denoTest(["tests/tools", "tests/streams"], { MCP_TEST_SERVER: "start" });
    if (code === 0) code = second;
  }
} finally {
  await stop();
}
Deno.exit(code);
