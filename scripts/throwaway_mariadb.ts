/**
 * A throwaway MariaDB server for tests, the demo and the benchmarks: its own
 * datadir, socket and port under a temp dir, started here and always
 * stopped here. `MYSQL_TEST_URL` points callers at an existing server instead
 * (and `MYSQL_TEST_SOCKET`, if set, at its unix socket).
 */
import { stopProcess } from "./stop_process.ts";
import mysql from "mysql2/promise";

export interface DatabaseServer {
  readonly host: string;
  readonly port: number;
  /** Path of the server's unix socket; absent for a server given by MYSQL_TEST_URL. */
  readonly socket?: string;
  /** An administrator account with every privilege. */
  readonly adminUser: string;
  readonly adminPassword: string;
  /** True when this process started the server (so it may restart or kill it). */
  readonly owned: boolean;
  /** The administrator's connection is encrypted (it need not verify the throwaway certificate). */
  readonly adminTls?: boolean;
  /** Runs SQL as the administrator (multi-statement allowed: test setup only). */
  admin(sql: string, params?: unknown[]): Promise<any>;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its files. */
  stop(): Promise<void>;
  /** Stops and starts the server on the same port and datadir. Owned servers only. */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Stops the server but keeps its files, for outage tests. Owned servers only. */
  halt(): Promise<void>;
  /** Starts a halted server again on the same port. */
  resume(): Promise<void>;
  /** Freezes the server process (SIGSTOP): it keeps its sockets but answers nothing. */
  freeze(): void;
  /** Lets a frozen server run again (SIGCONT). */
  thaw(): void;
}

const CANDIDATES = ["/usr/sbin/mariadbd", "/usr/bin/mariadbd", "/usr/local/bin/mariadbd"];

/** Finds mariadbd, installing Debian's mariadb-server when running as root. */
export async function ensureMariaDbInstalled(): Promise<string> {
  const found = await findServerBinary();
  if (found) return found;
  if (Deno.uid() !== 0) {
    throw new Error(
      "MariaDB is not installed: mariadbd was not found. Install it with " +
        "`sudo apt-get install -y mariadb-server` (Debian/Ubuntu), or set " +
        "MYSQL_TEST_URL=mysql://user:password@host:port to use an existing server.",
    );
  }
  console.error("mariadbd not found: installing mariadb-server with apt-get (one time)...");
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  await run("apt-get", ["update", "-qq"], env);
  await run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "mariadb-server"], env);
  const installed = await findServerBinary();
  if (!installed) throw new Error("apt-get installed mariadb-server but mariadbd is still missing");
  return installed;
}

async function findServerBinary(): Promise<string | undefined> {
  for (const path of CANDIDATES) {
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch { /* not here */ }
  }
  return undefined;
}

async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).slice(-2000);
    throw new Error(`${cmd} ${args[0]} failed (exit ${out.code}): ${err}`);
  }
}

/** Starts a fresh MariaDB, or connects to MYSQL_TEST_URL when it is set. */
export async function startDatabaseServer(
  options: {
    ignoreUrl?: boolean;
    /** More mariadbd options, e.g. `--ssl-cert=...`; needs a server of our own. */
    serverArgs?: readonly string[];
    /** The administrator connects over TLS (needed under `require_secure_transport`). */
    adminTls?: boolean;
  } = {},
): Promise<DatabaseServer> {
  const url = options.ignoreUrl || options.serverArgs ? undefined : Deno.env.get("MYSQL_TEST_URL");
  if (url) return externalServer(url);
  return await OwnedServer.start(options.serverArgs ?? [], options.adminTls ?? false);
}

function externalServer(url: string): DatabaseServer {
  const u = new URL(url);
  // The same server's unix socket, when it is on this machine (`deno task test` sets it).
  const socket = Deno.env.get("MYSQL_TEST_SOCKET");
  const server: DatabaseServer = {
    host: u.hostname,
    port: Number(u.port || 3306),
    ...(socket ? { socket } : {}),
    adminUser: decodeURIComponent(u.username),
    adminPassword: decodeURIComponent(u.password),
    owned: false,
    admin: (sql, params) => adminQuery(server, sql, params),
    stop: () => Promise.resolve(),
    restart: () => Promise.reject(new Error("cannot restart a server given by MYSQL_TEST_URL")),
    halt: () => Promise.reject(new Error("cannot stop a server given by MYSQL_TEST_URL")),
    resume: () => Promise.reject(new Error("cannot start a server given by MYSQL_TEST_URL")),
    freeze: () => {
      throw new Error("cannot freeze a server given by MYSQL_TEST_URL");
    },
    thaw: () => {
      throw new Error("cannot thaw a server given by MYSQL_TEST_URL");
    },
  };
  return server;
}

const adminConnections = new WeakMap<DatabaseServer, Promise<mysql.Connection>>();

