/**
 * What TLS adds to one statement, without stdio and MCP around it: PK lookups through our own
 * connect() over plain TCP, Deno.startTls (verify_identity) and node:tls (required), in
 * alternating blocks on one throwaway MariaDB, with wall and CPU time per lookup. The stdio
 * figures of `deno task bench` carry a whole server's noise; this isolates the transport.
 *
 *   deno run -A scripts/bench/tls_in_process.ts
 */
import process from "node:process";
import { tlsSchema } from "../../src/config/schema_datasource.ts";
import { Secret } from "../../src/config/secret.ts";
import { connect, type OpenedConnection } from "../../src/pool/connect.ts";
import { startDatabaseServer } from "../throwaway_mariadb.ts";
import { keyOf, makeTestCertificates } from "../test_certificates.ts";
import { percentile } from "./measure.ts";

const BLOCKS = 10;
const PER_BLOCK = 1000;

const certs = await makeTestCertificates();
const server = await startDatabaseServer({
  ignoreUrl: true,
  serverArgs: [
    `--ssl-ca=${certs.ca}`,
    `--ssl-cert=${certs.server}`,
    `--ssl-key=${keyOf(certs.server)}`,
  ],
});
try {
  await server.admin(
    "CREATE USER 'u'@'%' IDENTIFIED BY 'pw'; GRANT ALL ON b.* TO 'u'@'%'; CREATE DATABASE b; " +
      "CREATE TABLE b.t (id INT PRIMARY KEY, v VARCHAR(40)); USE b; " +
      "INSERT INTO b.t SELECT seq, CONCAT('row-', seq) FROM seq_1_to_10000",
  );
  const open = (tls: Record<string, string>) =>
    connect({
      host: "127.0.0.1",
      port: server.port,
      user: "u",
      password: new Secret("pw"),
      database: "b",
      connectTimeoutMs: 5000,
      tls: tlsSchema(() => {}, "/").parse(tls),
    });
  const transports: Record<string, OpenedConnection> = {
    "plain TCP": await open({ mode: "disabled" }),
    "Deno.startTls": await open({ mode: "verify_identity", ca: certs.ca }),
    "node:tls": await open({ mode: "required" }),
  };
  const lookup = (conn: OpenedConnection, i: number) =>
    new Promise<void>((resolve, reject) =>
      conn.raw.execute(
        "SELECT id, v FROM t WHERE id = ?",
        [1 + (i * 7919) % 10000],
        (error: unknown) => error ? reject(error) : resolve(),
      )
    );
  const names = Object.keys(transports);
  const wall: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const cpu: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (let block = 0; block <= BLOCKS; block++) {
    for (const name of block % 2 === 0 ? names : [...names].reverse()) {
      const before = process.cpuUsage();
      for (let i = 0; i < PER_BLOCK; i++) {
        const started = performance.now();
        await lookup(transports[name], i);
        // Block 0 warms up.
        if (block > 0) wall[name].push(performance.now() - started);
      }
      const used = process.cpuUsage(before);
      if (block > 0) cpu[name] += used.user + used.system;
    }
  }
  console.log("transport       p50 µs   p90 µs   CPU µs/lookup (this process)");
  for (const name of names) {
    const us = (ms: number) => (ms * 1000).toFixed(0).padStart(6);
    console.log(
      `${name.padEnd(14)} ${us(percentile(wall[name], 50))}   ${us(percentile(wall[name], 90))}   ${
        (cpu[name] / (BLOCKS * PER_BLOCK)).toFixed(1).padStart(6)
      }`,
    );
  }
  for (const conn of Object.values(transports)) conn.raw.destroy();
} finally {
  await server.stop();
  await certs.remove();
}
