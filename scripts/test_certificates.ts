/**
 * Certificates for TLS tests and the demo, made with the system's openssl in a temp dir:
 * a CA; a server certificate for localhost and 127.0.0.1; a client certificate; a server
 * certificate for another host name; an expired server certificate; and a second CA with a
 * client certificate of its own, which the first CA's servers do not trust.
 */
export interface TestCertificates {
  readonly dir: string;
  /** PEM paths; each certificate's key is beside it with `.key` for `.pem`. */
  readonly ca: string;
  readonly server: string;
  readonly client: string;
  readonly otherHost: string;
  readonly expired: string;
  readonly otherCa: string;
  readonly otherCaClient: string;
  remove(): Promise<void>;
}

/** The key file of a certificate made here. */
export const keyOf = (pem: string): string => pem.replace(/\.pem$/, ".key");

export async function makeTestCertificates(): Promise<TestCertificates> {
  const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-certs-" });
  const at = (name: string) => `${dir}/${name}`;
  try {
    await selfSigned(at("ca"), "mysql-mcp test CA");
    await selfSigned(at("other-ca"), "mysql-mcp other CA");
    const server = "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n";
    await signed(at("server"), "localhost", at("ca"), server);
    await signed(at("client"), "mcp client", at("ca"), "extendedKeyUsage=clientAuth\n");
    await signed(
      at("other-host"),
      "db.example.com",
      at("ca"),
      "subjectAltName=DNS:db.example.com\nextendedKeyUsage=serverAuth\n",
    );
    await signed(
      at("other-ca-client"),
      "stranger",
      at("other-ca"),
      "extendedKeyUsage=clientAuth\n",
    );
    await expired(at("expired"), at("ca"), dir);
  } catch (error) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
  return {
    dir,
    ca: at("ca.pem"),
    server: at("server.pem"),
    client: at("client.pem"),
    otherHost: at("other-host.pem"),
    expired: at("expired.pem"),
    otherCa: at("other-ca.pem"),
    otherCaClient: at("other-ca-client.pem"),
    remove: () => Deno.remove(dir, { recursive: true }).catch(() => {}),
  };
}

async function openssl(args: string[], cwd?: string) {
  const out = await new Deno.Command("openssl", { args, cwd, stdout: "piped", stderr: "piped" })
    .output().catch((error) => {
      throw new Error(`openssl is needed for the TLS tests (apt-get install openssl): ${error}`);
    });
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

function selfSigned(base: string, name: string) {
  return openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    `${base}.key`,
    "-out",
    `${base}.pem`,
    "-days",
    "3650",
    "-subj",
    `/CN=${name}`,
  ]);
}

async function request(base: string, name: string) {
  await openssl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    `${base}.key`,
    "-out",
    `${base}.csr`,
    "-subj",
    `/CN=${name}`,
  ]);
}

async function signed(base: string, name: string, ca: string, extensions: string) {
  await request(base, name);
  await Deno.writeTextFile(`${base}.ext`, `basicConstraints=CA:FALSE\n${extensions}`);
  await openssl([
    "x509",
    "-req",
    "-in",
    `${base}.csr`,
    "-CA",
    `${ca}.pem`,
    "-CAkey",
    `${ca}.key`,
    "-set_serial",
    String(Date.now()),
    "-out",
    `${base}.pem`,
    "-days",
    "365",
    "-extfile",
    `${base}.ext`,
  ]);
}

/** Valid for localhost, but only during one day of 2020: `openssl ca` takes explicit dates. */
async function expired(base: string, ca: string, dir: string) {
  await request(base, "localhost");
  await Deno.mkdir(`${dir}/ca-db`);
  await Deno.writeTextFile(`${dir}/ca-db/index.txt`, "");
  await Deno.writeTextFile(`${dir}/ca-db/serial`, "1000\n");
  await Deno.writeTextFile(
    `${dir}/ca.cnf`,
    `[ca]\ndefault_ca = test\n[test]\ndatabase = ${dir}/ca-db/index.txt\n` +
      `new_certs_dir = ${dir}/ca-db\nserial = ${dir}/ca-db/serial\ndefault_md = sha256\n` +
      `policy = any\nunique_subject = no\nx509_extensions = server\n` +
      `[any]\ncommonName = supplied\n` +
      `[server]\nbasicConstraints = CA:FALSE\nsubjectAltName = DNS:localhost,IP:127.0.0.1\n`,
  );
  await openssl([
    "ca",
    "-batch",
    "-config",
    `${dir}/ca.cnf`,
    "-cert",
    `${ca}.pem`,
    "-keyfile",
    `${ca}.key`,
    "-in",
    `${base}.csr`,
    "-out",
    `${base}.pem`,
    "-notext",
    "-startdate",
    "20200101000000Z",
    "-enddate",
    "20200102000000Z",
  ]);
}
