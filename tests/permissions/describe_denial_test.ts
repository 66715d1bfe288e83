import { assertEquals } from "./_assert.ts";
import { describeDenial } from "../../src/errors/describe_denial.ts";

const SCOPED = "this server runs with permissions scoped to its config";

function notCapable(kind: string, item?: string): Deno.errors.NotCapable {
  const target = item === undefined ? "" : ` to "${item}"`;
  return new Deno.errors.NotCapable(
    `Requires ${kind} access${target}, run again with the --allow-${kind} flag`,
  );
}

Deno.test("describeDenial() names the kind and host of a refused connection", () => {
  assertEquals(
    describeDenial(notCapable("net", "example.com:443")),
    `Deno denied net access to "example.com:443": ${SCOPED}`,
  );
});

Deno.test("describeDenial() shows only the file name of an absolute path", () => {
  assertEquals(
    describeDenial(notCapable("read", "/home/alice/.ssh/id_ed25519")),
    `Deno denied read access to "id_ed25519": ${SCOPED}`,
  );
  assertEquals(
    describeDenial(notCapable("write", "C:\\Users\\alice\\notes.txt")),
    `Deno denied write access to "notes.txt": ${SCOPED}`,
  );
});

Deno.test("describeDenial() leaves a relative path and a variable name as they are", () => {
  assertEquals(
    describeDenial(notCapable("read", "data/rows.csv")),
    `Deno denied read access to "data/rows.csv": ${SCOPED}`,
  );
  assertEquals(
    describeDenial(notCapable("env", "AWS_SECRET_ACCESS_KEY")),
    `Deno denied env access to "AWS_SECRET_ACCESS_KEY": ${SCOPED}`,
  );
});

Deno.test("describeDenial() handles a denial of a whole kind", () => {
  assertEquals(describeDenial(notCapable("env")), `Deno denied env access: ${SCOPED}`);
});

Deno.test("describeDenial() recognises a refused dynamic import, which Deno throws as TypeError", () => {
  const error = new TypeError(
    `Requires read access to "/srv/other/plugin.ts", run again with the --allow-read flag`,
  );
  assertEquals(describeDenial(error), `Deno denied read access to "plugin.ts": ${SCOPED}`);
});

Deno.test("describeDenial() recognises node:net's EPERM for a host it may not resolve", () => {
  const error = Object.assign(new Error("getaddrinfo EPERM example.com"), {
    code: "EPERM",
    syscall: "getaddrinfo",
    hostname: "example.com",
  });
  assertEquals(describeDenial(error), `Deno denied net access to "example.com": ${SCOPED}`);
});

Deno.test("describeDenial() reports an operating system refusal without the full path", () => {
  const error = new Deno.errors.PermissionDenied(
    "Permission denied (os error 13): open '/root/secrets/db.txt'",
  );
  assertEquals(
    describeDenial(error),
    "The operating system denied access: Permission denied: open 'db.txt'",
  );
});

Deno.test("describeDenial() returns undefined for errors that are not denials", () => {
  assertEquals(describeDenial(new Error("connect ECONNREFUSED 127.0.0.1:3306")), undefined);
  assertEquals(describeDenial(new TypeError("x is not a function")), undefined);
  assertEquals(describeDenial(new Deno.errors.NotFound("No such file")), undefined);
  assertEquals(describeDenial('Requires net access to "a:1"'), undefined);
  assertEquals(describeDenial(undefined), undefined);
});

Deno.test("describeDenial() describes a real denial from this runtime", async () => {
  const module = new URL("../../src/errors/describe_denial.ts", import.meta.url).href;
  // `deno run -` reads the script from stdin and, unlike `deno eval`, grants nothing.
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(
    `import { describeDenial } from ${JSON.stringify(module)};
    try { Deno.readTextFileSync("/etc/hostname"); } catch (e) { console.log(describeDenial(e)); }`,
  ));
  await writer.close();
  const out = await child.output();
  assertEquals(
    new TextDecoder().decode(out.stdout).trim(),
    `Deno denied read access to "hostname": ${SCOPED}`,
  );
});
