/**
 * `deno task bench`: the SPEC's quality bars, measured in one run next to raw
 * mysql2 doing the same work in this process. Starts a throwaway MariaDB,
 * seeds it, spawns the server over stdio exactly as an agent host would (with
 * minimal Deno permissions), prints a table and writes bench-results/latest.json.
 *
 *   deno task bench            # everything, a few minutes
 *   deno task bench --quick    # smaller counts, for checking the script itself
 */
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/index.d.ts"
import { httpThroughput } from "./bench/http_throughput.ts";
import { PLUGIN_ENV } from "../src/plugins/plugin_launch.ts";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/stdio.d.ts"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import mysql from "mysql2";
import { measureAnalyzer } from "./bench/analyzer.ts";
import { type DatabaseServer, startDatabaseServer } from "./throwaway_mariadb.ts";
import { SecretScrubber } from "../src/log/secret_scrubber.ts";
import { LineClient } from "./bench/line_client.ts";
import { measureWideRows, seedWideRows, WIDE_ROWS } from "./bench/wide_rows.ts";
import { measureTls, type TlsBenchTarget } from "./bench/tls.ts";
import { keyOf, makeTestCertificates, type TestCertificates } from "./test_certificates.ts";
import {
  median,
  peakRss,
  percentile,
  throughput,
  type ThroughputResult,
  timeSequential,
  utf8Bytes,
} from "./bench/measure.ts";

export * from "./bench/measure.ts";

const ROOT = new URL("..", import.meta.url).pathname;
/** The server with scrub() bypassed, for the scrubber's A/B (see scripts/bench/serve_unscrubbed.ts). */
const UNSCRUBBED_ENTRY = "scripts/bench/serve_unscrubbed.ts";
const PASSWORD_VAR = "MYSQL_MCP_BENCH_PASSWORD";
const MAX_CONNECTIONS = 10;
const TABLE_ROWS = 10_000;
const STREAM_SQL = (n: number) => `SELECT seq AS id, seq * 2 AS twice FROM seq_1_to_${n}`;
const LOOKUP_SQL = "SELECT * FROM t WHERE id = ?";
/** A plugin tool doing mysql_query's PK lookup through its context, and its result shape. */
const LOOKUP_PLUGIN =
  `import { definePlugin, defineTool, queryOutput, renderRows, z } from "mysql-mcp/plugin";
export default definePlugin({
  name: "bench_lookup",
  tools: [defineTool({
    name: "bench_lookup",
    description: "PK lookup through a plugin",
    input: z.object({ database: z.string(), id: z.number().int() }).strict(),
    output: queryOutput,
    handler: (args, ctx) =>
      ctx.query({ datasource: "bench", database: args.database, sql: ${
    JSON.stringify(LOOKUP_SQL)
  }, params: [args.id] }),
    render: renderRows,
  })],
});
`;
/** Hooks that do nothing: what every statement pays for a hook-owning plugin. */
const HOOKS_PLUGIN = `import { definePlugin } from "mysql-mcp/plugin";
export default definePlugin({
  name: "bench_hooks",
  hooks: { beforeQuery() {}, afterQuery() {}, onError() {} },
});
`;
const TEXT_SQL = "SELECT * FROM t WHERE id <= 100 ORDER BY id";

