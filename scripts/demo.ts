/**
 * `deno task demo`: a throwaway MariaDB with a seeded shop, the server
 * started the way an agent host starts it (stdio, explicit permission
 * flags), and a guided tour through the real MCP client.
 *
 * `deno task demo --serve`: the same database and config, then the server in
 * the foreground on this process's stdio, plus the `mcpServers` entry that
 * points Claude Desktop, Cursor or any MCP host at it.
 *
 * `deno task demo --http`: the same, served over Streamable HTTP with a bearer token; prints
 * the URL and a client snippet.
 */
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/index.d.ts"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/stdio.d.ts"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import {
  type DatabaseServer,
  ensureMariaDbInstalled,
  startDatabaseServer,
} from "./throwaway_mariadb.ts";
import { type DemoConfig, REPO_DIR, serverEnv, writeDemoConfig } from "./demo/demo_config.ts";
import { freeLoopbackPort, serveHttpForeground } from "./demo/serve_http.ts";
import { ServerLog } from "./demo/server_log.ts";
import { seedShop } from "./demo/shop_seed.ts";
import { keyOf, makeTestCertificates } from "./test_certificates.ts";
import { tour } from "./demo/tour.ts";
import { note, out, section, style } from "./demo/ui.ts";
import { Walk } from "./demo/walk.ts";

const USAGE = `deno task demo [--serve | --http] [--verbose]

  (no flag)   seed a throwaway MariaDB and walk through every tool with a real MCP client
  --serve     seed it, print the mcpServers entry for an agent host, and serve MCP on stdio
  --http      seed it and serve MCP over Streamable HTTP on 127.0.0.1 with a bearer token
  --verbose   show every server log line during the walk (default: errors only)`;

/** Cleanup actions, run once, newest first, whether we finish, fail or are interrupted. */
class Cleanup {
  #actions: (() => Promise<unknown> | unknown)[] = [];
  #running?: Promise<void>;

  add(action: () => Promise<unknown> | unknown): void {
    this.#actions.push(action);
  }

  run(): Promise<void> {
    this.#running ??= (async () => {
      for (const action of this.#actions.reverse()) {
        try {
          await action();
        } catch (error) {
          note(style.yellow(`cleanup: ${(error as Error).message}`));
        }
      }
    })();
    return this.#running;
  }
}

async function main(argv: string[]): Promise<number> {
  const serve = argv.includes("--serve");
  const http = argv.includes("--http");
  const verbose = argv.includes("--verbose");
  const unknown = argv.filter((a) => !["--serve", "--http", "--verbose"].includes(a));
  if (argv.includes("--help") || argv.includes("-h") || unknown.length > 0) {
    note(USAGE);
    return unknown.length > 0 && !argv.includes("--help") && !argv.includes("-h") ? 2 : 0;
  }
  // In --serve mode stdout belongs to MCP: everything we say goes to stderr.
  const say = serve ? note : out;
  const started = performance.now();
  const cleanup = new Cleanup();
  const onSignal: { signal: Deno.Signal; handler: () => void }[] = [];
  let serverChild: Deno.ChildProcess | undefined;
  let interrupted = false;
  let dbStarting = false;

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const handler = () => {
      if (serverChild) {
        // --serve: the server shuts down on the signal; main() then cleans up.
        try {
          serverChild.kill(signal);
        } catch { /* already exited */ }
        return;
      }
      if (interrupted) return; // `deno task` forwards the terminal's Ctrl-C: it may come twice
      interrupted = true;
      note(style.yellow(`\n${signal}: stopping the demo and its database...`));
      // While MariaDB starts, its temp dir is not ours to remove yet: main() stops
      // it as soon as startDatabaseServer() returns (or fails, cleaning up itself).
      if (!dbStarting) void cleanup.run().then(() => Deno.exit(signal === "SIGINT" ? 130 : 143));
    };
    Deno.addSignalListener(signal, handler);
    onSignal.push({ signal, handler });
  }

  try {
    say(style.bold(style.magenta("mysql-mcp demo")) + style.dim("  — an MCP server for MySQL"));
    try {
      await ensureMariaDbInstalled();
    } catch (error) {
      note(style.red(`\n${(error as Error).message}`));
      return 1;
    }

    say(style.dim("• making a CA and a TLS certificate for the server (openssl)..."));
    const certs = await makeTestCertificates();
    cleanup.add(() => certs.remove());
    say(
      style.dim("• starting a throwaway MariaDB (own datadir, socket and port, TLS on offer)..."),
    );
    dbStarting = true;
    const db: DatabaseServer = await startDatabaseServer({
      ignoreUrl: true,
      serverArgs: [
        `--ssl-ca=${certs.ca}`,
        `--ssl-cert=${certs.server}`,
        `--ssl-key=${keyOf(certs.server)}`,
      ],
    }).finally(() => dbStarting = false);
    cleanup.add(() => db.stop());
    if (interrupted) return 130;
    say(style.dim(`  MariaDB on ${db.host}:${db.port}`));

    say(style.dim("• seeding database `shop` (and `analytics`, kept off the allow-list)..."));
    const shop = await seedShop(db);
    say(style.dim(
      "  " + Object.entries(shop.counts).map(([t, n]) => `${n} ${t}`).join(", ") +
        "; accounts mcp_reader (SELECT) and mcp_writer (SELECT, INSERT, UPDATE, DELETE)",
    ));

    const config = await writeDemoConfig({
      host: db.host,
      port: db.port,
      readerPassword: shop.readerPassword,
      writerPassword: shop.writerPassword,
      caPath: certs.ca,
      ...(http ? { http: { hostname: "127.0.0.1", port: freeLoopbackPort() } } : {}),
    });
    cleanup.add(() => Deno.remove(config.dir, { recursive: true }));

    if (serve) return await serveForeground(config, (child) => (serverChild = child));
    if (http) return await serveHttpForeground(config, (child) => (serverChild = child));
    const report = await walkThrough(config, cleanup, verbose);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    section("Done");
    out(
      `  ${report.calls} calls, ${report.refusedAsExpected} refused as expected, ` +
        `${report.surprises.length} surprise(s); ${seconds} s including MariaDB start and seed.`,
    );
    for (const surprise of report.surprises) out(style.yellow(`  ! ${surprise}`));
    out(style.dim(
      "  Next: `deno task demo --serve` to point Claude Desktop or Cursor at this shop;\n" +
        "  examples/demo.datasources.toml is the config used here.",
    ));
    // A surprise is the server not doing what the walk says it does: the demo failed.
    return report.surprises.length === 0 ? 0 : 1;
  } catch (error) {
    if (interrupted) return 130; // a child died of the same Ctrl-C: nothing to report
    note(style.red(`\ndemo failed: ${(error as Error).stack ?? error}`));
    return 1;
  } finally {
    await cleanup.run();
    for (const { signal, handler } of onSignal) Deno.removeSignalListener(signal, handler);
  }
}

