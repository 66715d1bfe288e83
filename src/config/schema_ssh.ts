import { duration, patterned, requiredText, wholeNumber } from "./fields.ts";
import { resolveBeside } from "./schema_server.ts";
import { section, type Warn } from "./section.ts";

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface SshSchemaContext {
  /** The config file's path: relative key and known_hosts paths are read beside it. */
  path: string;
  warn: Warn;
}

/**
 * `[datasources.ssh]`: the bastion a data source is reached through. The files are
 * only named here; they are read once at startup (src/tunnel/load_ssh_keys.ts), so
 * `mysql-mcp permissions` and `deno task compile` work where they are absent.
 */
export function sshSchema({ path, warn }: SshSchemaContext) {
  const file = requiredText.transform((file) => resolveBeside(path, file));
  return section({
    host: requiredText,
    port: wholeNumber(1, 65535).default(22),
    user: requiredText,
    /** Absolute path of the OpenSSH or PEM private key. */
    privateKey: file,
    /** The variable holding the key's passphrase, read once at startup. */
    passphraseEnv: patterned(VARIABLE_NAME, "is not a valid variable name").optional(),
    /** Absolute path of an OpenSSH known_hosts file that must list the bastion's key. */
    knownHosts: file,
    /** How often an idle tunnel asks the bastion whether it is still there; 0: never. */
    keepaliveIntervalMs: duration.prefault("15s"),
    /** Unanswered keepalives after which the tunnel counts as dropped. */
    keepaliveCountMax: wholeNumber(1).default(3),
  }, { warn, where: "ssh" }).readonly();
}
