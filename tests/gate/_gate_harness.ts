/**
 * What the gate corpus and the gate properties share: an app that logs in as the
 * administrator, the corpus's objects, a direct administrator connection, and a guard that
 * notices (and undoes) anything a wrongly admitted statement changed.
 *
 * @module
 */
import mysql from "mysql2/promise";
import { dbState } from "../tools/_support.ts";
import type { TestApp, TestAppOptions } from "../support/test_app.ts";
import type { TestDatabase } from "../support/test_database.ts";
import { CLEANUP_SQL, fill, LOCK_NAMES, SCRATCH_ROWS, SETUP_SQL, TEARDOWN_SQL } from "./_corpus.ts";

export const SECRET = "do-not-read";

/** Placeholder values of a test run. */
export function namesOf(db: TestDatabase, file?: string) {
  return { db: db.db, hidden: db.otherDb, file };
}

/**
 * App options for a datasource that logs in as the administrator (every privilege on every
 * database): the allow-list is all that stands between the agent and `{H}`.
 */
export function adminApp(db: TestDatabase, source: Record<string, string> = {}): TestAppOptions {
  return {
    source: {
      username: JSON.stringify(db.server.adminUser),
      password: JSON.stringify(db.server.adminPassword),
      ...source,
    },
  };
}

/** Runs SQL text with placeholders as the administrator. */
export function admin(db: TestDatabase, sql: string, params?: unknown[]): Promise<any> {
  return db.server.admin(fill(sql, namesOf(db)), params);
}

/** Creates the corpus's tables, views, sequence and functions (idempotent). */
export async function createCorpusObjects(db: TestDatabase): Promise<void> {
  for (const sql of SETUP_SQL) await admin(db, sql);
  await resetScratch(db);
}

export async function dropCorpusObjects(db: TestDatabase): Promise<void> {
  for (const sql of TEARDOWN_SQL) await admin(db, sql);
}

/** `{D}.gate_scratch` back to its three rows. */
export async function resetScratch(db: TestDatabase): Promise<void> {
  await admin(db, "DELETE FROM {D}.gate_scratch");
  await admin(db, `INSERT INTO {D}.gate_scratch VALUES ${SCRATCH_ROWS}`);
}

/** True when `{D}.gate_scratch` holds the hidden secret (copied there by a write). */
export async function scratchHoldsSecret(db: TestDatabase): Promise<boolean> {
  return jsonOf(await admin(db, "SELECT v FROM {D}.gate_scratch")).includes(SECRET);
}

