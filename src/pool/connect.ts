import { authFailure, authPlugins, INITIAL_AUTH_PLUGIN } from "./_auth_plugins.ts";
import type { DenoSocket } from "./deno_socket.ts";
import { type Duplex, Readable } from "node:stream";
import { ToolError } from "../errors/tool_error.ts";
import { connectionError } from "./_connection_error.ts";
import { tlsFailure } from "./_tls_error.ts";
import { tlsSetup } from "./tls_setup.ts";
import type { ConnectionFacts, ConnectionTarget, ServerFlavor, Transport } from "./types.ts";

/** A freshly opened, session-initialised connection: what the pool learns of it, all of it known. */
export type OpenedConnection = Required<ConnectionFacts>;

// Modes that change how our SQL lexer must read text: backslash escapes and
// double-quoted strings. Combination modes are dropped too, because they would
// bring ANSI_QUOTES back.
const UNWANTED_MODES = [
  "NO_BACKSLASH_ESCAPES",
  "ANSI_QUOTES",
  "ANSI",
  "ORACLE",
  "MSSQL",
  "DB2",
  "POSTGRESQL",
  "MAXDB",
];

function sqlModeExpression(): string {
  let expr = "CONCAT(',', @@SESSION.sql_mode, ',')";
  for (const mode of UNWANTED_MODES) expr = `REPLACE(${expr}, ',${mode},', ',')`;
  return `TRIM(BOTH ',' FROM ${expr})`;
}

const SQL_MODE = sqlModeExpression();

/** The one statement that puts a new (or reset) session into our defaults: safe sql_mode, READ ONLY. */
export function sessionInitSql(flavor: ServerFlavor): string {
  // MySQL 8 removed tx_read_only; MariaDB has always had it.
  const readOnlyVar = flavor === "mariadb" ? "tx_read_only" : "transaction_read_only";
  return `SET SESSION sql_mode = ${SQL_MODE}, SESSION ${readOnlyVar} = 1`;
}

// Belt and braces beside -LOCAL_FILES: if a server asks for a file anyway, we send an empty one.
function refuseLocalFile(): Readable {
  const stream = new Readable({ read() {} });
  queueMicrotask(() => stream.destroy(new Error("LOAD DATA LOCAL is disabled")));
  return stream;
}

/** The connection went away without a reason: a TLS handshake may have refused it. */
function closedUnderUs(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === "PROTOCOL_CONNECTION_LOST" || code === "ECONNRESET" || code === "EPIPE";
}

type Driver = typeof import("mysql2");
let driver: Promise<Driver> | undefined;

/**
 * mysql2 is loaded on first connect, not at startup: it is a tenth of a
 * second of module evaluation that the MCP handshake need not wait for.
 */
function loadDriver() {
  driver ??= import("mysql2").then((module) => (module as { default: Driver }).default);
  return driver;
}

/**
 * Opens one mysql2 connection to `target` with our fixed driver settings and
 * runs the session init in the same call. Failures become CONNECTION_FAILED
 * ToolErrors with only the error code and a short reason.
 */
