/**
 * The TLS tests' servers, started once per test run: `secure` (server certificate for
 * localhost/127.0.0.1), `expired` (an expired one) and `otherHost` (one for db.example.com), all
 * requiring secure transport and
 * with accounts `ssl_user` (REQUIRE SSL), `x509_user` (REQUIRE X509) and `any_user`, all
 * allowed on database `shop`; and `plain`, the run's shared MariaDB without TLS.
 */
import { type DatabaseServer, startDatabaseServer } from "../../scripts/throwaway_mariadb.ts";
import {
  keyOf,
  makeTestCertificates,
  type TestCertificates,
} from "../../scripts/test_certificates.ts";
import { type TestDatabase, testDatabase } from "../support/test_database.ts";

export interface TlsServers {
  readonly certs: TestCertificates;
  readonly secure: DatabaseServer;
  readonly expired: DatabaseServer;
  /** Its certificate is for db.example.com only. */
  readonly otherHost: DatabaseServer;
  readonly plain: TestDatabase;
  /** Of every account on the TLS servers. */
  readonly PASSWORD: string;
}

let started: Promise<TlsServers> | undefined;

export function tlsServers(): Promise<TlsServers> {
  started ??= start();
  return started;
}

async function start(): Promise<TlsServers> {
  const certs = await makeTestCertificates();
  const servers: DatabaseServer[] = [];
  globalThis.addEventListener("unload", () => {
    for (const server of servers) void server.stop();
    void certs.remove();
  });
  const launch = async (cert: string) => {
    const server = await startDatabaseServer({
      ignoreUrl: true,
      adminTls: true,
      serverArgs: [
        `--ssl-ca=${certs.ca}`,
        `--ssl-cert=${cert}`,
        `--ssl-key=${keyOf(cert)}`,
        "--require-secure-transport=ON",
      ],
    });
    servers.push(server);
    return server;
  };
  const [secure, expired, otherHost] = await Promise.all([
    launch(certs.server),
    launch(certs.expired),
    launch(certs.otherHost),
  ]);
  const PASSWORD = `pw-${crypto.randomUUID()}`;
  const accounts = "CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY); " +
    "INSERT INTO shop.t VALUES (1), (2);" +
    ["ssl_user", "x509_user", "any_user"].map((user) =>
      `CREATE USER '${user}'@'%' IDENTIFIED BY '${PASSWORD}'${
        user === "ssl_user" ? " REQUIRE SSL" : user === "x509_user" ? " REQUIRE X509" : ""
      }; GRANT ALL ON shop.* TO '${user}'@'%';`
    ).join("");
  await Promise.all([secure, expired, otherHost].map((server) => server.admin(accounts)));
  return { certs, secure, expired, otherHost, plain: await testDatabase(), PASSWORD };
}
