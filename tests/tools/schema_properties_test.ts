import assert from "assert";
import fc from "fast-check";
import { DB_TEST, START_MODE, startTestApp, type TestApp } from "../support/test_app.ts";
import { KEY, on } from "./_support.ts";

const RUNS = { numRuns: 100 };
const SEEDED_TABLES = ["customers", "numbers", "orders", "value_types"];

/** A fresh identifier no earlier run used. */
const ident = (prefix: string) =>
  fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/).map((s) =>
    `${prefix}_${s}_${crypto.randomUUID().slice(0, 6)}`
  );

// Feature: mysql-mcp-multi-datasource, Property 11: For any database, the schema tool should return all tables present in that database
Deno.test({
  name: "Property 11: mysql_list_tables returns every table and view of the database",
  ...DB_TEST,
  // Reaches into the in-process app (or its state before startup probes).
  ignore: START_MODE,
  async fn() {
    const t = await startTestApp();
    const { db } = t.db;
    try {
      const object = fc.record({
        name: ident("p11"),
        kind: fc.constantFrom("InnoDB", "MyISAM", "MEMORY", "Aria", "view"),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(object, { maxLength: 3, selector: (o) => o.name }),
          async (objects) => {
            const ddl = objects.map(({ name, kind }) =>
              kind === "view"
                ? `CREATE VIEW ${db}.${name} AS SELECT n FROM ${db}.numbers`
                : `CREATE TABLE ${db}.${name} (id INT PRIMARY KEY) ENGINE=${kind}`
            );
            if (ddl.length) await t.db.server.admin(ddl.join(";"));
            try {
              // A new 60 s window of the table-list cache, as a later call would see.
              t.app.catalog.invalidate(KEY);
              const { tables } = await t.call("mysql_list_tables", on(t));
              assert.deepEqual(
                tables.map((x: { name: string }) => x.name).sort(),
                [...SEEDED_TABLES, ...objects.map((o) => o.name)].sort(),
              );
              for (const { name, kind } of objects) {
                const listed = tables.find((x: { name: string }) => x.name === name);
                assert.equal(listed.type, kind === "view" ? "view" : "table");
                if (kind !== "view") assert.equal(listed.engine, kind);
              }
            } finally {
              const drops = objects.map(({ name, kind }) =>
                `DROP ${kind === "view" ? "VIEW" : "TABLE"} ${db}.${name}`
              );
              if (drops.length) await t.db.server.admin(drops.join(";"));
            }
          },
        ),
        RUNS,
      );
    } finally {
      await t.close();
    }
  },
});

const COLUMN_TYPES = [
  ["INT", "int(11)"],
  ["BIGINT UNSIGNED", "bigint(20) unsigned"],
  ["VARCHAR(20)", "varchar(20)"],
  ["DECIMAL(10,3)", "decimal(10,3)"],
  ["DATETIME(6)", "datetime(6)"],
  ["DATE", "date"],
  ["TEXT", "text"],
  ["VARBINARY(8)", "varbinary(8)"],
  ["JSON", "json"],
] as const;

