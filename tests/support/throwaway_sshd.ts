/**
 * A throwaway OpenSSH server as the bastion of tunnel tests: its own host and
 * user keys, config, authorized_keys and pid file in a temp dir, listening on
 * a free loopback port; started here and always stopped here (also on unload).
 */
import { stopProcess } from "../../scripts/stop_process.ts";

const SSHD = "/usr/sbin/sshd";

export interface ThrowawaySshd {
  readonly host: "127.0.0.1";
  readonly port: number;
  /** The account the user keys log in as: root when running as root, else the current user. */
  readonly user: string;
  readonly dir: string;
  /** An authorized Ed25519 key without passphrase. */
  readonly userKey: string;
  /** An authorized RSA key encrypted with `passphrase`. */
  readonly encryptedUserKey: string;
  readonly passphrase: string;
  /** A key the bastion does not accept. */
  readonly strangerKey: string;
  /** known_hosts listing the bastion's real host key. */
  readonly knownHosts: string;
  /** known_hosts listing another key for the bastion (as after a key change or an impostor). */
  readonly wrongKnownHosts: string;
  /** `SHA256:...` of the bastion's host key, as `ssh-keygen -l` prints it. */
  readonly hostKeyFingerprint: string;
  /** How many logins it accepted so far (its log's "Accepted publickey" lines). */
  acceptedLogins(): number;
  /** Stops the listener and every session it started (the outage); files stay. */
  halt(): Promise<void>;
  /** Starts it again on the same port with the same keys. */
  resume(): Promise<void>;
  /** Freezes the listener and every session (SIGSTOP): sockets stay open, nothing answers. */
  freeze(): void;
  /** Lets a frozen sshd run again (SIGCONT). */
  thaw(): void;
  /** Stops everything and removes the temp dir. */
  stop(): Promise<void>;
}

/** Finds sshd, installing Debian's openssh-server when running as root. */
export async function ensureSshdInstalled(): Promise<void> {
  if (await exists(SSHD)) return;
  if (Deno.uid() !== 0) {
    throw new Error(
      "OpenSSH server is not installed: /usr/sbin/sshd was not found. Install it with " +
        "`sudo apt-get install -y openssh-server` (Debian/Ubuntu).",
    );
  }
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  await run("apt-get", ["update", "-qq"], env);
  await run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "openssh-server"], env);
  if (!await exists(SSHD)) throw new Error("apt-get installed openssh-server but sshd is missing");
}