/** A seeded database and the account the server under test uses. */
export interface BenchDatabase {
  readonly server: DatabaseServer;
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

/** Creates a database with table `t` (8 columns, NULLs, empty strings, decimals, dates). */
export async function seedBenchDatabase(server: DatabaseServer): Promise<BenchDatabase> {
  const suffix = crypto.randomUUID().slice(0, 8);
  const db: BenchDatabase = {
    server,
    database: `bench_${suffix}`,
    user: `bench_${suffix}`,
    password: `pw-${crypto.randomUUID()}`,
  };
  await server.admin(`
CREATE DATABASE ${db.database} CHARACTER SET utf8mb4;
CREATE TABLE ${db.database}.t (
  id INT PRIMARY KEY,
  customer VARCHAR(60) NOT NULL,
  email VARCHAR(120) NOT NULL,
  status ENUM('pending','paid','shipped') NOT NULL,
  total DECIMAL(12,2) NOT NULL,
  quantity INT NOT NULL,
  created_at DATETIME NOT NULL,
  note VARCHAR(200) NULL
);
INSERT INTO ${db.database}.t
  SELECT seq, CONCAT('Customer ', seq), CONCAT('customer', seq, '@example.com'),
    ELT(1 + seq % 3, 'pending', 'paid', 'shipped'), ROUND(seq * 1.37, 2), seq % 17,
    TIMESTAMP('2024-01-01') + INTERVAL seq MINUTE,
    CASE seq % 4 WHEN 0 THEN NULL WHEN 1 THEN '' ELSE CONCAT('note for order ', seq) END
  FROM ${db.database}.seq_1_to_${TABLE_ROWS};
CREATE USER '${db.user}'@'%' IDENTIFIED BY '${db.password}';
GRANT SELECT ON ${db.database}.* TO '${db.user}'@'%';
`);
  return db;
}

/** A temporary datasources.toml for `db` (password through an environment variable). */
export async function writeBenchConfig(
  db: BenchDatabase,
  pluginFiles: Record<string, string> = {},
  tls: { lines: string; read: string[] } = { lines: 'mode = "disabled"', read: [] },
): Promise<{ dir: string; path: string; plugins: string; read: string[] }> {
  const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-bench-" });
  const plugins = `${dir}/plugins`;
  await Deno.mkdir(plugins);
  for (const [name, source] of Object.entries(pluginFiles)) {
    await Deno.writeTextFile(`${plugins}/${name}`, source);
  }
  const path = `${dir}/datasources.toml`;
  await Deno.writeTextFile(
    path,
    `[server]
query_timeout = "30s"
stream_chunk_size = 1000
stream_idle_timeout = "60s"
plugins_dir = ${JSON.stringify(plugins)}

[[datasources]]
key = "bench"
name = "Benchmark"
host = ${JSON.stringify(db.server.host)}
port = ${db.server.port}
username = ${JSON.stringify(db.user)}
password_env = "${PASSWORD_VAR}"
databases = [${JSON.stringify(db.database)}]
max_rows = 10000
  [datasources.pool]
  max_connections = ${MAX_CONNECTIONS}
  min_connections = 1
  [datasources.tls]
  ${tls.lines}
`,
  );
  return { dir, path, plugins, read: tls.read };
}

/** The stdio server as an agent host launches it: minimal permissions, password in the env. */
export function serverTransport(
  db: BenchDatabase,
  config: { path: string; plugins: string; read?: string[] },
  entry = "main.ts",
): InstanceType<typeof StdioClientTransport> {
  return new StdioClientTransport({
    command: Deno.execPath(),
    args: [
      "run",
      `--allow-net=${db.server.host}:${db.server.port}`,
      // Deno itself: each plugin runs in a `deno run` of its own (as the derived flags say).
      `--allow-read=${
        [config.path, config.plugins, Deno.execPath(), ...config.read ?? []].join(",")
      }`,
      `--allow-run=${Deno.execPath()}`,
      `--allow-env=${PASSWORD_VAR},MYSQL_MCP_CONFIG,MYSQL_MCP_LOG_LEVEL,${PLUGIN_ENV.join(",")}`,
      entry,
      "serve",
      "--config",
      config.path,
    ],
    cwd: ROOT,
    env: { [PASSWORD_VAR]: db.password, MYSQL_MCP_LOG_LEVEL: "warn" },
    stderr: "inherit",
  });
}

/** Spawns the server and completes the MCP handshake; returns the time it took. */
export async function connectClient(
  db: BenchDatabase,
  config: { path: string; plugins: string; read?: string[] },
  entry = "main.ts",
): Promise<{ client: InstanceType<typeof Client>; pid: number; startMs: number }> {
  const transport = serverTransport(db, config, entry);
  const client = new Client({ name: "mysql-mcp-bench", version: "0.1.0" });
  const started = performance.now();
  await client.connect(transport);
  const startMs = performance.now() - started;
  return { client, pid: transport.pid!, startMs };
}

type McpClient = InstanceType<typeof Client>;

async function callOk(client: McpClient, name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args }, undefined, {
    timeout: 120_000,
  });
  if (result.isError) {
    throw new Error(`${name} failed: ${(result.content as { text: string }[])[0]?.text}`);
  }
  return result as { content: { text: string }[]; structuredContent: any };
}

/** Streams `sql` to its end through the MCP server; returns rows and rows/s. */
export async function streamThroughServer(
  client: McpClient,
  db: BenchDatabase,
  sql: string,
): Promise<{ rows: number; seconds: number; rowsPerSecond: number; maxChunk: number }> {
  const started = performance.now();
  let chunk = (await callOk(client, "mysql_query", {
    datasource_key: "bench",
    database: db.database,
    query: sql,
    stream: true,
  })).structuredContent;
  let rows = chunk.row_count;
  let maxChunk = chunk.row_count;
  while (chunk.has_more) {
    chunk = (await callOk(client, "mysql_stream_next", { stream_id: chunk.stream_id }))
      .structuredContent;
    rows += chunk.row_count;
    if (chunk.row_count > maxChunk) maxChunk = chunk.row_count;
  }
  const seconds = (performance.now() - started) / 1000;
  return { rows, seconds, rowsPerSecond: rows / seconds, maxChunk };
}