async function adminQuery(server: DatabaseServer, sql: string, params?: unknown[]) {
  let pending = adminConnections.get(server);
  if (!pending) {
    pending = mysql.createConnection({
      host: server.host,
      port: server.port,
      user: server.adminUser,
      password: server.adminPassword,
      multipleStatements: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      ...(server.adminTls ? { ssl: { rejectUnauthorized: false } } : {}),
    });
    adminConnections.set(server, pending);
  }
  try {
    const [rows] = await (await pending).query(sql, params);
    return rows;
  } catch (error) {
    const e = error as { fatal?: boolean; code?: string };
    if (e.fatal || e.code === "ECONNREFUSED" || e.code === "PROTOCOL_CONNECTION_LOST") {
      adminConnections.delete(server);
    }
    throw error;
  }
}

async function closeAdmin(server: DatabaseServer) {
  const pending = adminConnections.get(server);
  adminConnections.delete(server);
  if (pending) {
    try {
      (await pending).destroy();
    } catch { /* already gone */ }
  }
}

class OwnedServer implements DatabaseServer {
  readonly host = "127.0.0.1";
  readonly adminUser = "mcp_admin";
  readonly adminPassword = `adm_${crypto.randomUUID().slice(0, 12)}`;
  readonly owned = true;
  #child?: Deno.ChildProcess;

  get socket(): string {
    return `${this.dir}/mysqld.sock`;
  }
  #stopped = false;
  readonly #unload = () => this.#killSync();

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly binary: string,
    private readonly serverArgs: readonly string[],
    readonly adminTls: boolean,
  ) {}

  static async start(serverArgs: readonly string[] = [], adminTls = false): Promise<OwnedServer> {
    const binary = await ensureMariaDbInstalled();
    const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-db-" });
    const server = new OwnedServer(freePort(), dir, binary, serverArgs, adminTls);
    try {
      const user = Deno.uid() === 0 ? ["--user=root"] : [];
      await run("mariadb-install-db", [
        "--no-defaults",
        `--datadir=${dir}/data`,
        // Its own tmpdir: other processes cleaning /tmp must not break it.
        `--tmpdir=${dir}`,
        "--auth-root-authentication-method=socket",
        "--skip-test-db",
        "--skip-name-resolve",
        ...user,
      ]);
      globalThis.addEventListener("unload", server.#unload);
      await server.#launch();
      await server.#bootstrapAdmin();
      return server;
    } catch (error) {
      await server.stop();
      throw error;
    }
  }

  admin(sql: string, params?: unknown[]) {
    return adminQuery(this, sql, params);
  }

  async #launch() {
    const args = [
      "--no-defaults",
      `--datadir=${this.dir}/data`,
      `--tmpdir=${this.dir}`,
      `--socket=${this.dir}/mysqld.sock`,
      `--pid-file=${this.dir}/mysqld.pid`,
      `--log-error=${this.dir}/error.log`,
      `--port=${this.port}`,
      "--bind-address=127.0.0.1",
      "--skip-name-resolve",
      "--max-connections=1000",
      "--innodb-buffer-pool-size=256M",
      "--innodb-flush-log-at-trx-commit=0",
      "--innodb-doublewrite=0",
      "--skip-log-bin",
      "--character-set-server=utf8mb4",
      "--collation-server=utf8mb4_unicode_ci",
      ...(Deno.uid() === 0 ? ["--user=root"] : []),
      ...this.serverArgs,
    ];
    this.#child = new Deno.Command(this.binary, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (await this.#socketAnswers()) return;
      const exited = await Promise.race([
        this.#child.status.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 100)),
      ]);
      if (exited) break;
    }
    let log = "";
    try {
      log = (await Deno.readTextFile(`${this.dir}/error.log`)).slice(-1500);
    } catch { /* no log */ }
    throw new Error(`mariadbd did not start on port ${this.port}:\n${log}`);
  }

  async #socketAnswers(): Promise<boolean> {
    try {
      const conn = await Deno.connect({ hostname: this.host, port: this.port });
      conn.close();
      return true;
    } catch {
      return false;
    }
  }

  async #bootstrapAdmin() {
    // root authenticates by unix socket only; tests use a password account over TCP.
    const mariadb = Deno.uid() === 0 ? "mariadb" : "mariadb";
    const sql = `CREATE USER '${this.adminUser}'@'%' IDENTIFIED BY '${this.adminPassword}';` +
      `GRANT ALL PRIVILEGES ON *.* TO '${this.adminUser}'@'%' WITH GRANT OPTION;`;
    await run(mariadb, ["--no-defaults", `--socket=${this.dir}/mysqld.sock`, "-uroot", "-e", sql]);
  }

  async halt() {
    await closeAdmin(this);
    const child = this.#child;
    this.#child = undefined;
    if (!child) return;
    await stopProcess(child, 15_000);
  }

  async resume() {
    if (this.#child) return;
    await this.#launch();
  }

  freeze() {
    this.#child?.kill("SIGSTOP");
  }

  thaw() {
    this.#child?.kill("SIGCONT");
  }

  async restart(options: { downMs?: number } = {}) {
    await this.halt();
    if (options.downMs) await new Promise((r) => setTimeout(r, options.downMs));
    await this.resume();
  }

  async stop() {
    if (this.#stopped) return;
    this.#stopped = true;
    globalThis.removeEventListener("unload", this.#unload);
    await this.halt();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }

  #killSync() {
    try {
      this.#child?.kill("SIGKILL");
    } catch { /* gone */ }
    try {
      Deno.removeSync(this.dir, { recursive: true });
    } catch { /* gone */ }
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
