/**
 * Helpers shared by the tool tests: request arguments, an administrator's
 * view of the database state, and waits on the server's process list.
 */
import assert from "assert";
import { startTestApp, type TestApp, type TestAppOptions } from "../support/test_app.ts";

/** The datasource key of the default test config. */
export const KEY = "test";

/** `{datasource_key, database}` of the test database, plus `extra`. */
export function on(t: TestApp, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { datasource_key: KEY, database: t.db.db, ...extra };
}

/**
 * Starts the test app with a second datasource, "down", pointing at a port
 * nothing listens on (port 1 of the same host).
 */
export function startAppWithDownSource(options: TestAppOptions = {}): Promise<TestApp> {
  return startTestApp({
    ...options,
    extraToml: `[[datasources]]
key = "down"
name = "Nothing listens here"
host = "127.0.0.1"
port = 1
username = "nobody"
password = "down-source-password"
[datasources.pool]
connect_timeout = "1s"
acquire_timeout = "2s"

${options.extraToml ?? ""}`,
  });
}

/**
 * Everything a hostile statement could change, read as administrator: the
 * tables of the test database with a checksum of each, the tables of the
 * other database and the content of its `secrets` table.
 */
export async function dbState(t: TestApp): Promise<string> {
  const { db, otherDb } = t.db;
  const tables = await t.db.server.admin(
    `SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES
      WHERE TABLE_SCHEMA IN (?, ?) ORDER BY TABLE_SCHEMA, TABLE_NAME`,
    [db, otherDb],
  ) as { TABLE_SCHEMA: string; TABLE_NAME: string; TABLE_TYPE: string }[];
  const names = tables.map((r) => `\`${r.TABLE_SCHEMA}\`.\`${r.TABLE_NAME}\``);
  const checksums = names.length
    ? await t.db.server.admin(`CHECKSUM TABLE ${names.join(", ")} EXTENDED`)
    : [];
  const secrets = await t.db.server.admin(`SELECT * FROM \`${otherDb}\`.secrets ORDER BY id`);
  const routines = await t.db.server.admin(
    "SELECT ROUTINE_SCHEMA, ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN (?, ?)",
    [db, otherDb],
  );
  const grants = await t.db.server.admin(`SHOW GRANTS FOR '${t.db.user}'@'%'`);
  return JSON.stringify({ tables, checksums, secrets, routines, grants });
}

/** Ids of the server threads whose current statement contains `marker` (not our own). */
export async function runningWith(t: TestApp, marker: string): Promise<number[]> {
  const rows = await t.db.server.admin(
    `SELECT ID FROM information_schema.PROCESSLIST
      WHERE INFO LIKE CONCAT('%', ?, '%') AND ID <> CONNECTION_ID()`,
    [marker],
  ) as { ID: number | string }[];
  return rows.map((r) => Number(r.ID));
}

/** Waits until no statement containing `marker` runs; fails after `withinMs`. */
export async function assertStatementGone(
  t: TestApp,
  marker: string,
  withinMs: number,
): Promise<number> {
  const started = performance.now();
  while (true) {
    const ids = await runningWith(t, marker);
    const elapsed = performance.now() - started;
    if (ids.length === 0) return elapsed;
    if (elapsed > withinMs) {
      assert.fail(`statement "${marker}" still runs after ${Math.round(elapsed)} ms: ${ids}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until a statement containing `marker` runs on the server. */
export async function waitRunning(t: TestApp, marker: string, withinMs = 3_000): Promise<void> {
  const started = performance.now();
  while ((await runningWith(t, marker)).length === 0) {
    if (performance.now() - started > withinMs) {
      assert.fail(`statement "${marker}" never started`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The text content of a tool result. */
export function textOf(result: { content?: unknown }): string {
  return ((result.content ?? []) as { text?: string }[]).map((c) => c.text ?? "").join("\n");
}

/** A short random marker for statements looked up in the process list. */
export function marker(prefix = "m"): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
}