/** Spawns the server as an agent host would and runs the tour against it. */
async function walkThrough(config: DemoConfig, cleanup: Cleanup, verbose: boolean) {
  section(
    "Starting the server",
    "exactly as an agent host does: a subprocess speaking MCP on stdio",
  );
  out(style.dim(`  ${shortCommand(config)}`));
  const log = new ServerLog();
  const transport = new StdioClientTransport({
    command: config.command,
    args: config.args,
    env: serverEnv(config),
    cwd: REPO_DIR,
    stderr: "pipe",
  });
  transport.stderr?.on("data", (chunk: Uint8Array | string) => log.push(String(chunk)));
  const client = new Client({ name: "mysql-mcp-demo", version: "0.1.0" });
  let serverPid: number | null = null;
  cleanup.add(async () => {
    await client.close();
    // close() ends stdin and escalates to SIGTERM after 2 s, but an interrupt can end
    // this process first; never leave the server behind.
    try {
      if (serverPid !== null) Deno.kill(serverPid, "SIGTERM");
    } catch { /* already exited */ }
  });

  await showCheck(config);
  const spawned = performance.now();
  await client.connect(transport);
  serverPid = transport.pid;
  const server = client.getServerVersion() as { name?: string; version?: string } | undefined;
  out(
    `  ${style.green("✓")} connected to ${server?.name ?? "?"} ${server?.version ?? ""} ` +
      style.dim(`(spawn to initialize: ${Math.round(performance.now() - spawned)} ms)`),
  );
  for (const line of log.drain(true)) out(line);

  const walk = new Walk(client, log, verbose);
  await tour(walk, client);

  await client.close();
  // Give the server a moment to log its shutdown, then show what it said.
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const line of log.drain(verbose)) out(line);
  out(style.dim(
    `\n  server log (stderr): ${log.summary()}` + (verbose ? "" : "; --verbose shows every line"),
  ));
  return walk.report;
}

/** `mysql-mcp check` under the same permissions: each source's status and transport. */
async function showCheck(config: DemoConfig) {
  out(style.dim(
    "  first `mysql-mcp check`: shop-ro verifies the server's certificate (verify_identity);\n" +
      "  shop-rw has the default, preferred: encrypted because the server offers TLS, unverified",
  ));
  const check = await new Deno.Command(config.command, {
    args: config.checkArgs,
    env: serverEnv(config),
    clearEnv: true,
    cwd: REPO_DIR,
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(check.stdout).trimEnd();
  for (const line of text.split("\n")) out(`  ${line}`);
  if (!check.success) throw new Error(`check failed: ${new TextDecoder().decode(check.stderr)}`);
}

/** --serve: prints the host snippet, then runs the server on our own stdio. */
async function serveForeground(
  config: DemoConfig,
  track: (child: Deno.ChildProcess) => void,
): Promise<number> {
  const snippet = {
    mcpServers: {
      "mysql-demo-shop": { command: config.command, args: config.args, env: config.secrets },
    },
  };
  note();
  note(
    style.bold("Agent host configuration") + style.dim(
      " (Claude Desktop: claude_desktop_config.json; Cursor: .cursor/mcp.json)",
    ),
  );
  note(style.dim("Valid while this demo runs: the database and config go away when it stops."));
  note(JSON.stringify(snippet, null, 2));
  note();
  note(
    style.bold("Serving MCP on this process's stdin/stdout.") + style.dim(
      " Paste JSON-RPC lines, or let a host launch `deno task demo --serve`. Ctrl-C stops.",
    ),
  );
  const child = new Deno.Command(config.command, {
    args: config.args,
    env: serverEnv(config),
    clearEnv: true,
    cwd: REPO_DIR,
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  track(child);
  const status = await child.status;
  note(
    style.dim(`\nserver exited (${status.signal ?? `code ${status.code}`}); stopping MariaDB...`),
  );
  return status.success || status.signal === "SIGINT" || status.signal === "SIGTERM" ? 0 : 1;
}

/** The command line with the config path shortened, for the banner. */
function shortCommand(config: DemoConfig): string {
  return ["deno", ...config.args].join(" ").replaceAll(REPO_DIR + "/", "");
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
