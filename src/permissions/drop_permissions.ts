import type { Config } from "../config/config.ts";
import type { Logger } from "../log/logger.ts";
import { SERVER_ENV, startupFiles, tokenVariables } from "./derive_permissions.ts";

/**
 * Gives up, once startup has used them, the permissions serving no longer
 * needs: environment access to the password, SSH passphrase and bearer-token
 * variables (their values now sit in Secret objects) and the server's own
 * variables, and read access to the config file (parsed) and the SSH keys and
 * known_hosts (held in memory by then). Kept: net to the configured servers, read of the
 * plugins folder, running Deno for plugin processes (a stopped one is started
 * again), and read of the TLS ca/cert/key files, which every new connection
 * reads. After this, even code running in the server itself cannot
 * read a password variable or the config file's inline passwords.
 *
 * Deno's revoke also takes back a grant that covers the item (a whole folder,
 * or everything): the config file is then kept, with a warning, rather than
 * losing the plugins folder beside it. Under an unscoped grant (`-A`)
 * nothing can be dropped.
 */
export async function dropStartupPermissions(config: Config, log: Logger): Promise<void> {
  const variables = [
    ...SERVER_ENV,
    ...config.datasources.flatMap((source) => source.passwordEnv ? [source.passwordEnv] : []),
    ...config.datasources.flatMap((source) =>
      source.ssh?.passphraseEnv ? [source.ssh.passphraseEnv] : []
    ),
    ...tokenVariables(config),
  ];
  for (const variable of new Set(variables)) {
    await Deno.permissions.revoke({ name: "env", variable });
  }
  const granted = async (path?: string) =>
    (await Deno.permissions.query({ name: "read", path })).state === "granted";
  // Reading everything is reported at startup as broader than needed; nothing to add here.
  if (await granted()) return;
  const files = [
    { path: config.path, what: "the config file" },
    ...startupFiles(config).map((path) => ({ path, what: "an SSH key or known_hosts file" })),
  ];
  for (const { path, what } of files) {
    const folder = path.replace(/[\\/][^\\/]*$/, "") || "/";
    if (await granted(folder)) {
      log.warn(
        `${what} stays readable: read access was granted to its whole folder, which revoking it would take away from plugins too`,
      );
    } else {
      await Deno.permissions.revoke({ name: "read", path });
    }
  }
}
