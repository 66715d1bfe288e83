/**
 * Seed properties about keys and credentials: the agent addresses sources by
 * key only, each key maps to its own credentials and pools, and no
 * credential ever comes back.
 */
import assert from "assert";
import fc from "fast-check";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/index.d.ts"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/inMemory.d.ts"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { createApp } from "../../src/app.ts";
import { parseConfig } from "../../src/config/parse_config.ts";
import { Logger } from "../../src/log/logger.ts";
import { DB_TEST, startTestApp } from "../support/test_app.ts";
import { testDatabase } from "../support/test_database.ts";

const TOOLS_WITH_KEY = [
  "mysql_list_databases",
  "mysql_list_tables",
  "mysql_describe_table",
  "mysql_query",
  "mysql_execute",
  "mysql_get_connection_stats",
];
const CREDENTIAL_NAMES = ["password", "user", "username", "host", "port", "dsn", "url", "secret"];

// Feature: mysql-mcp-multi-datasource, Property 14: For any configured set of data sources, the list-datasources tool should return all data source keys and names
Deno.test("Property 14: mysql_list_datasources returns every configured key and name", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_-]{0,15}$/), { minLength: 1, maxLength: 6 }),
      fc.array(fc.string({ minLength: 1, maxLength: 30 }), { minLength: 6, maxLength: 6 }),
      async (keys, names) => {
        const toml = keys.map((key, i) =>
          `[[datasources]]\nkey = ${JSON.stringify(key)}\nname = ${JSON.stringify(names[i])}\n` +
          `host = "127.0.0.1"\nport = 1\nusername = "u"\npassword = "p-${i}-secret"\n`
        ).join("\n");
        const { config } = parseConfig(toml, { path: "/x/datasources.toml", env: () => undefined });
        const app = createApp(config, new Logger({ level: "error", sinks: [] }));
        const client = new Client({ name: "p14", version: "1" });
        const [a, b] = InMemoryTransport.createLinkedPair();
        await Promise.all([app.server.connect(b), client.connect(a)]);
        try {
          const result = await client.callTool({ name: "mysql_list_datasources", arguments: {} });
          const listed =
            (result.structuredContent as { datasources: { key: string; name: string }[] })
              .datasources;
          assert.deepEqual(listed.map((d) => [d.key, d.name]), keys.map((k, i) => [k, names[i]]));
          assert.ok(!JSON.stringify(result).includes("secret"));
        } finally {
          await client.close();
          await app.close(0);
        }
      },
    ),
    { numRuns: 100 },
  );
});

// Feature: mysql-mcp-multi-datasource, Property 19: For any tool invocation, the server should accept only data source keys and reject any requests containing database credentials
Deno.test({
  name: "Property 19: any tool call carrying a credential-named argument is refused",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...TOOLS_WITH_KEY),
          fc.constantFrom(...CREDENTIAL_NAMES),
          fc.oneof(fc.string(), fc.integer()),
          async (tool, credential, value) => {
            const error = await t.fail(tool, {
              datasource_key: "test",
              database: t.db.db,
              query: "SELECT 1",
              [credential]: value,
            });
            assert.equal(error.error_code, "INVALID_ARGUMENT");
          },
        ),
        { numRuns: 100 },
      );
    } finally {
      await t.close();
    }
  },
});

// Feature: mysql-mcp-multi-datasource, Property 20: For any valid data source key, the server should correctly map it to the corresponding data source credentials internally
Deno.test({
  name: "Property 20: each key runs as its own account, whatever order keys are used in",
  ...DB_TEST,
  async fn() {
    const db = await testDatabase();
    const second = {
      user: `mcp2_${crypto.randomUUID().slice(0, 6)}`,
      password: crypto.randomUUID(),
    };
    await db.server.admin(
      `CREATE USER '${second.user}'@'%' IDENTIFIED BY '${second.password}';` +
        `GRANT SELECT ON ${db.db}.* TO '${second.user}'@'%';`,
    );
    const t = await startTestApp({
      extraToml:
        `[[datasources]]\nkey = "second"\nhost = "${db.server.host}"\nport = ${db.server.port}\n` +
        `username = "${second.user}"\npassword = "${second.password}"\ndatabases = ["${db.db}"]\n`,
    });
    try {
      const expected: Record<string, string> = { test: db.user, second: second.user };
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.constantFrom("test", "second"), { minLength: 1, maxLength: 5 }),
          async (keys) => {
            const results = await Promise.all(keys.map((key) =>
              t.call("mysql_query", {
                datasource_key: key,
                database: db.db,
                query: "SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1)",
              })
            ));
            results.forEach((r, i) => assert.equal(r.rows[0][0], expected[keys[i]]));
          },
        ),
        { numRuns: 100 },
      );
    } finally {
      await t.close();
    }
  },
});