/** A connection of its own as the administrator, default database `{D}`. */
export async function directConnection(db: TestDatabase): Promise<mysql.Connection> {
  return await mysql.createConnection({
    host: db.server.host,
    port: db.server.port,
    user: db.server.adminUser,
    password: db.server.adminPassword,
    database: db.db,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
}

/** The server's data directory without its last part: every server path starts with it. */
export async function serverRoot(db: TestDatabase): Promise<string> {
  const [row] = await db.server.admin("SELECT @@datadir AS d") as { d: string }[];
  const dir = row.d.replace(/\/+$/, "");
  const parent = dir.slice(0, dir.lastIndexOf("/"));
  // "/var/lib/mysql" has the too-common parent "/var/lib": keep the datadir itself then.
  return parent.split("/").length > 2 ? parent : dir;
}

/** Strings no response may contain, by what they are. */
export async function forbiddenStrings(db: TestDatabase): Promise<[string, string][]> {
  return [
    ["the hidden secret", SECRET],
    ["the administrator's password", db.server.adminPassword],
    ["a server path", await serverRoot(db)],
  ];
}

/** What the response reveals that it must not, or undefined. */
export function leakIn(text: string, forbidden: [string, string][]): string | undefined {
  const found = forbidden.filter(([, needle]) => text.includes(needle)).map(([what]) => what);
  return found.length ? found.join(", ") : undefined;
}

/** JSON of query results, BigInt-safe. */
export function jsonOf(value: unknown): string {
  return JSON.stringify(value, (_k, v) => typeof v === "bigint" ? String(v) : v) ?? "";
}

interface Snapshot {
  db: string;
  mysql: string;
  globals: Record<string, unknown>;
  hidden: unknown[];
}

/**
 * Everything a wrongly admitted statement could change, compared with what it was before:
 * the allowed and hidden databases (checksums, the secret, routines, grants: `dbState`), the
 * grant tables' rows for the accounts involved and `gate*` accounts, a few global variables,
 * and the corpus's named locks. `restore()` undoes what it can and takes a new baseline.
 * Reset `{D}.gate_scratch` (which admitted writes may change) before comparing.
 */
export class StateGuard {
  private constructor(private readonly t: TestApp, private base: Snapshot) {}

  static async take(t: TestApp): Promise<StateGuard> {
    return new StateGuard(t, await snapshot(t));
  }

  /** Differences from the baseline, as sentences; empty when nothing changed. */
  async differences(): Promise<string[]> {
    const now = await snapshot(this.t);
    const out: string[] = [];
    if (now.db !== this.base.db) out.push(describeChange(this.base.db, now.db));
    if (now.mysql !== this.base.mysql) out.push("changed the grant tables");
    for (const [name, value] of Object.entries(now.globals)) {
      if (String(value) !== String(this.base.globals[name])) {
        out.push(`changed ${name} from ${this.base.globals[name]} to ${value}`);
      }
    }
    for (const name of LOCK_NAMES) {
      const holder = await this.lockHolder(name);
      if (holder !== null) out.push(`left the named lock "${name}" held by connection ${holder}`);
    }
    return out;
  }

  /**
   * Undoes what a wrongly admitted statement did, then takes a new baseline (so one failure
   * does not fail every later entry). Returns what could not be undone.
   */
  async restore(): Promise<string | undefined> {
    const db = this.t.db;
    for (const name of LOCK_NAMES) {
      const holder = await this.lockHolder(name);
      if (holder !== null) await db.server.admin(`KILL ${Number(holder)}`).catch(() => {});
    }
    const globals = this.base.globals;
    await db.server.admin(
      `SET GLOBAL max_connections = ${Number(globals.max_connections)},
           GLOBAL general_log = ${Number(globals.general_log)}, GLOBAL sql_mode = ?`,
      [String(globals.sql_mode)],
    );
    await admin(db, "DELETE FROM {H}.secrets");
    for (const row of this.base.hidden as { id: number; secret: string }[]) {
      await admin(db, "INSERT INTO {H}.secrets (id, secret) VALUES (?, ?)", [row.id, row.secret]);
    }
    for (const sql of CLEANUP_SQL) await admin(db, sql).catch(() => {});
    await resetScratch(db);
    const before = this.base;
    this.base = await snapshot(this.t);
    return this.base.mysql !== before.mysql || this.base.db !== before.db
      ? "could not undo what it changed (later entries compare against the changed state)"
      : undefined;
  }

  private async lockHolder(name: string): Promise<string | null> {
    const [row] = await this.t.db.server.admin("SELECT IS_USED_LOCK(?) AS id", [name]) as {
      id: string | number | null;
    }[];
    return row.id === null ? null : String(row.id);
  }
}

/**
 * `dbState` with the account's grants in a fixed order: SHOW GRANTS lists database grants in
 * the server's internal order, which moves when other accounts (other test runs on the same
 * server) gain or lose grants.
 */
function sortedGrants(state: string): string {
  const parsed = JSON.parse(state);
  parsed.grants = (parsed.grants as unknown[]).map((row) => JSON.stringify(row)).sort();
  return JSON.stringify(parsed);
}

/** Which part of `dbState` differs: a table's checksum, the secret, routines or grants. */
function describeChange(before: string, after: string): string {
  const a = JSON.parse(before);
  const b = JSON.parse(after);
  const parts: string[] = [];
  const sums = (state: { checksums: { Table: string; Checksum: unknown }[] }) =>
    new Map(state.checksums.map((row) => [row.Table, String(row.Checksum)]));
  const [x, y] = [sums(a), sums(b)];
  for (const table of new Set([...x.keys(), ...y.keys()])) {
    if (x.get(table) !== y.get(table)) parts.push(`the rows of ${table}`);
  }
  for (const key of ["tables", "secrets", "routines", "grants"]) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) parts.push(key);
  }
  return `changed ${parts.join(", ") || "the allowed or the hidden database"}`;
}

async function snapshot(t: TestApp): Promise<Snapshot> {
  const db = t.db;
  const accounts = [db.server.adminUser, db.user];
  const mysqlRows = await db.server.admin(
    `SELECT 'user' AS k, User, Host, Priv FROM mysql.global_priv
       WHERE User IN (?, ?) OR User LIKE 'gate%'
     UNION ALL SELECT 'db', User, Host, CONCAT_WS(',', Db, Select_priv, Insert_priv) FROM mysql.db
       WHERE Db IN (?, ?) OR User LIKE 'gate%'
     UNION ALL SELECT 'table', User, Host, CONCAT_WS(',', Db, Table_name, Table_priv)
       FROM mysql.tables_priv WHERE Db IN (?, ?) OR User LIKE 'gate%'
     ORDER BY 1, 2, 3, 4`,
    [...accounts, db.db, db.otherDb, db.db, db.otherDb],
  );
  const servers = await db.server.admin("CHECKSUM TABLE mysql.servers EXTENDED");
  const [globals] = await db.server.admin(
    `SELECT @@global.max_connections AS max_connections, @@global.sql_mode AS sql_mode,
            @@global.read_only AS read_only, @@global.general_log AS general_log`,
  ) as Record<string, unknown>[];
  return {
    db: sortedGrants(await dbState(t)),
    mysql: jsonOf([mysqlRows, servers]),
    globals,
    hidden: await admin(db, "SELECT id, secret FROM {H}.secrets ORDER BY id"),
  };
}
