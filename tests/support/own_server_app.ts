/**
 * The whole server against a MariaDB of the test's own (for tests that stop, freeze or restart
 * it), with database `shop` (a table `t` made by `seed`), an account `app` on it, and the SDK's
 * client linked in memory.
 */
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/index.d.ts"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/inMemory.d.ts"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { type DatabaseServer, startDatabaseServer } from "../../scripts/throwaway_mariadb.ts";
import { type App, createApp } from "../../src/app.ts";
import { parseConfig } from "../../src/config/parse_config.ts";
import { Logger } from "../../src/log/logger.ts";

export interface OwnServerApp {
  readonly server: DatabaseServer;
  readonly app: App;
  readonly client: InstanceType<typeof Client>;
  readonly password: string;
  close(): Promise<void>;
}

export async function startOwnServerApp(options: {
  /** SQL creating `shop.t` and its rows. */
  seed: string;
  /** Lines of [server]. */
  server: string;
  /** Lines of [[datasources]] besides key, host, port and the account. */
  source?: string;
  /** Lines of [datasources.pool]. */
  pool: string;
}): Promise<OwnServerApp> {
  const server = await startDatabaseServer({ ignoreUrl: true });
  const password = `pw-${crypto.randomUUID()}`;
  await server.admin(
    `CREATE DATABASE shop; ${options.seed}` +
      `CREATE USER 'app'@'%' IDENTIFIED BY '${password}'; GRANT ALL ON shop.* TO 'app'@'%';`,
  );
  const { config } = parseConfig(
    `[server]\n${options.server}\n[[datasources]]\nkey = "db"\nhost = "127.0.0.1"\n` +
      `port = ${server.port}\nusername = "app"\npassword = "${password}"\n${
        options.source ?? ""
      }\n[datasources.pool]\n${options.pool}\n`,
    { path: "/x/datasources.toml", env: () => undefined },
  );
  const app = createApp(config, new Logger({ level: "error", sinks: [] }), {
    retryDelaysMs: [50, 100],
    recoveryIntervalMs: 300,
  });
  const client = new Client({ name: "own-server", version: "1" });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await Promise.all([app.server.connect(b), client.connect(a)]);
  return {
    server,
    app,
    client,
    password,
    async close() {
      await client.close().catch(() => {});
      await app.close(1000);
      await server.stop();
    },
  };
}
