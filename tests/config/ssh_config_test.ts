import assert from "assert";
import { parseConfig } from "../../src/config/parse_config.ts";

const SOURCE = `
[[datasources]]
key = "behind"
host = "10.0.0.7"
port = 3306
username = "reader"
password = "pw"
`;

const parse = (ssh: string) =>
  parseConfig(`${SOURCE}[datasources.ssh]\n${ssh}\n`, {
    path: "/etc/mcp/datasources.toml",
    env: () => undefined,
  });

Deno.test("[datasources.ssh] reads the bastion with defaults, and key paths beside the config", () => {
  const { config, warnings } = parse(
    `host = "bastion.example"\nuser = "tunnel"\nprivate_key = "keys/id_ed25519"\nknown_hosts = "/etc/mcp/known_hosts"`,
  );
  assert.deepEqual(warnings, []);
  assert.deepEqual(config.datasources[0].ssh, {
    host: "bastion.example",
    port: 22,
    user: "tunnel",
    privateKey: "/etc/mcp/keys/id_ed25519",
    knownHosts: "/etc/mcp/known_hosts",
    keepaliveIntervalMs: 15_000,
    keepaliveCountMax: 3,
  });
});

Deno.test("[datasources.ssh] takes port, passphrase_env and keepalive settings", () => {
  const { config } = parse(
    `host = "b"\nport = 2222\nuser = "t"\nprivate_key = "/k"\nknown_hosts = "/kh"\n` +
      `passphrase_env = "KEY_PASS"\nkeepalive_interval = "5s"\nkeepalive_count_max = 2`,
  );
  const ssh = config.datasources[0].ssh!;
  assert.equal(ssh.port, 2222);
  assert.equal(ssh.passphraseEnv, "KEY_PASS");
  assert.equal(ssh.keepaliveIntervalMs, 5000);
  assert.equal(ssh.keepaliveCountMax, 2);
});

Deno.test("a data source without [datasources.ssh] has no tunnel", () => {
  const { config } = parseConfig(SOURCE, { path: "/x.toml", env: () => undefined });
  assert.equal(config.datasources[0].ssh, undefined);
});

Deno.test("[datasources.ssh] problems skip the source with the field named, unknown keys are warned", () => {
  const missing = parseConfig(
    `${SOURCE}[datasources.ssh]\nhost = "b"\nprivate_key = "/k"\nknown_hosts = "/kh"\nproxy_jump = "x"\n` +
      `[[datasources]]\nkey = "ok"\nhost = "h"\nport = 1\nusername = "u"\npassword = "p"\n`,
    { path: "/x.toml", env: () => undefined },
  );
  assert.deepEqual(missing.config.datasources.map((d) => d.key), ["ok"]);
  assert.ok(
    missing.warnings.some((w) => w.includes(`ssh: unknown field "proxy_jump" ignored`)),
    missing.warnings.join("\n"),
  );
  assert.ok(
    missing.warnings.some((w) => /"behind" skipped: ssh: missing required field user/.test(w)),
    missing.warnings.join("\n"),
  );
  const badPort = parseConfig(
    `${SOURCE}[datasources.ssh]\nhost = "b"\nport = 70000\nuser = "u"\nprivate_key = "/k"\nknown_hosts = "/kh"\n` +
      `[[datasources]]\nkey = "ok"\nhost = "h"\nport = 1\nusername = "u"\npassword = "p"\n`,
    { path: "/x.toml", env: () => undefined },
  );
  assert.ok(
    badPort.warnings.some((w) => w.includes("ssh port must be 1-65535, got 70000")),
    badPort.warnings.join("\n"),
  );
});