type RawConnection = ReturnType<typeof mysql.createConnection>;
type RawPool = ReturnType<typeof mysql.createPool>;

/** mysql2 with the same driver settings as the server. */
function rawOptions(db: BenchDatabase) {
  return {
    host: db.server.host,
    port: db.server.port,
    user: db.user,
    password: db.password,
    database: db.database,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
  };
}

function rawConnect(db: BenchDatabase): Promise<RawConnection> {
  const conn = mysql.createConnection(rawOptions(db));
  return new Promise((resolve, reject) =>
    conn.connect((error: unknown) => error ? reject(error) : resolve(conn))
  );
}

/** mysql2's own streaming, `connection.query(sql).stream()`, rows as arrays like ours. */
export async function streamRaw(
  conn: RawConnection,
  sql: string,
): Promise<{ rows: number; seconds: number; rowsPerSecond: number }> {
  const started = performance.now();
  let rows = 0;
  const stream = conn.query({ sql, rowsAsArray: true }).stream({ highWaterMark: 1000 });
  for await (const _row of stream) rows++;
  const seconds = (performance.now() - started) / 1000;
  return { rows, seconds, rowsPerSecond: rows / seconds };
}

function rawExecute(conn: RawConnection | RawPool, sql: string, params: number[]) {
  return new Promise<unknown>((resolve, reject) =>
    conn.execute(
      sql,
      params,
      (error: unknown, rows: unknown) => error ? reject(error) : resolve(rows),
    )
  );
}

function rawQueryObjects(conn: RawConnection, sql: string): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) =>
    conn.query(
      sql,
      (error: unknown, rows: unknown) =>
        error ? reject(error) : resolve(rows as Record<string, unknown>[]),
    )
  );
}

/** One row of the printed table. */
export interface BenchRow {
  readonly measure: string;
  readonly ours: number | null;
  readonly mysql2: number | null;
  readonly unit: string;
  readonly goal: string;
  /** null: not a pass/fail measure. */
  readonly pass: boolean | null;
  /**
   * mysql2 / ours for throughput, ours / mysql2 for the stream rate (its goal's terms) and for
   * times and sizes; null when not comparable.
   */
  readonly ratio?: number | null;
}

function fmt(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return "—";
  if (unit === "ms") return value.toFixed(3);
  if (unit === "MB") return value.toFixed(1);
  if (value >= 1000) return Math.round(value).toLocaleString("en-US");
  return value.toFixed(2);
}

