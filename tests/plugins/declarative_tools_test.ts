import assert from "assert";
import { parseConfig } from "../../src/config/parse_config.ts";
import { Logger } from "../../src/log/logger.ts";
import { declarativeTool } from "../../src/tools/declarative_tools.ts";
import { loadExtensions } from "../../src/tools/load_extensions.ts";
import { DB_TEST, startTestApp } from "../support/test_app.ts";

const BASE = `[[datasources]]
key = "shop"
host = "127.0.0.1"
port = 3306
username = "u"
password = "p"
databases = ["shop"]

[[datasources]]
key = "ro"
host = "127.0.0.1"
port = 3306
username = "u"
password = "p"
read_only = true
`;

function tool(fields: Record<string, string>, params = ""): string {
  const lines = Object.entries({
    name: '"t1"',
    description: '"d"',
    datasource: '"shop"',
    database: '"shop"',
    ...fields,
  }).map(([k, v]) => `${k} = ${v}`).join("\n");
  return `${BASE}\n[[tools]]\n${lines}\n${params}`;
}

function problems(text: string): string {
  const parsed = parseConfig(text, { path: "/x/datasources.toml", env: () => undefined });
  const out = [...parsed.warnings];
  for (const t of parsed.config.tools) {
    try {
      declarativeTool(t, parsed.config);
    } catch (error) {
      out.push((error as Error).message);
    }
  }
  return out.join("\n");
}

const param = (name: string, type = "string", extra = "") =>
  `[[tools.parameters]]\nname = "${name}"\ntype = "${type}"\n${extra}\n`;

Deno.test("[[tools]] validation names each problem precisely", () => {
  assert.match(
    problems(tool({ datasource: '"nope"', statement: '"SELECT 1"' })),
    /datasource "nope" is not a configured data source/,
  );
  assert.match(
    problems(tool({ database: '"other"', statement: '"SELECT 1"' })),
    /database "other" is not in the allow-list of data source "shop"/,
  );
  assert.match(
    problems(tool({ statement: '"SELECT * FROM t WHERE a = :a AND b = :b"' }, param("a"))),
    /placeholder\(s\) :b in the statement have no \[\[tools.parameters\]\] entry/,
  );
  assert.match(
    problems(tool({ statement: '"SELECT * FROM t WHERE a = :a"' }, param("a") + param("extra"))),
    /parameter\(s\) "extra" are declared but the statement has no :extra placeholder/,
  );
  assert.match(
    problems(tool({ statement: '"DELETE FROM t WHERE a = :a"' }, param("a"))),
    /DELETE changes data: mark the tool with writes = true/,
  );
  assert.match(
    problems(tool({ statement: '"DROP TABLE t"' })),
    /DROP is not allowed in a \[\[tools\]\] statement/,
  );
  assert.match(
    problems(tool({ datasource: '"ro"', writes: "true", statement: '"DELETE FROM t"' })),
    /writes = true, but data source "ro" is read_only/,
  );
  assert.match(
    problems(tool({ statement: '"SELECT :a"' }, param("a", "integer", 'default = "x"'))),
    /default is not of type integer/,
  );
  assert.match(
    problems(tool({ statement: '"SELECT :a"' }, param("a", "decimal"))),
    /type "decimal"; expected one of string, integer, number, boolean/,
  );
  assert.match(
    problems(
      tool({ name: '"t1"', statement: '"SELECT 1"' }) +
        `\n[[tools]]\nname = "t1"\ndatasource = "shop"\ndatabase = "shop"\nstatement = "SELECT 2"\n`,
    ),
    /name "t1" is already used by another \[\[tools\]\] entry/,
  );
});

Deno.test("[[tools]] statements the gate would refuse on every call are refused at startup", () => {
  assert.match(
    problems(tool({ statement: '"SELECT * FROM t value, secret.c"' })),
    /the statement is refused: The statement names database "secret"/,
  );
  assert.match(
    problems(tool({ statement: '"SELECT my_function(:a)"' }, param("a"))),
    /MY_FUNCTION\(\) is not a built-in function/,
  );
  assert.match(
    problems(tool({ statement: '"SELECT @@datadir"' })),
    /@@datadir is not readable/,
  );
  assert.match(
    problems(tool({ statement: '"SHOW PROCESSLIST"' })),
    /SHOW PROCESSLIST is not allowed/,
  );
});