export async function connect(
  target: ConnectionTarget,
  signal?: AbortSignal,
): Promise<OpenedConnection> {
  if (signal?.aborted) {
    throw new ToolError("CONNECTION_FAILED", "Cannot connect: aborted");
  }
  const mysql = await loadDriver();
  // Through a bastion, the tunnel's stream is opened first: mysql2 takes a stream
  // synchronously, and a tunnel failure already names its hop.
  const tunnelled = target.tunnel
    ? await target.tunnel.openStream(target.host, target.port, signal)
    : undefined;
  // password_command: asked again for every connection (its tokens expire).
  const [password, tls] = await Promise.all([
    target.fetchPassword ? target.fetchPassword(signal) : target.password,
    // TLS is for TCP: a unix socket never leaves the machine (and MariaDB offers no TLS there).
    // Through a tunnel the stream is not ours: node:tls encrypts it (mysql2's own TLS).
    tlsSetup(target.socket === undefined ? target.tls : undefined, target.host, {
      overStream: tunnelled !== undefined,
    }),
  ]);
  let authPlugin = INITIAL_AUTH_PLUGIN;
  return await new Promise((resolve, reject) => {
    let settled = false;
    let stream: DenoSocket | Duplex | undefined;
    const raw = mysql.createConnection({
      host: target.host,
      port: target.port,
      // Deno's own TCP instead of Node-compat net: ~10% less CPU per statement and a
      // tighter p99, measured A/B in-process (see docs/performance.md).
      stream: () => (stream = tunnelled ?? tls.socket(
        target.socket !== undefined
          ? { transport: "unix", path: target.socket }
          : { hostname: target.host, port: target.port },
      )),
      authPlugins: authPlugins(mysql, {
        // A tunnel's far end is plain TCP from the bastion: not secure for a clear password
        // unless TLS runs inside it.
        isSecure: (connection) =>
          target.socket !== undefined || connection.stream?.encrypted === true,
        used: (plugin) => authPlugin = plugin,
      }),
      user: target.user,
      password: password.reveal(),
      database: target.database,
      connectTimeout: target.connectTimeoutMs,
      charset: "utf8mb4",
      supportBigNumbers: true,
      // Exact: a BIGINT or DECIMAL beyond 2^53 comes as a string, smaller ones as numbers.
      bigNumberStrings: false,
      dateStrings: true,
      decimalNumbers: false,
      multipleStatements: false,
      // Agents send endless distinct SQL: bound the server-side prepared statements
      // each connection keeps (the server-wide max_prepared_stmt_count is shared).
      maxPreparedStatements: 64,
      flags: ["-LOCAL_FILES"],
      infileStreamFactory: refuseLocalFile,
      ...tls.driverOptions,
    });
    let lost: unknown;
    const finish = (error: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      raw.destroy();
      const failure = authFailure(error) ?? tlsFailure(error, target.tls) ??
        connectionError(error, "Cannot connect");
      // (Not through a tunnel: its stream is not ours, so the second try would fail alike.)
      if (
        tls.engine !== "node" || tunnelled || failure.details?.code !== "TLS_UNTRUSTED_CERT"
      ) {
        return reject(failure);
      }
      // node:tls in Deno reports every failed chain (an expired certificate too) as "unable to
      // verify": one more handshake through Deno.startTls (rustls) tells which it was.
      const { cert: _cert, key: _key, minVersion: _min, ...server } = target.tls!;
      connect({ ...target, tls: { ...server, mode: "verify_ca" } }, signal).then(
        (opened) => {
          opened.raw.destroy();
          reject(failure);
        },
        (precise) =>
          reject(precise instanceof ToolError && precise.details?.code ? precise : failure),
      );
    };
    const fail = (error: unknown) => {
      if (settled || error === lost) return;
      if (
        !lost && tls.engine === "node" && closedUnderUs(error) && !tlsFailure(error, target.tls)
      ) {
        // node:tls closes the socket under a refused handshake before it reports why:
        // give the reason a moment to arrive rather than report "connection lost".
        lost = error;
        setTimeout(() => finish(lost), 100);
        return;
      }
      finish(error);
    };
    const onAbort = () => fail({ code: "ABORTED" });
    // mysql2's connectTimeout covers the handshake only; this also covers the session init.
    const timer = setTimeout(() => fail({ code: "ETIMEDOUT" }), target.connectTimeoutMs + 1000);
    const onError = (error: unknown) => fail(error);
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    // Stays attached for the connection's life: an error event with no listener crashes the process.
    raw.on("error", onError);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      tls.attach(raw, stream!);
    } catch (error) {
      return fail(error);
    }
    raw.connect((error: unknown, handshake?: { serverVersion?: string }) => {
      if (error) return fail(error);
      const version = String(handshake?.serverVersion ?? "");
      const flavor: ServerFlavor = /mariadb/i.test(version) ? "mariadb" : "mysql";
      // MariaDB prefixes "5.5.5-" for old replication clients.
      const serverVersion = version.replace(/^5\.5\.5-/, "");
      raw.query(sessionInitSql(flavor), (initError: unknown) => {
        if (initError) return fail(initError);
        if (settled) return;
        settled = true;
        cleanup();
        // After TLS, mysql2's stream is node:tls's socket or our DenoSocket: both say `encrypted`.
        const encrypted = (raw as unknown as { stream?: { encrypted?: boolean } }).stream
          ?.encrypted === true;
        const transport: Transport = target.socket !== undefined
          ? "socket"
          : tunnelled
          ? (encrypted ? "ssh+tls" : "ssh")
          : encrypted
          ? "tls"
          : "tcp";
        resolve({ raw, threadId: raw.threadId, flavor, serverVersion, transport, authPlugin });
      });
    });
  });
}