// Feature: mysql-mcp-multi-datasource, Property 12: For any table, the schema information should include column names, data types, constraints, primary keys, foreign keys, and indexes
Deno.test({
  name: "Property 12: mysql_describe_table reports every column, key, foreign key and index",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    const { db } = t.db;
    try {
      const column = fc.record({
        type: fc.constantFrom(...COLUMN_TYPES),
        nullable: fc.boolean(),
        comment: fc.option(fc.stringMatching(/^[a-zA-Z0-9 ]{1,20}$/)),
      });
      const table = fc.record({
        name: ident("p12"),
        columns: fc.array(column, { minLength: 1, maxLength: 6 }),
        pkWidth: fc.integer({ min: 1, max: 2 }),
        withIndex: fc.boolean(),
        uniqueIndex: fc.boolean(),
        withForeignKey: fc.boolean(),
        comment: fc.option(fc.stringMatching(/^[a-zA-Z0-9 ]{1,20}$/)),
      });
      await fc.assert(
        fc.asyncProperty(table, async (spec) => {
          // k1..kN: the key columns (INT NOT NULL), c1..cM: the generated ones.
          const keys = Array.from({ length: spec.pkWidth }, (_, i) => `k${i + 1}`);
          const columns = spec.columns.map((c, i) => ({ ...c, name: `c${i + 1}` }));
          const indexable = columns.filter((c) => !["TEXT", "JSON"].includes(c.type[0]));
          const index = spec.withIndex && indexable.length ? indexable[0] : undefined;
          const lines = [
            ...keys.map((k) => `${k} INT NOT NULL`),
            ...columns.map((c) =>
              `${c.name} ${c.type[0]} ${c.nullable ? "NULL" : "NOT NULL"}${
                c.comment === null ? "" : ` COMMENT '${c.comment}'`
              }`
            ),
            ...(spec.withForeignKey ? ["customer_id INT NULL"] : []),
            `PRIMARY KEY (${keys.join(", ")})`,
            ...(index ? [`${spec.uniqueIndex ? "UNIQUE " : ""}KEY ix_gen (${index.name})`] : []),
            ...(spec.withForeignKey
              ? ["CONSTRAINT fk_gen FOREIGN KEY (customer_id) REFERENCES customers (id)"]
              : []),
          ];
          await t.db.server.admin(
            `CREATE TABLE ${db}.${spec.name} (${lines.join(", ")})${
              spec.comment === null ? "" : ` COMMENT '${spec.comment}'`
            }`,
          );
          try {
            const d = await t.call("mysql_describe_table", on(t, { table: spec.name }));
            assert.equal(d.table_name, spec.name);
            assert.equal(d.comment, spec.comment ?? undefined);
            const expectedNames = [
              ...keys,
              ...columns.map((c) => c.name),
              ...(spec.withForeignKey ? ["customer_id"] : []),
            ];
            assert.deepEqual(d.columns.map((c: { name: string }) => c.name), expectedNames);
            for (const c of columns) {
              const got = d.columns.find((x: { name: string }) => x.name === c.name);
              assert.equal(got.data_type, c.type[1], c.type[0]);
              assert.equal(got.nullable, c.nullable);
              assert.equal(got.comment, c.comment);
              if (c.nullable) assert.equal(got.default_value, null);
            }
            assert.deepEqual(d.primary_key, keys);
            const primary = d.indexes.find((i: { name: string }) => i.name === "PRIMARY");
            assert.deepEqual(primary?.columns, keys);
            assert.equal(primary?.unique, true);
            if (index) {
              const got = d.indexes.find((i: { name: string }) => i.name === "ix_gen");
              assert.deepEqual(got, {
                name: "ix_gen",
                columns: [index.name],
                unique: spec.uniqueIndex,
                index_type: "BTREE",
              });
            }
            assert.deepEqual(
              d.foreign_keys,
              spec.withForeignKey
                ? [{
                  name: "fk_gen",
                  columns: ["customer_id"],
                  referenced_table: "customers",
                  referenced_columns: ["id"],
                }]
                : [],
            );
          } finally {
            await t.db.server.admin(`DROP TABLE ${db}.${spec.name}`);
          }
        }),
        RUNS,
      );
    } finally {
      await t.close();
    }
  },
});

// Feature: mysql-mcp-multi-datasource, Property 13: For any non-existent table name, the schema tool should return an error message
Deno.test({
  name: "Property 13: a table that does not exist is TABLE_NOT_FOUND",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.stringMatching(/^[A-Za-z0-9_$]{1,64}$/),
            fc.string({ minLength: 1, maxLength: 64, unit: "grapheme" }),
          ).filter((name) => !SEEDED_TABLES.includes(name)),
          async (table) => {
            const error = await t.fail("mysql_describe_table", on(t, { table }));
            assert.equal(error.error_code, "TABLE_NOT_FOUND", table);
            assert.ok(error.message.length > 0);
            if (/^[A-Za-z0-9_$]+$/.test(table)) {
              const queried = await t.fail(
                "mysql_query",
                on(t, { query: `SELECT * FROM \`${table}\`` }),
              );
              assert.equal(queried.error_code, "TABLE_NOT_FOUND", table);
            }
          },
        ),
        RUNS,
      );
    } finally {
      await t.close();
    }
  },
});

