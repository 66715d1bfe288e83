/**
 * Run by the permission tests under exactly the derived flags (never -A): loads
 * the config like the server does, talks to MySQL with mysql2 the way the
 * server's pool does, then tries three things the flags must not allow.
 * Prints one JSON line: `{ query, streamed, refused, escapes }`.
 */
import mysql from "mysql2";
import type { Connection } from "mysql2";
import { loadConfig } from "../../src/config/load_config.ts";
import { describeDenial } from "../../src/errors/describe_denial.ts";

const { config } = await loadConfig(Deno.args[0]);
Deno.env.get("MYSQL_MCP_LOG_LEVEL"); // the server reads it too
const source = config.datasources[0];

function connect(password = source.password.reveal()): Promise<Connection> {
  const connection = mysql.createConnection({
    host: source.host,
    port: source.port,
    user: source.username,
    password,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
  });
  return new Promise((resolve, reject) =>
    connection.connect((error) => error ? reject(error) : resolve(connection))
  );
}

function run(
  connection: Connection,
  sql: string,
  values: (string | number)[] = [],
): Promise<unknown> {
  return new Promise((resolve, reject) =>
    connection.execute(sql, values, (error, rows) => error ? reject(error) : resolve(rows))
  );
}

function streamRows(connection: Connection, sql: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let count = 0;
    connection.query(sql).stream({ highWaterMark: 10 })
      .on("data", () => count++)
      .on("error", reject)
      .on("end", () => resolve(count));
  });
}

const connection = await connect();
const rows = await run(connection, "SELECT ? + 1 AS answer, VERSION() AS version", [41]);
const streamed = await streamRows(
  connection,
  "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 50) SELECT n FROM s",
);
// A second connection kills a query on the first, as the server's timeouts do.
const killer = await connect();
const sleeping = run(connection, "SELECT SLEEP(5)").catch((error) => error);
await new Promise((resolve) => setTimeout(resolve, 200));
await run(killer, `KILL QUERY ${connection.threadId}`);
await sleeping;
await new Promise<void>((resolve) => connection.end(() => resolve()));
// The error path of a refused login must not need anything more either.
const refused = await connect("not the password").then(
  (c) => (c.destroy(), "connected"),
  (error) => error.code,
);
await new Promise<void>((resolve) => killer.end(() => resolve()));

async function attempt(action: () => Promise<unknown> | unknown) {
  try {
    await action();
    return { error: "none" };
  } catch (error) {
    const name = error instanceof Error ? error.name : String(error);
    return { error: name, described: describeDenial(error) };
  }
}

const escapes = Deno.args.includes("--escapes")
  ? {
    fetch: await attempt(() => fetch("http://127.0.0.2:8080/")),
    read: await attempt(() => Deno.readTextFile("/etc/hostname")),
    env: await attempt(() => Deno.env.get("HOME")),
  }
  : undefined;

console.log(JSON.stringify({ query: rows, streamed, refused, escapes }));
