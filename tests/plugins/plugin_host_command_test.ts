/**
 * The hidden command a compiled server uses to host a plugin, run here under
 * `deno run -A` (the broadest grant a binary could carry): the plugin still
 * gets no environment, no file and no network.
 */
import assert from "assert";
import { encodeFrame, FrameReader } from "../../src/plugins/frames.ts";
import { pluginEntry } from "../../src/plugins/plugin_launch.ts";
import { PLUGIN_HOST_COMMAND } from "../../src/plugins/plugin_host_command.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const HOSTILE = new URL("./hostile/hostile.ts", import.meta.url).pathname;
const STEAL = new URL("./sandbox/steal/steal.ts", import.meta.url).pathname;

Deno.test("the plugin host command drops every permission it was started with before the plugin runs", async () => {
  const secret = `host-secret-${crypto.randomUUID()}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, PLUGIN_HOST_COMMAND, pluginEntry(HOSTILE, "hostile.ts")],
    env: { HOST_TEST_SECRET: secret },
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.getReader();
  const frames = new FrameReader();
  const queue: Record<string, unknown>[] = [];
  const next = async () => {
    while (queue.length === 0) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the plugin host ended");
      queue.push(...frames.push(value) as Record<string, unknown>[]);
    }
    return queue.shift()!;
  };
  try {
    const ready = await next();
    assert.equal(ready.t, "ready", JSON.stringify(ready));
    const attempts: [string, Record<string, unknown>][] = [
      ["env_variable", { target: "HOST_TEST_SECRET" }],
      ["read_file", { target: MAIN }],
      ["connect", { target: "127.0.0.1", number: 9 }],
      ["command", {}],
    ];
    let id = 0;
    for (const [attempt, extra] of attempts) {
      await writer.write(
        encodeFrame({
          t: "call",
          id: ++id,
          tool: "hostile",
          args: { attempt, ...extra },
          requestId: "r",
        }),
      );
      const answer = await next();
      assert.equal(answer.t, "error", `${attempt}: ${JSON.stringify(answer)}`);
      const error = answer.error as { code?: string; message?: string };
      assert.equal(error.code, "PERMISSION_DENIED", `${attempt}: ${JSON.stringify(answer)}`);
      assert.ok(!JSON.stringify(answer).includes(secret));
    }
  } finally {
    await writer.close().catch(() => {});
    await reader.cancel().catch(() => {});
    const status = await child.status;
    assert.equal(status.code, 0, "the host ends by itself when the server closes the channel");
  }
});

Deno.test("with the server's config, the plugin host gives up read of every file the config names", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-host-" });
  try {
    const config = `${dir}/datasources.toml`;
    await Deno.writeTextFile(
      config,
      `[server]\nplugins_dir = "plugins"\n[[datasources]]\nkey = "a"\nhost = "127.0.0.1"\n` +
        `port = 3306\nusername = "u"\npassword = "inline-secret-pw"\n`,
    );
    await Deno.mkdir(`${dir}/plugins`);
    await Deno.copyFile(STEAL, `${dir}/plugins/steal.ts`);
    const src = decodeURIComponent(new URL("../../src", import.meta.url).pathname);
    // As a compiled binary holds them: read of the config, the plugins folder and the source.
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        `--allow-read=${config},${dir}/plugins,${src},${MAIN}`,
        `--allow-env`,
        MAIN,
        "serve",
        "--config",
        config,
        PLUGIN_HOST_COMMAND,
        pluginEntry(`${dir}/plugins/steal.ts`, "steal.ts"),
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    const [failed] = new FrameReader().push(out.stdout) as Record<string, unknown>[];
    assert.equal(failed?.t, "failed", JSON.stringify(failed));
    assert.match(String(failed.reason), /read access/);
    assert.ok(!new TextDecoder().decode(out.stdout).includes("inline-secret-pw"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