export async function startSshd(): Promise<ThrowawaySshd> {
  await ensureSshdInstalled();
  // sshd refuses to start without its privilege separation directory (made by the package's
  // service, which containers do not run).
  if (Deno.uid() === 0) await Deno.mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-sshd-" });
  const keygen = (file: string, type: string, passphrase = "", extra: string[] = []) =>
    run("ssh-keygen", ["-q", "-t", type, ...extra, "-N", passphrase, "-C", "", "-f", file]);
  const passphrase = `pp-${crypto.randomUUID()}`;
  await Promise.all([
    keygen(`${dir}/host_key`, "ed25519"),
    keygen(`${dir}/other_host_key`, "ed25519"),
    keygen(`${dir}/user_key`, "ed25519"),
    // Few KDF rounds: ssh2 derives the key in pure JS, and the test need not wait for it.
    keygen(`${dir}/encrypted_user_key`, "rsa", passphrase, ["-b", "2048", "-a", "2"]),
    keygen(`${dir}/stranger_key`, "ed25519"),
  ]);
  const publicKey = (name: string) => Deno.readTextFile(`${dir}/${name}.pub`);
  await Deno.writeTextFile(
    `${dir}/authorized_keys`,
    (await publicKey("user_key")) + (await publicKey("encrypted_user_key")),
  );
  const port = freePort();
  const entry = (key: string) =>
    `[127.0.0.1]:${port} ${key.trim().split(/\s+/).slice(0, 2).join(" ")}\n`;
  await Deno.writeTextFile(`${dir}/known_hosts`, entry(await publicKey("host_key")));
  await Deno.writeTextFile(`${dir}/wrong_known_hosts`, entry(await publicKey("other_host_key")));
  const fingerprint =
    (await output("ssh-keygen", ["-l", "-E", "sha256", "-f", `${dir}/host_key.pub`]))
      .split(/\s+/)[1];
  const user = Deno.uid() === 0 ? "root" : (await output("id", ["-un"])).trim();
  await Deno.writeTextFile(
    `${dir}/sshd_config`,
    [
      `ListenAddress 127.0.0.1`,
      `Port ${port}`,
      `HostKey ${dir}/host_key`,
      `PidFile ${dir}/sshd.pid`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      `UsePAM no`,
      `StrictModes no`,
      `PasswordAuthentication no`,
      `KbdInteractiveAuthentication no`,
      `PubkeyAuthentication yes`,
      `AllowTcpForwarding yes`,
      `PermitRootLogin prohibit-password`,
      `PermitTTY no`,
      `X11Forwarding no`,
      `MaxStartups 100`,
      `LogLevel VERBOSE`,
    ].join("\n") + "\n",
  );
  const server = new Sshd(dir, port, user, passphrase, fingerprint);
  try {
    await server.resume();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

class Sshd implements ThrowawaySshd {
  readonly host = "127.0.0.1";
  #child: Deno.ChildProcess | undefined;
  #log = "";
  #stopped = false;
  readonly #unload = () => this.#killSync();

  constructor(
    readonly dir: string,
    readonly port: number,
    readonly user: string,
    readonly passphrase: string,
    readonly hostKeyFingerprint: string,
  ) {
    globalThis.addEventListener("unload", this.#unload);
  }

  get userKey() {
    return `${this.dir}/user_key`;
  }
  get encryptedUserKey() {
    return `${this.dir}/encrypted_user_key`;
  }
  get strangerKey() {
    return `${this.dir}/stranger_key`;
  }
  get knownHosts() {
    return `${this.dir}/known_hosts`;
  }
  get wrongKnownHosts() {
    return `${this.dir}/wrong_known_hosts`;
  }

  acceptedLogins(): number {
    return this.#log.match(/Accepted publickey/g)?.length ?? 0;
  }

  async resume() {
    if (this.#child) return;
    const child = new Deno.Command(SSHD, {
      args: ["-D", "-e", "-f", `${this.dir}/sshd_config`],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    void this.#collectLog(child);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      // "Server listening" is printed once the socket is bound.
      if (this.#log.includes("Server listening")) return;
      const exited = await Promise.race([
        child.status.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 50)),
      ]);
      if (exited) break;
    }
    throw new Error(`sshd did not start on port ${this.port}:\n${this.#log.slice(-1500)}`);
  }

  async halt() {
    const child = this.#child;
    this.#child = undefined;
    if (!child) return;
    // Each connection has its own sshd process, which outlives the listener: stop them all,
    // sessions first, as a bastion going down would.
    for (const pid of descendants(child.pid)) {
      try {
        Deno.kill(pid, "SIGTERM");
      } catch { /* already gone */ }
    }
    await stopProcess(child, 5_000);
  }

  freeze() {
    this.#signalAll("SIGSTOP");
  }

  thaw() {
    this.#signalAll("SIGCONT");
  }

  #signalAll(signal: Deno.Signal) {
    const child = this.#child;
    if (!child) return;
    for (const pid of [child.pid, ...descendants(child.pid)]) {
      try {
        Deno.kill(pid, signal);
      } catch { /* gone */ }
    }
  }

  async stop() {
    if (this.#stopped) return;
    this.#stopped = true;
    globalThis.removeEventListener("unload", this.#unload);
    await this.halt();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }

  async #collectLog(child: Deno.ChildProcess) {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of child.stderr) {
        this.#log = (this.#log + decoder.decode(chunk, { stream: true })).slice(-20_000);
      }
    } catch { /* closed */ }
  }

  #killSync() {
    const child = this.#child;
    if (child) {
      for (const pid of [...descendants(child.pid), child.pid]) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch { /* gone */ }
      }
    }
    try {
      Deno.removeSync(this.dir, { recursive: true });
    } catch { /* gone */ }
  }
}

/** The processes `pid` started, and theirs, from /proc (Linux). */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).trim().split(/\s+/)
      .filter(Boolean).map(Number);
  } catch { /* gone */ }
  return children.flatMap((child) => [...descendants(child), child]);
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

async function output(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr).slice(-1000)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).slice(-2000);
    throw new Error(`${cmd} ${args[0]} failed (exit ${out.code}): ${err}`);
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
