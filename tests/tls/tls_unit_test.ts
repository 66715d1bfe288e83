import assert from "assert";
import { parseConfig } from "../../src/config/parse_config.ts";
import { Logger } from "../../src/log/logger.ts";
import { DenoSocket } from "../../src/pool/deno_socket.ts";
import { loadExtensions } from "../../src/tools/load_extensions.ts";
import { offersTls } from "../../src/pool/tls_setup.ts";

/** A protocol-10 greeting with the given low capability bits, header included. */
function greeting(capabilities: number): Uint8Array {
  const version = new TextEncoder().encode("10.11.19-MariaDB");
  const payload = [
    10,
    ...version,
    0,
    ...[1, 0, 0, 0], // thread id
    ...new Array(8).fill(0x41), // scramble, part 1
    0, // filler
    capabilities & 0xff,
    capabilities >> 8,
    ...new Array(20).fill(0), // the rest does not matter here
  ];
  return new Uint8Array([payload.length & 0xff, payload.length >> 8, 0, 0, ...payload]);
}

Deno.test("offersTls() reads CLIENT_SSL from the greeting's capability flags", () => {
  assert.equal(offersTls(greeting(0xf7ff)), false);
  assert.equal(offersTls(greeting(0x0800)), true);
  assert.equal(offersTls(greeting(0xffff)), true);
  // An error packet instead of a greeting, or a cut one, offers nothing.
  assert.equal(offersTls(new Uint8Array([5, 0, 0, 0, 0xff, 0x10, 0x04, 0x41, 0x42])), false);
  assert.equal(offersTls(greeting(0x0800).subarray(0, 20)), false);
});

Deno.test("DenoSocket sees a greeting that arrives in pieces whole, before the driver's data", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const packet = greeting(0x0800);
  const serving = (async () => {
    const conn = await listener.accept();
    conn.setNoDelay(true);
    for (const [from, to] of [[0, 2], [2, 30], [30, packet.length]]) {
      await conn.write(packet.subarray(from, to));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await conn.write(new Uint8Array([1, 2, 3])); // what follows is not the greeting
    await new Promise((resolve) => setTimeout(resolve, 50));
    conn.close();
  })();
  const socket = new DenoSocket({
    hostname: "127.0.0.1",
    port: (listener.addr as Deno.NetAddr).port,
  });
  const events: string[] = [];
  let seen: Uint8Array | undefined;
  socket.onGreeting = (bytes) => {
    seen = bytes.slice();
    events.push("greeting");
  };
  let received = 0;
  socket.on("data", (chunk: Uint8Array) => {
    received += chunk.length;
    events.push("data");
  });
  await new Promise((resolve) => socket.on("close", resolve));
  await serving;
  listener.close();
  assert.deepEqual(seen, packet);
  assert.equal(received, packet.length + 3);
  // Called once, and before the chunk that completed it reached the driver.
  assert.equal(events.filter((e) => e === "greeting").length, 1);
  assert.equal(events[events.indexOf("greeting") + 1], "data");
});

Deno.test("a plugins folder that also holds a TLS client key loads no plugin", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mysql-mcp-tls-plugins-" });
  try {
    await Deno.mkdir(`${dir}/plugins`);
    await Deno.writeTextFile(`${dir}/plugins/any.ts`, "export default {};\n");
    const { config } = parseConfig(
      `[server]\nplugins_dir = "plugins"\n[[datasources]]\nkey = "a"\nhost = "db"\nport = 3306\n` +
        `username = "u"\npassword = "p"\n  [datasources.tls]\n  mode = "verify_ca"\n` +
        `  cert = "plugins/client.pem"\n  key = "plugins/client.key"\n`,
      { path: `${dir}/datasources.toml`, env: () => undefined },
    );
    const messages: string[] = [];
    const log = new Logger({ level: "error", sinks: [(record) => void messages.push(record.msg)] });
    const { plugins } = await loadExtensions(config, log);
    assert.equal(plugins?.length, 0);
    assert.match(messages.join("\n"), /plugins not loaded: the plugins folder also holds/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
