import { whyUnreadable } from "../config/unreadable.ts";
import { Buffer } from "node:buffer";
import type { Config, SshConfig } from "../config/config.ts";
import { Secret } from "../config/secret.ts";
import { KnownHosts } from "./known_hosts.ts";
import { loadSsh2 } from "./ssh2.ts";

/** What a tunnel needs besides its config, read from disk and the environment at startup. */
export interface SshKeys {
  /** The private key file's bytes, as written (possibly encrypted). */
  readonly privateKey: Uint8Array;
  readonly passphrase?: Secret;
  readonly knownHosts: KnownHosts;
}

/**
 * Per data source key: its SSH keys, or why they could not be loaded (a sentence
 * without path or key material, e.g. "private_key: wrong passphrase").
 */
export type SshKeyring = ReadonlyMap<string, SshKeys | { readonly problem: string }>;

export interface LoadSshKeysOptions {
  /** Reads an environment variable (the passphrase_env). */
  env: (name: string) => string | undefined;
  /** Reads a file (injected so tests can fake a missing or unreadable one). */
  readFile?: (path: string) => Promise<Uint8Array>;
}

/**
 * Reads the private key, its passphrase and known_hosts of every tunnelled data
 * source, once, at startup. They are kept in memory rather than read at each
 * connect so that the server can give up read access to the key files and the
 * passphrase variable afterwards (drop_permissions.ts): nothing running in the
 * server later can read them again. The cost: a rotated key or a new
 * known_hosts line takes a restart. A key that cannot be used (missing file,
 * wrong passphrase) fails here, and the data source's connects then fail with
 * that reason, so the other sources keep serving.
 */
export async function loadSshKeys(
  config: Config,
  options: LoadSshKeysOptions,
): Promise<SshKeyring> {
  const readFile = options.readFile ?? Deno.readFile;
  const ring = new Map<string, SshKeys | { problem: string }>();
  for (const source of config.datasources) {
    if (!source.ssh) continue;
    try {
      ring.set(source.key, await loadOne(source.ssh, options.env, readFile));
    } catch (error) {
      ring.set(source.key, { problem: (error as Error).message });
    }
  }
  return ring;
}

async function loadOne(
  ssh: SshConfig,
  env: (name: string) => string | undefined,
  readFile: (path: string) => Promise<Uint8Array>,
): Promise<SshKeys> {
  let passphrase: Secret | undefined;
  if (ssh.passphraseEnv !== undefined) {
    const value = env(ssh.passphraseEnv);
    if (value === undefined) {
      throw new Error(`ssh passphrase_env names ${ssh.passphraseEnv}, which is not set`);
    }
    passphrase = new Secret(value);
  }
  const privateKey = await readNamed(readFile, ssh.privateKey, "private_key");
  const problem = await keyProblem(privateKey, passphrase);
  if (problem) throw new Error(`ssh private_key ${problem}`);
  const knownHosts = KnownHosts.parse(
    new TextDecoder().decode(await readNamed(readFile, ssh.knownHosts, "known_hosts")),
  );
  return { privateKey, passphrase, knownHosts };
}

async function readNamed(
  readFile: (path: string) => Promise<Uint8Array>,
  path: string,
  field: string,
): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new Error(`ssh ${field}: ${whyUnreadable(error)}`);
  }
}

/** Why ssh2 cannot use the key, in words that name neither the key nor the passphrase. */
async function keyProblem(key: Uint8Array, passphrase?: Secret): Promise<string | undefined> {
  const { utils } = await loadSsh2();
  const parsed = utils.parseKey(Buffer.from(key), passphrase?.reveal());
  if (!(parsed instanceof Error)) {
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    return first?.isPrivateKey?.() ? undefined : "is not a private key";
  }
  const message = parsed.message;
  if (/no passphrase given/i.test(message)) return "is encrypted: set passphrase_env";
  if (/bad passphrase|decrypt/i.test(message) && passphrase) {
    return "cannot be decrypted: wrong passphrase";
  }
  return "cannot be parsed: expected an OpenSSH or PEM private key";
}