// Feature: mysql-mcp-multi-datasource, Property 15: For any valid data source key, the list-databases tool should return all accessible databases with metadata
Deno.test({
  name: "Property 15: mysql_list_databases returns the allowed, accessible databases with metadata",
  ...DB_TEST,
  async fn() {
    const probe = await startTestApp();
    const { db, otherDb, user, password, server } = probe.db;
    await probe.close();
    // One source per subset of these candidates, as its allow-list ([] = everything).
    const candidates = [db, otherDb, "no_such_db", "mysql"];
    const subsets = Array.from(
      { length: 1 << candidates.length },
      (_, mask) => candidates.filter((_, i) => mask & (1 << i)),
    );
    const extraToml = subsets.map((allow, i) =>
      `[[datasources]]
key = "s${i}"
name = "subset ${i}"
host = ${JSON.stringify(server.host)}
port = ${server.port}
username = ${JSON.stringify(user)}
password = ${JSON.stringify(password)}
databases = ${JSON.stringify(allow)}
`
    ).join("\n");
    const t = await startTestApp({ extraToml });
    const schemata = new Map<string, { c: string; l: string }>(
      (await server.admin(
        `SELECT SCHEMA_NAME AS s, DEFAULT_CHARACTER_SET_NAME AS c, DEFAULT_COLLATION_NAME AS l
           FROM information_schema.SCHEMATA`,
      )).map((r: { s: string; c: string; l: string }) => [r.s, r]),
    );
    // What the account may see: its grants, plus information_schema.
    const accessible = new Set([db, otherDb, "information_schema"]);
    try {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: subsets.length - 1 }), async (i) => {
          const { databases } = await t.call("mysql_list_databases", { datasource_key: `s${i}` });
          const names = databases.map((d: { name: string }) => d.name);
          const expected = subsets[i].length === 0
            ? [...accessible]
            : subsets[i].filter((name) => accessible.has(name));
          assert.deepEqual([...names].sort(), [...expected].sort(), `allow-list ${subsets[i]}`);
          for (const d of databases) {
            assert.equal(d.charset, schemata.get(d.name)!.c);
            assert.equal(d.collation, schemata.get(d.name)!.l);
            assert.equal(typeof d.size_bytes, "number");
            assert.ok(d.size_bytes >= 0);
          }
        }),
        RUNS,
      );
    } finally {
      await t.close();
    }
  },
});

const INVALID_URI = fc.oneof(
  // Wrong scheme or no scheme.
  fc.tuple(fc.constantFrom("http://", "mysql:/", "MYSQL://", "mysq://", "", "file://"), fc.string())
    .map(([scheme, rest]) => `${scheme}test/${rest}`),
  // Too many segments.
  fc.array(fc.stringMatching(/^[a-z0-9_]{1,10}$/), { minLength: 5, maxLength: 8 })
    .map((segments) => `mysql://${segments.join("/")}`),
  // An empty segment anywhere.
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(3, 4)).map(([at, length]) => {
    const segments = ["test", "db", "tables", "orders"].slice(0, length);
    segments[Math.min(at, length - 1)] = "";
    return `mysql://${segments.join("/")}`;
  }),
  // A shape that is not one of the five.
  fc.tuple(
    fc.stringMatching(/^[a-z0-9]{1,10}$/),
    fc.stringMatching(/^[a-z0-9]{1,10}$/).filter((s) => !["tables", "schema"].includes(s)),
  ).map(([db, what]) => `mysql://test/${db}/${what}`),
  fc.stringMatching(/^[a-z0-9]{1,10}$/).filter((s) => s !== "databases")
    .map((what) => `mysql://test/${what}`),
  // Trailing slash, query string or fragment.
  fc.constantFrom("/", "?x=1", "#f").map((suffix) => `mysql://test/databases${suffix}`),
  // Broken percent-encoding.
  fc.constantFrom("%", "%E0%A4%A", "%zz").map((bad) => `mysql://test/${bad}/tables`),
);

// Feature: mysql-mcp-multi-datasource, Property 29: For any resource request, if the URI format is invalid, the server should return an error
Deno.test({
  name: "Property 29: an invalid resource URI is an error",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      await fc.assert(
        fc.asyncProperty(INVALID_URI, async (uri) => {
          let error: { code?: number; message?: string } | undefined;
          try {
            await t.client.readResource({ uri });
          } catch (e) {
            error = e as { code?: number; message?: string };
          }
          assert.ok(error, `${uri} was accepted`);
          assert.equal(typeof error.code, "number");
          assert.ok(!String(error.message).includes(t.db.password));
        }),
        RUNS,
      );
    } finally {
      await t.close();
    }
  },
});

/** Percent-encodes a random selection of a segment's characters. */
function encodeSome(segment: string, mask: boolean[]): string {
  return [...segment].map((ch, i) =>
    mask[i % mask.length]
      ? [...new TextEncoder().encode(ch)].map((b) =>
        `%${b.toString(16).toUpperCase().padStart(2, "0")}`
      ).join("")
      : ch
  ).join("");
}

