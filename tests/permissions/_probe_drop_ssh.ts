/**
 * Run under a tunnelled config's derived flags: loads the config and the SSH keys as
 * main.ts does, drops the startup permissions, and prints what is still reachable.
 */
import { loadConfig } from "../../src/config/load_config.ts";
import { Logger } from "../../src/log/logger.ts";
import { dropStartupPermissions } from "../../src/permissions/drop_permissions.ts";
import { loadSshKeys } from "../../src/tunnel/load_ssh_keys.ts";

const path = Deno.args[0];
const env = (name: string) => Deno.env.get(name);
const { config } = await loadConfig(path, env);
const ssh = config.datasources[0].ssh!;
const keys = await loadSshKeys(config, { env });
const state = async (descriptor: Deno.PermissionDescriptor) =>
  (await Deno.permissions.query(descriptor)).state;
const snapshot = async () => ({
  passphrase_variable: await state({ name: "env", variable: ssh.passphraseEnv! }),
  private_key: await state({ name: "read", path: ssh.privateKey }),
  known_hosts: await state({ name: "read", path: ssh.knownHosts }),
  bastion: await state({ name: "net", host: `${ssh.host}:${ssh.port}` }),
  database: await state({ name: "net", host: `${config.datasources[0].host}:3306` }),
});
const before = await snapshot();
await dropStartupPermissions(config, new Logger({ level: "error", sinks: [] }));
let readKey = "allowed";
try {
  await Deno.readFile(ssh.privateKey);
} catch (error) {
  readKey = (error as Error).name;
}
console.log(JSON.stringify({
  keys_loaded: [...keys.values()].map((k) => "problem" in k ? k.problem : "ok"),
  before,
  after: await snapshot(),
  read_key: readKey,
}));