// Feature: mysql-mcp-multi-datasource, Property 6: For any two different databases within the same data source, they should have separate connection pools that do not share connections
Deno.test({
  name: "Property 6: two databases of one source never share a pool or a connection",
  ...DB_TEST,
  async fn() {
    const db = await testDatabase();
    const extra = [`${db.db}_b`, `${db.db}_c`];
    await db.server.admin(
      extra.map((name) =>
        `CREATE DATABASE IF NOT EXISTS ${name}; GRANT ALL ON ${name}.* TO '${db.user}'@'%';`
      ).join(""),
    );
    const t = await startTestApp({
      source: { databases: `[${[db.db, ...extra].map((d) => JSON.stringify(d)).join(", ")}]` },
    });
    try {
      const all = [db.db, ...extra];
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.constantFrom(...all), { minLength: 2, maxLength: 2 }),
          fc.integer({ min: 1, max: 4 }),
          async ([first, second], parallel) => {
            const ask = (database: string) =>
              t.call("mysql_query", {
                datasource_key: "test",
                database,
                query: "SELECT CONNECTION_ID(), DATABASE()",
              });
            const answers = await Promise.all(
              Array.from({ length: parallel }, () => [ask(first), ask(second)]).flat(),
            );
            const threads = new Map<string, Set<number>>();
            for (const answer of answers) {
              const [id, database] = answer.rows[0];
              if (!threads.has(database)) threads.set(database, new Set());
              threads.get(database)!.add(Number(id));
            }
            assert.deepEqual([...threads.keys()].sort(), [first, second].sort());
            const [a, b] = [...threads.values()];
            for (const id of a) assert.ok(!b.has(id), `connection ${id} served both databases`);
            assert.notEqual(
              t.app.datasources.pool("test", first),
              t.app.datasources.pool("test", second),
            );
          },
        ),
        { numRuns: 100 },
      );
    } finally {
      await t.close();
    }
  },
});

// Feature: mysql-mcp-multi-datasource, Property 23: For any server response (including tool results, errors, logs, and data source listings), no database credentials should be present
Deno.test({
  name:
    "Property 23: no response, error or log line ever contains the password or a connection string",
  ...DB_TEST,
  async fn() {
    const lines: string[] = [];
    const log = new Logger({ level: "debug", sinks: [(r) => void lines.push(JSON.stringify(r))] });
    const t = await startTestApp({ log });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(
            "mysql_list_datasources",
            "mysql_list_databases",
            "mysql_list_tables",
            "mysql_describe_table",
            "mysql_query",
            "mysql_execute",
            "mysql_get_connection_stats",
          ),
          fc.constantFrom("test", "nope", ""),
          fc.constantFrom(
            "SELECT 1",
            "SELECT CURRENT_USER()",
            "SELEC broken",
            "SELECT * FROM mysql.user",
            "SHOW GRANTS",
            "DROP TABLE customers",
            "SELECT * FROM nope",
          ),
          async (tool, key, sql) => {
            const database = ["mysql_list_databases", "mysql_list_datasources"].includes(tool)
              ? undefined
              : t.db.db;
            const result = await t.raw(tool, {
              ...(tool === "mysql_list_datasources" ? {} : { datasource_key: key }),
              ...(database && tool !== "mysql_get_connection_stats" ? { database } : {}),
              ...(tool === "mysql_query" ? { query: sql } : {}),
              ...(tool === "mysql_execute" ? { statement: sql } : {}),
              ...(tool === "mysql_describe_table" ? { table: "customers" } : {}),
            });
            const everything = JSON.stringify(result) + lines.join("\n");
            assert.ok(!everything.includes(t.db.password), `password leaked by ${tool}`);
            assert.ok(
              !/mysql:\/\/[^\s"]*@/.test(everything),
              `connection string leaked by ${tool}`,
            );
          },
        ),
        { numRuns: 100 },
      );
    } finally {
      await t.close();
    }
  },
});