Deno.test({
  name:
    "a declarative tool binds parameters as data, applies defaults and enums, and names clashes",
  ...DB_TEST,
  async fn() {
    const toolsToml = `
[[tools]]
name = "customer_by_name"
description = "Customers with this exact name"
datasource = "test"
database = "__DB__"
statement = "SELECT id, name FROM customers WHERE name = :name ORDER BY id LIMIT :limit"
  [[tools.parameters]]
  name = "name"
  type = "string"
  [[tools.parameters]]
  name = "limit"
  type = "integer"
  default = 2

[[tools]]
name = "orders_by_status"
description = "Orders by status"
datasource = "test"
database = "__DB__"
statement = "SELECT id FROM orders WHERE status = :status ORDER BY id"
  [[tools.parameters]]
  name = "status"
  type = "string"
  enum = ["pending", "paid", "shipped"]

[[tools]]
name = "rename_customer"
description = "Renames a customer"
datasource = "test"
database = "__DB__"
writes = true
statement = "UPDATE customers SET name = :name WHERE id = :id"
  [[tools.parameters]]
  name = "name"
  type = "string"
  [[tools.parameters]]
  name = "id"
  type = "integer"

[[tools]]
name = "mysql_query"
description = "clashes with the built-in"
datasource = "test"
database = "__DB__"
statement = "SELECT 1"
`;
    const records: string[] = [];
    const log = new Logger({ level: "error", sinks: [(r) => void records.push(r.msg)] });
    const { testDatabase } = await import("../support/test_database.ts");
    const db = await testDatabase();
    const t = await startTestApp({
      extensions: true,
      log,
      extraToml: toolsToml.replaceAll("__DB__", db.db),
    });
    try {
      assert.ok(
        records.some((m) =>
          /"mysql_query" from datasources\.toml \[\[tools\]\] clashes .* built-in/.test(m)
        ),
        records.join("\n"),
      );
      const byName = await t.call("customer_by_name", { name: "Ann" });
      assert.deepEqual(byName.rows, [[1, "Ann"]]);
      // SQL in a parameter is a value, never code.
      const injected = await t.call("customer_by_name", { name: "' OR 1=1 --" });
      assert.equal(injected.row_count, 0);
      const invalid = await t.fail("orders_by_status", { status: "lost" });
      assert.equal(invalid.error_code, "INVALID_ARGUMENT");
      const paid = await t.call("orders_by_status", { status: "paid" });
      assert.deepEqual(paid.rows, [[1]]);
      const unknown = await t.fail("customer_by_name", { name: "Ann", extra: 1 });
      assert.equal(unknown.error_code, "INVALID_ARGUMENT");
      const write = JSON.parse(
        (await t.raw("rename_customer", { name: "Cyrus", id: 3 })).content[0].text,
      );
      assert.equal(write.affected_rows, 1);
      const tools = (await t.client.listTools()).tools;
      const rename = tools.find((x: { name: string }) => x.name === "rename_customer");
      assert.equal(rename.annotations.destructiveHint, true);
      const query = tools.find((x: { name: string }) => x.name === "customer_by_name");
      assert.equal(query.annotations.readOnlyHint, true);
      assert.deepEqual(query.inputSchema.required, ["name"]);
    } finally {
      await t.call("rename_customer", { name: "Cy", id: 3 }).catch(() => {});
      await t.close();
    }
  },
});

Deno.test("loadExtensions() skips an invalid [[tools]] entry with its reason", async () => {
  const parsed = parseConfig(tool({ statement: '"SELECT :a"' }), {
    path: "/x/datasources.toml",
    env: () => undefined,
  });
  const records: string[] = [];
  const log = new Logger({ level: "error", sinks: [(r) => void records.push(r.msg)] });
  const { extraTools } = await loadExtensions(parsed.config, log);
  assert.equal(extraTools?.length, 0);
  assert.match(records.join(), /\[\[tools\]\] "t1" skipped: placeholder\(s\) :a/);
});

Deno.test({
  name:
    "after startup, a declarative statement the server cannot prepare is logged with the tool's name",
  ...DB_TEST,
  async fn() {
    const { testDatabase } = await import("../support/test_database.ts");
    const { verifyDeclarativeTools } = await import("../../src/tools/declarative_tools.ts");
    const db = await testDatabase();
    const t = await startTestApp({
      extensions: true,
      extraToml: `
[[tools]]
name = "typo_tool"
description = "Misspelt table"
datasource = "test"
database = "${db.db}"
statement = "SELECT id FROM custmers WHERE id = :id"
  [[tools.parameters]]
  name = "id"
  type = "integer"

[[tools]]
name = "good_tool"
description = "Fine"
datasource = "test"
database = "${db.db}"
statement = "SELECT id FROM customers WHERE id = :id"
  [[tools.parameters]]
  name = "id"
  type = "integer"
`,
    });
    try {
      const messages: string[] = [];
      await verifyDeclarativeTools(
        t.app.config.tools,
        (datasource, database, sql) => t.app.gate.checkPrepares(datasource, database, sql),
        { error: (msg) => void messages.push(msg) },
      );
      assert.equal(messages.length, 1, messages.join("\n"));
      assert.match(
        messages[0],
        /\[\[tools\]\] "typo_tool": the server cannot prepare its statement: .*custmers/,
      );
      assert.ok(!messages[0].includes(db.password));
    } finally {
      await t.close();
    }
  },
});
