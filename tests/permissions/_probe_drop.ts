/**
 * Run under a config's derived flags: loads the config as the server does,
 * drops the startup permissions, and prints what Deno.permissions.query says
 * before and after, plus what a read of the variable and the file now does.
 */
import { loadConfig } from "../../src/config/load_config.ts";
import { Logger } from "../../src/log/logger.ts";
import { dropStartupPermissions } from "../../src/permissions/drop_permissions.ts";

const path = Deno.args[0];
const variable = Deno.args[1];
/** A bearer token's variable, when the config has [[server.http.tokens]]. */
const tokenVariable = Deno.args[2];
const { config } = await loadConfig(path);
const state = async (descriptor: Deno.PermissionDescriptor) =>
  (await Deno.permissions.query(descriptor)).state;
const snapshot = async () => ({
  password_variable: await state({ name: "env", variable }),
  ...(tokenVariable
    ? { token_variable: await state({ name: "env", variable: tokenVariable }) }
    : {}),
  config_file: await state({ name: "read", path }),
  plugins_folder: await state({ name: "read", path: config.server.pluginsDir }),
  database: await state({ name: "net", host: `127.0.0.1:${config.datasources[0].port}` }),
});
const attempt = async (what: () => unknown) => {
  try {
    await what();
    return "allowed";
  } catch (error) {
    return (error as Error).name;
  }
};
const before = await snapshot();
await dropStartupPermissions(config, new Logger({ level: "error", sinks: [] }));
console.log(JSON.stringify({
  before,
  after: await snapshot(),
  read_variable: await attempt(() => Deno.env.get(variable)),
  ...(tokenVariable ? { read_token: await attempt(() => Deno.env.get(tokenVariable)) } : {}),
  read_config: await attempt(() => Deno.readTextFile(path)),
}));
