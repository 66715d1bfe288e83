/**
 * `deno task compile [--config PATH] [--output FILE]`: one executable with
 * the config's minimal permissions and the plugins folder baked in.
 * Permissions are fixed at compile time: rebuild for another config.
 */
import { configPathFrom, loadConfig } from "../src/config/load_config.ts";
import { compileCommand } from "../src/permissions/compile_command.ts";

const argv = [...Deno.args];
const take = (flag: string) => {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv.splice(i, 2)[1] : undefined;
};
const configArg = take("--config");
const output = take("--output") ?? "dist/mysql-mcp";
const path = configPathFrom(configArg, (name) => Deno.env.get(name));
const absolute = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
// Variables named by password_env need not be set to build; only their names are baked in.
const { config } = await loadConfig(absolute, (name) => Deno.env.get(name), { secrets: "names" });
const args = compileCommand(config, {
  output,
  entry: new URL("../main.ts", import.meta.url).pathname,
});
console.error(`deno ${args.join(" ")}`);
const status = await new Deno.Command(Deno.execPath(), {
  args,
  stdout: "inherit",
  stderr: "inherit",
})
  .spawn().status;
if (!status.success) {
  console.error(
    "deno compile failed. It downloads Deno's runtime for the target on first use, so it " +
      "needs a machine that can reach Deno's download servers.",
  );
}
Deno.exit(status.code);
