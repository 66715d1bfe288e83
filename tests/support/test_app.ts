/**
 * The whole server built from a TOML config against the test database, with
 * the SDK's real MCP client linked in memory.
 */
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/index.d.ts"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/stdio.d.ts"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/inMemory.d.ts"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { type App, type AppOptions, createApp } from "../../src/app.ts";
import { parseConfig } from "../../src/config/parse_config.ts";
import { Logger } from "../../src/log/logger.ts";
import { loadExtensions } from "../../src/tools/load_extensions.ts";
import { type TestDatabase, testDatabase } from "./test_database.ts";

export interface TestApp {
  readonly app: App;
  readonly client: InstanceType<typeof Client>;
  readonly db: TestDatabase;
  /** Calls a tool; returns the structured result, or throws the tool error's JSON. */
  call(name: string, args?: Record<string, unknown>): Promise<any>;
  /** Calls a tool and returns the raw MCP result (isError, content, structuredContent). */
  raw(name: string, args?: Record<string, unknown>): Promise<any>;
  /** Calls a tool expected to fail; returns {error_code, message, details}. */
  fail(name: string, args?: Record<string, unknown>): Promise<any>;
  close(): Promise<void>;
}

export interface TestAppOptions extends AppOptions {
  /** TOML appended to the generated config (e.g. [[tools]]). */
  extraToml?: string;
  /** Replaces lines of the default [[datasources]] block, e.g. { read_only: "true" }; undefined drops one. */
  source?: Record<string, string | undefined>;
  server?: Record<string, string>;
  pool?: Record<string, string>;
  /** Load [[tools]] and plugins like main.ts does. */
  extensions?: boolean;
  /** The server's logger (default: errors only, to stderr). */
  log?: Logger;
}

/** The default test config: one datasource "test" restricted to the test database. */
export function testConfigToml(db: TestDatabase, options: TestAppOptions = {}): string {
  const server = {
    query_timeout: '"5s"',
    stream_idle_timeout: '"2s"',
    ...options.server,
  };
  const source: Record<string, string | undefined> = {
    key: '"test"',
    name: '"Test database"',
    host: JSON.stringify(db.server.host),
    port: String(db.server.port),
    username: JSON.stringify(db.user),
    password: JSON.stringify(db.password),
    databases: `[${JSON.stringify(db.db)}]`,
    max_rows: "1000",
    ...options.source,
  };
  const pool: Record<string, string> = {
    max_connections: "5",
    acquire_timeout: '"3s"',
    ...options.pool,
  };
  const lines = (o: Record<string, string | undefined>) =>
    Object.entries(o).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} = ${v}`).join("\n");
  return `[server]\n${lines(server)}\n\n[[datasources]]\n${lines(source)}\n[datasources.pool]\n${
    lines(pool)
  }\n\n${options.extraToml ?? ""}\n`;
}

/**
 * MCP_TEST_SERVER=start runs the same tests against the server as `deno task
 * start` launches it: a stdio subprocess under the derived minimal permissions
 * (proves those flags suffice for every tool). `app` is then unavailable.
 */
export const START_MODE = Deno.env.get("MCP_TEST_SERVER") === "start";

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  if (START_MODE) return await startLaunchedApp(options);
  const db = await testDatabase();
  const { config } = parseConfig(testConfigToml(db, options), {
    path: `${Deno.cwd()}/test-datasources.toml`,
    env: (name) => Deno.env.get(name),
  });
  const log = options.log ?? new Logger({ level: "error", sinks: [] });
  const extensions = options.extensions ? await loadExtensions(config, log) : {};
  const app = createApp(config, log, {
    retryDelaysMs: [50, 100],
    recoveryIntervalMs: 500,
    ...extensions,
    ...options,
    extraTools: [...(extensions.extraTools ?? []), ...(options.extraTools ?? [])],
    plugins: [...(extensions.plugins ?? []), ...(options.plugins ?? [])],
  });
  const client = new Client({ name: "test-client", version: "1.0.0" });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await Promise.all([app.server.connect(serverTransport), client.connect(clientTransport)]);
  await client.listTools();

  return wrapClient(app, client, db, async () => {
    await client.close().catch(() => {});
    await app.close(1000);
  });
}

async function startLaunchedApp(options: TestAppOptions): Promise<TestApp> {
  if (options.plugins?.length || options.extraTools?.length || options.log) {
    throw new Error(
      "plugins, extraTools and log are in-process options: not available under MCP_TEST_SERVER=start",
    );
  }
  const db = await testDatabase();
  const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-start-" });
  const path = `${dir}/datasources.toml`;
  // The password reaches the server through its environment only.
  const toml = testConfigToml(db, options)
    .replace(/^password = .*$/m, 'password_env = "MCP_TEST_PASSWORD"');
  await Deno.writeTextFile(path, toml);
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: [
      "run",
      "-A",
      new URL("../../scripts/start.ts", import.meta.url).pathname,
      "--config",
      path,
    ],
    env: {
      MCP_TEST_PASSWORD: db.password,
      PATH: Deno.env.get("PATH") ?? "",
      MYSQL_MCP_LOG_LEVEL: "error",
    },
    stderr: "inherit",
  });
  const client = new Client({ name: "test-client", version: "1.0.0" });
  await client.connect(transport);
  await client.listTools();
  return wrapClient(undefined as unknown as App, client, db, async () => {
    await client.close().catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  });
}

function wrapClient(
  app: App,
  client: InstanceType<typeof Client>,
  db: TestDatabase,
  close: () => Promise<void>,
): TestApp {
  const raw = (name: string, args: Record<string, unknown> = {}) =>
    client.callTool({ name, arguments: args });
  return {
    app,
    client,
    db,
    raw,
    async call(name, args = {}) {
      const result = await raw(name, args);
      if (result.isError) {
        throw new Error(`${name} failed: ${(result.content as { text: string }[])[0].text}`);
      }
      return result.structuredContent ?? JSON.parse((result.content as { text: string }[])[0].text);
    },
    async fail(name, args = {}) {
      const result = await raw(name, args);
      if (!result.isError) {
        throw new Error(
          `${name} was expected to fail but returned ${JSON.stringify(result).slice(0, 300)}`,
        );
      }
      return JSON.parse((result.content as { text: string }[])[0].text);
    },
    close,
  };
}

/** Options for Deno.test of tests that use the database: its child process and sockets outlive a test. */
export const DB_TEST = { sanitizeResources: false, sanitizeOps: false } as const;
