import { assertEquals } from "./_assert.ts";
import { loadConfig } from "../../src/config/load_config.ts";
import { parseConfig } from "../../src/config/parse_config.ts";
import { derivePermissions, permissionFlags } from "../../src/permissions/derive_permissions.ts";

const SOURCE = `
[[datasources]]
key = "behind"
host = "10.0.0.7"
port = 3306
username = "reader"
password = "pw"
`;

Deno.test("a tunnelled source needs net to the bastion only, read of its key files and its passphrase variable", () => {
  const { config } = parseConfig(
    `${SOURCE}[datasources.ssh]\nhost = "bastion.example"\nport = 2222\nuser = "t"\n` +
      `private_key = "/keys/id"\nknown_hosts = "/keys/known_hosts"\npassphrase_env = "KEY_PASS"\n` +
      `[[datasources]]\nkey = "direct"\nhost = "db.example"\nport = 3306\nusername = "u"\npassword = "p"\n`,
    { path: "/etc/mcp/datasources.toml", env: () => undefined },
  );
  const permissions = derivePermissions(config);
  assertEquals(permissions.net, ["bastion.example:2222", "db.example:3306"]);
  assertEquals(permissions.read, [
    "/etc/mcp/datasources.toml",
    "/keys/id",
    "/keys/known_hosts",
  ]);
  assertEquals(permissions.env.includes("KEY_PASS"), true);
});

const PROBE = new URL("./_probe_drop_ssh.ts", import.meta.url).pathname;

Deno.test("the derived flags suffice to load the SSH keys, and after startup the key, known_hosts and passphrase are out of reach", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mysql_mcp_drop_ssh_" });
  try {
    const keygen = await new Deno.Command("ssh-keygen", {
      args: ["-q", "-t", "ed25519", "-a", "2", "-N", "probe-passphrase", "-f", `${dir}/id`],
    }).output();
    assertEquals(keygen.success, true);
    await Deno.writeTextFile(`${dir}/known_hosts`, "");
    const path = `${dir}/datasources.toml`;
    await Deno.writeTextFile(
      path,
      `${SOURCE}[datasources.ssh]\nhost = "127.0.0.1"\nport = 2222\nuser = "t"\n` +
        `private_key = "id"\nknown_hosts = "known_hosts"\npassphrase_env = "PROBE_KEY_PASS"\n`,
    );
    const env = { PROBE_KEY_PASS: "probe-passphrase" };
    const { config } = await loadConfig(path, (name) => env[name as keyof typeof env]);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", ...permissionFlags(derivePermissions(config)), PROBE, path],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, stderr);
    assertEquals(JSON.parse(new TextDecoder().decode(out.stdout)), {
      keys_loaded: ["ok"],
      before: {
        passphrase_variable: "granted",
        private_key: "granted",
        known_hosts: "granted",
        bastion: "granted",
        database: "prompt",
      },
      after: {
        passphrase_variable: "prompt",
        private_key: "prompt",
        known_hosts: "prompt",
        bastion: "granted",
        database: "prompt",
      },
      read_key: "NotCapable",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
