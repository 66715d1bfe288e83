import assert from "assert";
import { parseConfig } from "../../src/config/parse_config.ts";
import { loadSshKeys } from "../../src/tunnel/load_ssh_keys.ts";

const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-keys-" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
const keygen = async (file: string, passphrase: string) => {
  const out = await new Deno.Command("ssh-keygen", {
    args: ["-q", "-t", "ed25519", "-a", "2", "-N", passphrase, "-C", "", "-f", `${dir}/${file}`],
  }).output();
  assert.ok(out.success, "ssh-keygen failed");
};
await keygen("plain", "");
await keygen("locked", "open sesame");
await Deno.writeTextFile(`${dir}/known_hosts`, "");
await Deno.writeTextFile(`${dir}/not_a_key`, "hello\n");

/** A config with one tunnelled source "a" (known_hosts "known_hosts" unless `ssh` names one). */
function config(ssh: string) {
  const knownHosts = ssh.includes("known_hosts") ? "" : `known_hosts = "known_hosts"\n`;
  return parseConfig(
    `[[datasources]]\nkey = "a"\nhost = "db"\nport = 3306\nusername = "u"\npassword = "p"\n` +
      `[datasources.ssh]\nhost = "bastion"\nuser = "me"\n${knownHosts}${ssh}\n` +
      `[[datasources]]\nkey = "direct"\nhost = "db"\nport = 3306\nusername = "u"\npassword = "p"\n`,
    { path: `${dir}/datasources.toml`, env: () => undefined },
  ).config;
}

const env = (name: string) => name === "PASS" ? "open sesame" : name === "BAD" ? "nope" : undefined;

Deno.test("loadSshKeys() reads the key and known_hosts beside the config, for tunnelled sources only", async () => {
  const ring = await loadSshKeys(config(`private_key = "plain"`), { env });
  assert.deepEqual([...ring.keys()], ["a"]);
  const keys = ring.get("a")!;
  assert.ok("privateKey" in keys && keys.privateKey.length > 0);
  assert.equal(keys.passphrase, undefined);
});

Deno.test("loadSshKeys() decrypts with passphrase_env and keeps the passphrase a Secret", async () => {
  const ring = await loadSshKeys(
    config(`private_key = "locked"\npassphrase_env = "PASS"`),
    { env },
  );
  const keys = ring.get("a")!;
  assert.ok("passphrase" in keys && keys.passphrase?.reveal() === "open sesame");
  assert.equal(String(keys.passphrase), "[redacted]");
});

Deno.test("loadSshKeys() says what is wrong with a key, naming the field, never the path or secret", async () => {
  const cases: [string, string][] = [
    [`private_key = "missing"`, "ssh private_key: file not found"],
    [
      `private_key = "not_a_key"`,
      "ssh private_key cannot be parsed: expected an OpenSSH or PEM private key",
    ],
    [`private_key = "locked"`, "ssh private_key is encrypted: set passphrase_env"],
    [
      `private_key = "locked"\npassphrase_env = "BAD"`,
      "ssh private_key cannot be decrypted: wrong passphrase",
    ],
    [
      `private_key = "locked"\npassphrase_env = "UNSET"`,
      "ssh passphrase_env names UNSET, which is not set",
    ],
    [`private_key = "plain"\nknown_hosts = "gone"`, "ssh known_hosts: file not found"],
  ];
  for (const [ssh, problem] of cases) {
    const ring = await loadSshKeys(config(ssh), { env });
    assert.deepEqual(ring.get("a"), { problem }, ssh);
  }
});

Deno.test("loadSshKeys() reports a file it may not read as such", async () => {
  const ring = await loadSshKeys(config(`private_key = "plain"`), {
    env,
    readFile: () => Promise.reject(new Deno.errors.NotCapable("no")),
  });
  assert.deepEqual(ring.get("a"), { problem: "ssh private_key: no permission to read it" });
});