// Feature: mysql-mcp-multi-datasource, Property 30: For any valid resource URI, the server should return the corresponding metadata in JSON format
Deno.test({
  name: "Property 30: a valid resource URI returns the matching metadata as JSON",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    const { db } = t.db;
    try {
      const expected = async (kind: string, table: string) => {
        switch (kind) {
          case "datasources":
            return await t.call("mysql_list_datasources");
          case "databases":
            return await t.call("mysql_list_databases", { datasource_key: KEY });
          case "tables":
            return await t.call("mysql_list_tables", on(t));
          case "table":
            return await t.call("mysql_describe_table", on(t, { table }));
          default: {
            const tables = [];
            for (const name of SEEDED_TABLES) {
              tables.push(await t.call("mysql_describe_table", on(t, { table: name })));
            }
            return { tables };
          }
        }
      };
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom("datasources", "databases", "tables", "table", "schema"),
          fc.constantFrom(...SEEDED_TABLES),
          fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
          async (kind, table, mask) => {
            const enc = (s: string) => encodeSome(s, mask);
            const uri = {
              datasources: "mysql://datasources",
              databases: `mysql://${enc(KEY)}/databases`,
              tables: `mysql://${enc(KEY)}/${enc(db)}/tables`,
              table: `mysql://${enc(KEY)}/${enc(db)}/tables/${enc(table)}`,
              schema: `mysql://${enc(KEY)}/${enc(db)}/schema`,
            }[kind]!;
            const result = await t.client.readResource({ uri });
            assert.equal(result.contents.length, 1);
            assert.equal(result.contents[0].mimeType, "application/json");
            assert.equal(result.contents[0].uri, uri);
            const data = JSON.parse(result.contents[0].text as string);
            assert.deepEqual(data, await expected(kind, table), uri);
          },
        ),
        RUNS,
      );
    } finally {
      await t.close();
    }
  },
});

// Feature: mysql-mcp-multi-datasource, Property 31: For any MCP client request (server info, list tools, list resources), the server should respond according to the MCP protocol specification
Deno.test({
  name: "Property 31: every MCP request gets a well-formed answer, also interleaved",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      const info = t.client.getServerVersion();
      assert.equal(info?.name, "mysql-mcp");
      assert.equal(typeof info?.version, "string");
      const capabilities = t.client.getServerCapabilities();
      assert.ok(capabilities?.tools && capabilities?.resources);
      const requests: Record<string, (t: TestApp) => Promise<void>> = {
        async listTools(t) {
          const { tools } = await t.client.listTools();
          assert.equal(tools.length, 9);
          for (const tool of tools) {
            assert.match(tool.name, /^mysql_[a-z_]+$/);
            assert.equal(tool.inputSchema.type, "object");
          }
        },
        async listResources(t) {
          const { resources } = await t.client.listResources();
          for (const r of resources) assert.match(r.uri, /^mysql:\/\//);
        },
        async listTemplates(t) {
          const { resourceTemplates } = await t.client.listResourceTemplates();
          assert.equal(resourceTemplates.length, 4);
        },
        async ping(t) {
          assert.deepEqual(await t.client.ping(), {});
        },
        async callTool(t) {
          const result = await t.client.callTool({ name: "mysql_list_datasources", arguments: {} });
          assert.equal(result.isError, undefined);
          assert.equal((result.content as { type: string }[])[0].type, "text");
          assert.ok(result.structuredContent);
        },
        async failingTool(t) {
          const result = await t.client.callTool({ name: "mysql_nope", arguments: {} });
          assert.equal(result.isError, true);
        },
        async unknownMethod(t) {
          try {
            await t.client.request({ method: "nope/nothing" } as never, {
              parse: (v: unknown) => v,
            } as never);
            assert.fail("an unknown method was answered");
          } catch (error) {
            assert.equal((error as { code: number }).code, -32601);
          }
        },
        async setLevel(t) {
          assert.deepEqual(await t.client.setLoggingLevel("error"), {});
        },
      };
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.constantFrom(...Object.keys(requests)), { minLength: 1, maxLength: 6 }),
          async (names) => {
            // Concurrent requests on one session: every answer must reach its own request.
            await Promise.all(names.map((name) => requests[name](t)));
          },
        ),
        RUNS,
      );
    } finally {
      await t.close();
    }
  },
});