/** Prints the table of results. */
export function printTable(rows: readonly BenchRow[]): void {
  const header = ["measure", "ours", "raw mysql2", "ratio", "goal", "result"];
  const lines = rows.map((r) => [
    r.measure,
    `${fmt(r.ours, r.unit)} ${r.unit}`,
    r.mysql2 === null ? "—" : `${fmt(r.mysql2, r.unit)} ${r.unit}`,
    r.ratio === undefined || r.ratio === null ? "—" : `${r.ratio.toFixed(2)}×`,
    r.goal,
    r.pass === null ? "info" : r.pass ? "PASS" : "FAIL",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(" | ");
  console.log(row(header));
  console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  for (const line of lines) console.log(row(line));
}

const MB = 1024 * 1024;

/** Runs every measurement against a fresh MariaDB and returns the table rows and raw figures. */
export async function runBench(options: { quick?: boolean } = {}) {
  const quick = options.quick ?? false;
  const big = quick ? 200_000 : 1_000_000;
  const small = quick ? 20_000 : 100_000;
  const lookups = quick ? 300 : 2_000;
  const seconds = quick ? 2 : 5;
  const inFlight = 32;

  const log = (message: string) => console.error(`bench: ${message}`);
  log("starting MariaDB");
  // MariaDB's temporary tables go to $TMPDIR (else /tmp), where other jobs on a shared
  // machine may clean up under it: give it, and our temp files, a folder of our own.
  const tmp = await Deno.makeTempDir({ prefix: "mysql-mcp-bench-tmp-" });
  const previousTmp = Deno.env.get("TMPDIR");
  Deno.env.set("TMPDIR", tmp);
  const cleanups: (() => Promise<unknown> | unknown)[] = [
    () =>
      previousTmp === undefined ? Deno.env.delete("TMPDIR") : Deno.env.set("TMPDIR", previousTmp),
    () => Deno.remove(tmp, { recursive: true }),
  ];
  let server: DatabaseServer;
  let certs: TestCertificates | undefined;
  try {
    certs = await makeTestCertificates();
    const withCerts = certs;
    cleanups.push(() => withCerts.remove());
    // TLS on offer, not required: the other measures stay on plain TCP (mode = "disabled").
    server = await startDatabaseServer({
      serverArgs: [
        `--ssl-ca=${certs.ca}`,
        `--ssl-cert=${certs.server}`,
        `--ssl-key=${keyOf(certs.server)}`,
      ],
    });
  } catch (error) {
    for (const cleanup of cleanups) await Promise.resolve().then(cleanup).catch(() => {});
    throw error;
  }
  cleanups.unshift(() => server.stop());
  try {
    const db = await seedBenchDatabase(server);
    const config = await writeBenchConfig(db);
    cleanups.unshift(() => Deno.remove(config.dir, { recursive: true }));

    // (e) cold start: spawn to `initialize` answered, median of 5.
    log("cold start");
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { client, startMs } = await connectClient(db, config);
      starts.push(startMs);
      await client.close();
    }

    const { client, pid } = await connectClient(db, config);
    cleanups.unshift(() => client.close());
    const raw = await rawConnect(db);
    cleanups.unshift(() => raw.destroy());

    // (f) sizes.
    const toolsList = await client.listTools();
    const toolsListBytes = utf8Bytes(JSON.stringify(toolsList));
    const textResult = await callOk(client, "mysql_query", {
      datasource_key: "bench",
      database: db.database,
      query: TEXT_SQL,
    });
    const textBytes = utf8Bytes(textResult.content[0].text);
    const compactBytes = utf8Bytes(JSON.stringify(await rawQueryObjects(raw, TEXT_SQL)));

    // (a) + (b) streaming, and the server's peak RSS during it. A warm-up stream first.
    log("streaming");
    await streamThroughServer(client, db, STREAM_SQL(50_000));
    await streamRaw(raw, STREAM_SQL(50_000));
    const rssSmall = await peakRss(pid, () => streamThroughServer(client, db, STREAM_SQL(small)));
    const rssBig = await peakRss(pid, () => streamThroughServer(client, db, STREAM_SQL(big)));
    const ourStream = rssBig.result;
    if (ourStream.rows !== big) throw new Error(`streamed ${ourStream.rows} rows, not ${big}`);
    const rawStream = await streamRaw(raw, STREAM_SQL(big));

    // (c) sequential PK lookups.
    log("latency");
    const ids = Array.from({ length: lookups }, (_, i) => 1 + ((i * 7919) % TABLE_ROWS));
    const lookup = (i: number) =>
      callOk(client, "mysql_query", {
        datasource_key: "bench",
        database: db.database,
        query: LOOKUP_SQL,
        params: [ids[i % ids.length]],
      });
    const rawLookup = (i: number) => rawExecute(raw, LOOKUP_SQL, [ids[i % ids.length]]);
    // The transport floor: the same client's `ping`, a round trip through the SDK and stdio
    // with no tool and no database. Lookups, pings and raw lookups run in alternating blocks so
    // the VM's drift hits all three alike; the goal compares them within this run.
    const ping = () => client.ping();
    await timeSequential(200, lookup);
    await timeSequential(200, ping);
    await timeSequential(200, rawLookup);
    const ourTimes: number[] = [];
    const pingTimes: number[] = [];
    const rawTimes: number[] = [];
    const latencyBlocks = 8;
    for (let block = 0; block < latencyBlocks; block++) {
      const n = Math.ceil(lookups / latencyBlocks);
      const order = [[lookup, ourTimes], [ping, pingTimes], [rawLookup, rawTimes]] as const;
      for (const [f, times] of block % 2 === 0 ? order : [...order].reverse()) {
        times.push(...await timeSequential(n, (i) => f(block * n + i)));
      }
    }

    // The secret scrubber's cost: two fresh servers, one with scrub() bypassed, warmed alike;
    // PK lookups in alternating blocks (alternating which goes first) so the VM's drift hits
    // both alike.
    log("scrubber A/B");
    const scrubbed = await connectClient(db, config);
    cleanups.unshift(() => scrubbed.client.close());
    const bypassed = await connectClient(db, config, UNSCRUBBED_ENTRY);
    cleanups.unshift(() => bypassed.client.close());
    const lookupVia = (c: McpClient) => (i: number) =>
      callOk(c, "mysql_query", {
        datasource_key: "bench",
        database: db.database,
        query: LOOKUP_SQL,
        params: [ids[i % ids.length]],
      });
    for (const c of [scrubbed.client, bypassed.client]) await timeSequential(500, lookupVia(c));
    const scrubbedTimes: number[] = [];
    const bypassedTimes: number[] = [];
    const blocks = 8;
    for (let block = 0; block < blocks; block++) {
      const pair = [
        [scrubbed.client, scrubbedTimes],
        [bypassed.client, bypassedTimes],
      ] as const;
      for (const [c, times] of block % 2 === 0 ? pair : [pair[1], pair[0]]) {
        times.push(...await timeSequential(Math.ceil(lookups / blocks), lookupVia(c)));
      }
    }
    await scrubbed.client.close();
    await bypassed.client.close();
    // And scrub() alone on a PK lookup's response as it leaves the server.
    const scrubber = new SecretScrubber();
    scrubber.add(db.password);
    const response = JSON.stringify({ jsonrpc: "2.0", id: 1, result: await lookup(0) });
    const scrubRounds = quick ? 20_000 : 200_000;
    let kept = 0;
    const scrubStarted = performance.now();
    for (let i = 0; i < scrubRounds; i++) kept += scrubber.scrub(response).length;
    const scrubUs = (performance.now() - scrubStarted) * 1000 / scrubRounds;
    if (kept !== response.length * scrubRounds) throw new Error("scrub() changed a clean response");

    // Plugins: a plugin tool doing the same PK lookup as mysql_query, on one server (blocks
    // alternate); and the per-statement cost of no-op hooks in a plugin's worker, against a
    // server without hooks.
    log("plugins");
    const pluginConfig = await writeBenchConfig(db, { "bench_lookup.ts": LOOKUP_PLUGIN });
    cleanups.unshift(() => Deno.remove(pluginConfig.dir, { recursive: true }));
    const hookConfig = await writeBenchConfig(db, { "bench_hooks.ts": HOOKS_PLUGIN });
    cleanups.unshift(() => Deno.remove(hookConfig.dir, { recursive: true }));
    const withPlugin = await connectClient(db, pluginConfig);
    cleanups.unshift(() => withPlugin.client.close());
    const withHooks = await connectClient(db, hookConfig);
    cleanups.unshift(() => withHooks.client.close());
    const pluginLookup = (i: number) =>
      callOk(withPlugin.client, "bench_lookup", {
        database: db.database,
        id: ids[i % ids.length],
      });
    const pluginTimes: number[] = [];
    const builtinTimes: number[] = [];
    const hookTimes: number[] = [];
    const noHookTimes: number[] = [];
    for (const f of [pluginLookup, lookupVia(withPlugin.client), lookupVia(withHooks.client)]) {
      await timeSequential(500, f);
    }
    for (let block = 0; block < blocks; block++) {
      const n = Math.ceil(lookups / blocks);
      const order = [
        [pluginLookup, pluginTimes],
        [lookupVia(withPlugin.client), builtinTimes],
        [lookupVia(withHooks.client), hookTimes],
        [lookupVia(withPlugin.client), noHookTimes],
      ] as const;
      for (const [f, times] of block % 2 === 0 ? order : [...order].reverse()) {
        times.push(...await timeSequential(n, f));
      }
    }
    await withPlugin.client.close();
    await withHooks.client.close();

    // (d) 32 requests in flight.
    log("throughput");
    const ourThroughput: ThroughputResult = await throughput(inFlight, seconds, lookup);
    const rawPool = mysql.createPool({ ...rawOptions(db), connectionLimit: MAX_CONNECTIONS });
    cleanups.unshift(() => new Promise((r) => rawPool.end(() => r(undefined))));
    const rawThroughput = await throughput(
      inFlight,
      seconds,
      (i) => rawExecute(rawPool, LOOKUP_SQL, [ids[i % ids.length]]),
    );

    // The same lookups from 50 agents sharing one server over Streamable HTTP.
    log("HTTP");
    const httpClients = 50;
    const httpResult = await httpThroughput(
      {
        flags: [
          `--allow-net=${db.server.host}:${db.server.port}`,
          `--allow-read=${config.path},${config.plugins},${Deno.execPath()}`,
          `--allow-run=${Deno.execPath()}`,
          `--allow-env=${PASSWORD_VAR},MYSQL_MCP_CONFIG,MYSQL_MCP_LOG_LEVEL,${
            PLUGIN_ENV.join(",")
          }`,
        ],
        configPath: config.path,
        env: { [PASSWORD_VAR]: db.password, MYSQL_MCP_LOG_LEVEL: "warn" },
        cwd: ROOT,
      },
      httpClients,
      quick ? 3 : 10,
      (client: McpClient, i: number) =>
        callOk(client, "mysql_query", {
          datasource_key: "bench",
          database: db.database,
          query: LOOKUP_SQL,
          params: [ids[i % ids.length]],
        }),
    );

    // TLS: the same PK lookups and stream over plain TCP and both TLS engines.
    log("TLS");
    const tlsTarget = async (lines: string): Promise<TlsBenchTarget> => {
      const tlsConfig = await writeBenchConfig(db, {}, { lines, read: [certs!.ca] });
      cleanups.unshift(() => Deno.remove(tlsConfig.dir, { recursive: true }));
      const connected = await connectClient(db, tlsConfig);
      cleanups.unshift(() => connected.client.close());
      return {
        lookup: lookupVia(connected.client),
        stream: () => streamThroughServer(connected.client, db, STREAM_SQL(big)),
      };
    };
    // A server given by MYSQL_TEST_URL may not offer TLS with our certificates.
    const tls = server.owned
      ? await measureTls({
        plain: await tlsTarget('mode = "disabled"'),
        denoTls: await tlsTarget(`mode = "verify_identity"\n  ca = ${JSON.stringify(certs!.ca)}`),
        nodeTls: await tlsTarget('mode = "required"'),
      }, { lookups, streamRows: big, blocks })
      : undefined;

    // The pool benchmark, when its module is there.
    let pool: unknown = null;
    let poolNote = "";
    try {
      const module = await import("../tests/pool/pool_bench.ts");
      log("pool");
      pool = await module.benchPool(server, quick ? { seconds: 1, iterations: 20_000 } : {});
    } catch (error) {
      const missing = error instanceof TypeError && /Module not found/i.test(String(error));
      poolNote = missing ? "tests/pool/pool_bench.ts not found: skipped" : String(error);
      log(`pool benchmark skipped: ${poolNote}`);
    }

    const p50 = percentile(ourTimes, 50);
    const p99 = percentile(ourTimes, 99);
    const rawP50 = percentile(rawTimes, 50);
    const rawP99 = percentile(rawTimes, 99);
    const pingP50 = percentile(pingTimes, 50);
    const floor = pingP50 + rawP50;
    const scrubbedP50 = percentile(scrubbedTimes, 50);
    const bypassedP50 = percentile(bypassedTimes, 50);
    const flat = Math.abs(rssBig.peakBytes - rssSmall.peakBytes) / rssSmall.peakBytes;
    const coldStart = median(starts);
    // (g) 300 × 1 MB rows: three reads (two at once) and a stream, bounded by max_result_bytes.
    log("1 MB rows");
    await seedWideRows((sql) => server.admin(sql), db.database);
    const wideClient = new LineClient(Deno.execPath(), [
      "run",
      `--allow-net=${db.server.host}:${db.server.port}`,
      `--allow-read=${config.path},${config.plugins}`,
      `--allow-env=${PASSWORD_VAR},MYSQL_MCP_CONFIG,MYSQL_MCP_LOG_LEVEL`,
      `${ROOT}main.ts`,
      "serve",
      "--config",
      config.path,
    ], { [PASSWORD_VAR]: db.password, MYSQL_MCP_LOG_LEVEL: "error" });
    await wideClient.initialize();
    const wide = await measureWideRows(wideClient, wideClient.pid, "bench", db.database);
    await wideClient.close();
    log(`1 MB rows: ${wide.answers.join("; ")}`);

    const rows: BenchRow[] = [
      {
        measure: `peak RSS, ${WIDE_ROWS} × 1 MB rows (3 reads, 2 at once, + stream)`,
        ours: wide.peakBytes / MB,
        mysql2: null,
        unit: "MB",
        goal: "< 600",
        pass: wide.peakBytes < 600 * MB,
      },
      {
        measure: `stream ${big.toLocaleString("en-US")} rows`,
        ours: ourStream.rowsPerSecond,
        mysql2: rawStream.rowsPerSecond,
        unit: "rows/s",
        ratio: ourStream.rowsPerSecond / rawStream.rowsPerSecond,
        goal: "≥ 0.5× raw",
        pass: ourStream.rowsPerSecond >= 0.5 * rawStream.rowsPerSecond,
      },
      {
        measure: `peak RSS, ${small.toLocaleString("en-US")}-row stream`,
        ours: rssSmall.peakBytes / MB,
        mysql2: null,
        unit: "MB",
        goal: "< 150",
        pass: rssSmall.peakBytes < 150 * MB,
      },
      {
        measure: `peak RSS, ${big.toLocaleString("en-US")}-row stream`,
        ours: rssBig.peakBytes / MB,
        mysql2: null,
        unit: "MB",
        goal: "< 150, within 10%",
        pass: rssBig.peakBytes < 150 * MB && flat <= 0.1,
        ratio: rssBig.peakBytes / rssSmall.peakBytes,
      },
      {
        measure: `PK lookup p50 (${lookups} sequential)`,
        ours: p50,
        mysql2: rawP50,
        unit: "ms",
        ratio: p50 / rawP50,
        goal: "≤ 0.35",
        pass: p50 <= 0.35,
      },
      {
        measure: `PK lookup p50 vs floor (ping p50 ${pingP50.toFixed(3)} + raw p50): ${
          (p50 - floor) >= 0 ? "+" : ""
        }${(p50 - floor).toFixed(3)} ms`,
        ours: p50,
        mysql2: floor,
        unit: "ms",
        ratio: p50 / floor,
        goal: "≤ floor + 0.05",
        pass: p50 - floor <= 0.05,
      },
      {
        measure: "PK lookup p99",
        ours: p99,
        mysql2: rawP99,
        unit: "ms",
        ratio: p99 / rawP99,
        goal: "≤ 1.5",
        pass: p99 <= 1.5,
      },
      {
        measure: `PK lookup p50, scrubber on (bypassed: ${bypassedP50.toFixed(3)} ms)`,
        ours: scrubbedP50,
        mysql2: null,
        unit: "ms",
        ratio: scrubbedP50 / bypassedP50,
        goal: "≤ 1.02× bypassed",
        pass: scrubbedP50 <= bypassedP50 * 1.02,
      },
      {
        measure: `scrub() of one PK lookup response (${utf8Bytes(response)} B)`,
        ours: scrubUs,
        mysql2: null,
        unit: "µs",
        goal: "",
        pass: null,
      },
      {
        measure: `throughput, ${inFlight} in flight`,
        ours: ourThroughput.perSecond,
        mysql2: rawThroughput.perSecond,
        unit: "q/s",
        ratio: rawThroughput.perSecond / ourThroughput.perSecond,
        goal: "≥ 10,000",
        pass: ourThroughput.perSecond >= 10_000 && ourThroughput.errors === 0,
      },
      {
        measure: "throughput p99",
        ours: ourThroughput.p99Ms,
        mysql2: rawThroughput.p99Ms,
        unit: "ms",
        ratio: ourThroughput.p99Ms / rawThroughput.p99Ms,
        goal: "≤ 10",
        pass: ourThroughput.p99Ms <= 10,
      },
      {
        measure: `HTTP: ${httpClients} clients (one session each), PK lookups`,
        ours: httpResult.perSecond,
        mysql2: ourThroughput.perSecond,
        unit: "q/s",
        ratio: httpResult.perSecond / ourThroughput.perSecond,
        goal: "≥ stdio (mysql2 column)",
        pass: httpResult.perSecond >= ourThroughput.perSecond && httpResult.errors === 0,
      },
      {
        measure: "HTTP p99 (vs stdio p99)",
        ours: httpResult.p99Ms,
        mysql2: ourThroughput.p99Ms,
        unit: "ms",
        ratio: httpResult.p99Ms / ourThroughput.p99Ms,
        goal: "info",
        pass: null,
      },
      {
        measure: "cold start to initialize (median of 5)",
        ours: coldStart,
        mysql2: null,
        unit: "ms",
        goal: "< 300",
        pass: coldStart < 300,
      },
      {
        measure: "text of 100 rows × 8 columns",
        ours: textBytes,
        mysql2: compactBytes,
        unit: "B",
        ratio: textBytes / compactBytes,
        goal: "≤ 12,000",
        pass: textBytes <= 12_000,
      },
      {
        measure: "tools/list",
        ours: toolsListBytes,
        mysql2: null,
        unit: "B",
        goal: "< 8,192",
        pass: toolsListBytes < 8192,
      },
    ];
    const engines = tls ? [["Deno.startTls", tls.denoTls], ["node:tls", tls.nodeTls]] as const : [];
    for (const [label, figures] of engines) {
      const plain = tls!.plain;
      rows.push({
        measure: `PK lookup p50 over TLS, ${label} (plain TCP ${plain.p50Ms.toFixed(3)} ms)`,
        ours: figures.p50Ms,
        mysql2: null,
        unit: "ms",
        ratio: figures.p50Ms / plain.p50Ms,
        goal: "≤ 1.15× plain",
        pass: figures.p50Ms <= plain.p50Ms * 1.15,
      }, {
        measure: `stream ${big.toLocaleString("en-US")} rows over TLS, ${label} (plain TCP ${
          Math.round(plain.rowsPerSecond).toLocaleString("en-US")
        } rows/s)`,
        ours: figures.rowsPerSecond,
        mysql2: null,
        unit: "rows/s",
        ratio: plain.rowsPerSecond / figures.rowsPerSecond,
        goal: "≤ 1.15× plain",
        pass: figures.rowsPerSecond * 1.15 >= plain.rowsPerSecond,
      });
    }
    const pluginP50 = median(pluginTimes);
    const builtinP50 = median(builtinTimes);
    rows.push({
      measure: "plugin tool PK lookup p50 (vs mysql_query, same server)",
      ours: pluginP50,
      mysql2: builtinP50,
      unit: "ms",
      ratio: pluginP50 / builtinP50,
      goal: "≤ mysql_query + 0.1 ms",
      pass: pluginP50 <= builtinP50 + 0.1,
    }, {
      measure: "PK lookup p50 with no-op hooks in a plugin worker (vs none)",
      ours: median(hookTimes),
      mysql2: median(noHookTimes),
      unit: "ms",
      ratio: median(hookTimes) / median(noHookTimes),
      goal: "info",
      pass: null,
    });
    const poolResult = pool as
      | { acquireRelease: { oursUs: number; mysql2Us: number; ratio: number } }
      | null;
    if (poolResult) {
      rows.push({
        measure: "pool acquire+release",
        ours: poolResult.acquireRelease.oursUs,
        mysql2: poolResult.acquireRelease.mysql2Us,
        unit: "µs",
        ratio: poolResult.acquireRelease.ratio,
        goal: "≤ 1.0× mysql2",
        pass: poolResult.acquireRelease.ratio <= 1.0,
      });
    }
    log("SQL gate analysis cost");
    const analyzer = measureAnalyzer();
    for (const cost of analyzer) {
      rows.push({
        measure: `gate analysis: ${cost.name} (${Math.round(cost.bytes / 1024)} KB)`,
        ours: cost.medianUs / 1000,
        mysql2: null,
        unit: "ms",
        goal: cost.bytes > 10_000 ? "a few ms" : "",
        pass: cost.bytes > 10_000 ? cost.medianUs < 10_000 : null,
      });
    }
    const figures = {
      date: new Date().toISOString(),
      quick,
      deno: Deno.version,
      cores: navigator.hardwareConcurrency,
      stream: {
        rows: big,
        ours: ourStream,
        mysql2: rawStream,
        rssBytes: {
          small: { rows: small, before: rssSmall.before, peak: rssSmall.peakBytes },
          big: { rows: big, before: rssBig.before, peak: rssBig.peakBytes },
          flatness: flat,
        },
      },
      latency: {
        count: lookups,
        ours: { p50Ms: p50, p99Ms: p99, meanMs: mean(ourTimes) },
        mysql2: { p50Ms: rawP50, p99Ms: rawP99, meanMs: mean(rawTimes) },
        ping: { p50Ms: pingP50, p99Ms: percentile(pingTimes, 99), meanMs: mean(pingTimes) },
        overFloorMs: p50 - floor,
      },
      scrubber: {
        count: scrubbedTimes.length,
        on: { p50Ms: scrubbedP50, p99Ms: percentile(scrubbedTimes, 99) },
        bypassed: { p50Ms: bypassedP50, p99Ms: percentile(bypassedTimes, 99) },
        scrubUs,
        responseBytes: utf8Bytes(response),
      },
      plugins: {
        count: pluginTimes.length,
        pluginTool: { p50Ms: median(pluginTimes), p99Ms: percentile(pluginTimes, 99) },
        mysqlQuery: { p50Ms: median(builtinTimes), p99Ms: percentile(builtinTimes, 99) },
        withHooks: { p50Ms: median(hookTimes), p99Ms: percentile(hookTimes, 99) },
        withoutHooks: { p50Ms: median(noHookTimes), p99Ms: percentile(noHookTimes, 99) },
      },
      throughput: { inFlight, seconds, ours: ourThroughput, mysql2: rawThroughput },
      http: { clients: httpClients, result: httpResult },
      tls: tls ?? { skipped: "MYSQL_TEST_URL server" },
      coldStartMs: { median: coldStart, runs: starts },
      bytes: { toolsList: toolsListBytes, text100x8: textBytes, compactJson100x8: compactBytes },
      pool: pool ?? { skipped: poolNote },
      analyzer,
    };
    return { rows, figures };
  } finally {
    for (const cleanup of cleanups) {
      try {
        await cleanup();
      } catch { /* best effort */ }
    }
  }
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const { rows, figures } = await runBench({ quick });
  console.log("");
  printTable(rows);
  await Deno.mkdir(`${ROOT}bench-results`, { recursive: true });
  const out = `${ROOT}bench-results/latest.json`;
  await Deno.writeTextFile(out, JSON.stringify({ rows, figures }, null, 2) + "\n");
  console.log(`\nwrote bench-results/latest.json`);
  Deno.exit(0);
}
