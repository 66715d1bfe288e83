import { assertEquals, assertThrows } from "./_assert.ts";
import fc from "fast-check";
import { derivePermissions, permissionFlags } from "../../src/permissions/derive_permissions.ts";
import { parseConfig } from "../../src/config/parse_config.ts";
import { configWith, type SourceSketch } from "./_config.ts";
import { HTTP_DEFAULTS } from "../../src/config/config.ts";
import { Secret } from "../../src/config/secret.ts";

const FIXED_ENV = ["MYSQL_MCP_CONFIG", "MYSQL_MCP_LOG_LEVEL"];
/** Deno itself: the server starts it for plugin processes (Deno.execPath() needs read of it). */
const DENO = Deno.execPath();
/** What a plugin process needs to find Deno's module cache. */
const PLUGIN_ENV = ["DENO_DIR", "HOME", "SSL_CERT_DIR", "SSL_CERT_FILE", "XDG_CACHE_HOME"];

Deno.test("permissionFlags() scopes net, read, env and run to exactly what the config names, and lets plugins start", () => {
  const config = configWith([
    { host: "127.0.0.1", port: 3306, passwordEnv: "SHOP_PASSWORD" },
    { host: "db.internal", port: 3307 },
  ], { pluginsDir: "/etc/mcp/plugins" });
  assertEquals(permissionFlags(derivePermissions(config)), [
    "--allow-net=127.0.0.1:3306,db.internal:3307",
    `--allow-read=/etc/mcp/datasources.toml,/etc/mcp/plugins,${DENO}`,
    `--allow-env=${[...FIXED_ENV, ...PLUGIN_ENV, "SHOP_PASSWORD"].sort().join(",")}`,
    `--allow-run=${DENO}`,
  ]);
});

Deno.test("without a plugins folder nothing is run and no plugin variable is read", () => {
  const flags = permissionFlags(derivePermissions(configWith([{ host: "db", port: 3306 }])));
  assertEquals(flags, [
    "--allow-net=db:3306",
    "--allow-read=/etc/mcp/datasources.toml",
    `--allow-env=${FIXED_ENV.join(",")}`,
  ]);
});

Deno.test("derivePermissions() keeps localhost and 127.0.0.1 apart, as Deno does", () => {
  const config = configWith([
    { host: "localhost", port: 3306 },
    { host: "127.0.0.1", port: 3306 },
  ]);
  assertEquals(derivePermissions(config).net, ["localhost:3306", "127.0.0.1:3306"]);
});

Deno.test("derivePermissions() puts IPv6 hosts in brackets, once", () => {
  const config = configWith([
    { host: "::1", port: 3306 },
    { host: "[::1]", port: 3306 },
    { host: "fd00::5", port: 3307 },
  ]);
  assertEquals(derivePermissions(config).net, ["[::1]:3306", "[fd00::5]:3307"]);
});

Deno.test("derivePermissions() lists a shared host:port once, in config order", () => {
  const config = configWith([
    { host: "b.example", port: 3306 },
    { host: "a.example", port: 3306 },
    { host: "b.example", port: 3306 },
  ]);
  assertEquals(derivePermissions(config).net, ["b.example:3306", "a.example:3306"]);
});

Deno.test("derivePermissions() grants the metrics port on 127.0.0.1 only", () => {
  const config = configWith([{ host: "localhost", port: 3306 }]);
  assertEquals(derivePermissions(config, { metricsPort: 9464 }).net, [
    "localhost:3306",
    "127.0.0.1:9464",
  ]);
});

Deno.test("derivePermissions() adds extra readable paths without repeats", () => {
  const config = configWith([{ host: "localhost", port: 3306 }], { pluginsDir: "/srv/plugins" });
  assertEquals(
    derivePermissions(config, { extraRead: ["/srv/plugins", "/srv/ca.pem"] }).read,
    ["/etc/mcp/datasources.toml", "/srv/plugins", DENO, "/srv/ca.pem"],
  );
});

Deno.test("derivePermissions() needs no sys access and only the server's own variables", () => {
  const permissions = derivePermissions(configWith([{ host: "localhost", port: 3306 }]));
  assertEquals(permissions.sys, []);
  assertEquals(permissions.env, FIXED_ENV);
});

Deno.test("derivePermissions() reads the plugins folder parseConfig() resolved", () => {
  const text = [
    "[server]",
    `plugins_dir = "plugins"`,
    "[[datasources]]",
    `key = "shop"`,
    `host = "db.internal"`,
    "port = 3307",
    `username = "reader"`,
    `password_env = "SHOP_PASSWORD"`,
  ].join("\n");
  const { config } = parseConfig(text, {
    path: "/etc/mcp/datasources.toml",
    env: (name) => name === "SHOP_PASSWORD" ? "secret" : undefined,
  });
  assertEquals(derivePermissions(config), {
    net: ["db.internal:3307"],
    read: ["/etc/mcp/datasources.toml", "/etc/mcp/plugins", DENO],
    env: [...FIXED_ENV, ...PLUGIN_ENV, "SHOP_PASSWORD"].sort(),
    sys: [],
    run: [DENO],
  });
});

Deno.test("permissionFlags() omits a kind with nothing to grant instead of granting all", () => {
  assertEquals(permissionFlags({ net: [], read: [], env: ["A"], sys: [], run: [] }), [
    "--allow-env=A",
  ]);
  assertEquals(permissionFlags({ net: [], read: [], env: [], sys: [], run: [] }), []);
});

Deno.test("permissionFlags() names sys APIs when some are needed", () => {
  assertEquals(
    permissionFlags({ net: [], read: [], env: [], sys: ["hostname", "osRelease"], run: [] }),
    ["--allow-sys=hostname,osRelease"],
  );
});

Deno.test("permissionFlags() refuses a value with a comma, which Deno's syntax cannot express", () => {
  const config = configWith([{ host: "localhost", port: 3306 }], {
    path: "/etc/mcp/a,b/datasources.toml",
  });
  assertThrows(
    () => permissionFlags(derivePermissions(config)),
    TypeError,
    `Cannot grant read access to "/etc/mcp/a,b/datasources.toml"`,
  );
  assertThrows(
    () => permissionFlags({ net: ["a,b:1"], read: [], env: [], sys: [], run: [] }),
    TypeError,
    "comma",
  );
});

Deno.test("permissionFlags() refuses an empty value, which would read as an unscoped flag", () => {
  assertThrows(
    () => permissionFlags({ net: [], read: [""], env: [], sys: [], run: [] }),
    TypeError,
    "empty",
  );
});

// --- properties over random configs ---

const hostArb = fc.oneof(
  fc.constant("localhost"),
  fc.constant("127.0.0.1"),
  fc.constant("::1"),
  fc.ipV4(),
  fc.ipV6(),
  fc.domain(),
);
const envNameArb = fc.oneof(
  fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,11}$/),
  fc.constantFrom("SHOP_PASSWORD", "MYSQL_MCP_CONFIG"),
);
/** A few distinct endpoints, then sources picking among them, so duplicates are common. */
const sourcesArb = fc
  .array(fc.record({ host: hostArb, port: fc.integer({ min: 1, max: 65535 }) }), {
    minLength: 1,
    maxLength: 5,
  })
  .chain((endpoints) =>
    fc.array(
      fc.record({
        endpoint: fc.constantFrom(...endpoints),
        passwordEnv: fc.option(envNameArb, { nil: undefined }),
      }),
      { minLength: 1, maxLength: 8 },
    )
  )
  .map((picks): SourceSketch[] =>
    picks.map((p) => ({ ...p.endpoint, passwordEnv: p.passwordEnv }))
  );
const optionsArb = fc.record({
  metricsPort: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  pluginsDir: fc.option(fc.constantFrom("/srv/plugins", "/etc/mcp/plugins"), { nil: undefined }),
});

function spelled(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function flagValues(flags: string[], kind: string): string[] {
  const flag = flags.find((f) => f.startsWith(`--allow-${kind}=`));
  return flag ? flag.slice(`--allow-${kind}=`.length).split(",") : [];
}

Deno.test("every configured host:port appears once in --allow-net and nothing else does", () => {
  fc.assert(
    fc.property(sourcesArb, optionsArb, (sources, options) => {
      const config = configWith(sources, { pluginsDir: options.pluginsDir });
      const flags = permissionFlags(
        derivePermissions(config, { metricsPort: options.metricsPort }),
      );
      const net = flagValues(flags, "net");
      const expected = new Set(sources.map((s) => spelled(s.host, s.port)));
      if (options.metricsPort !== undefined) expected.add(`127.0.0.1:${options.metricsPort}`);
      for (const address of expected) {
        assertEquals(net.filter((n) => n === address).length, 1, address);
      }
      assertEquals(net.length, expected.size);
    }),
    { numRuns: 200 },
  );
});

Deno.test("--allow-env lists exactly the named password variables and the server's two", () => {
  fc.assert(
    fc.property(sourcesArb, (sources) => {
      const flags = permissionFlags(derivePermissions(configWith(sources)));
      const named = sources.flatMap((s) => s.passwordEnv ? [s.passwordEnv] : []);
      const expected = [...new Set([...named, ...FIXED_ENV])].sort();
      assertEquals(flagValues(flags, "env"), expected);
    }),
    { numRuns: 200 },
  );
});

Deno.test("--allow-read lists the config file, the plugins folder and Deno itself, once each", () => {
  fc.assert(
    fc.property(sourcesArb, optionsArb, (sources, options) => {
      const config = configWith(sources, { pluginsDir: options.pluginsDir });
      const read = flagValues(permissionFlags(derivePermissions(config)), "read");
      assertEquals(read, [
        config.path,
        ...(options.pluginsDir ? [options.pluginsDir, DENO] : []),
      ]);
    }),
    { numRuns: 100 },
  );
});

Deno.test("no derived flag is ever -A, --allow-all or an unscoped --allow-*", () => {
  fc.assert(
    fc.property(sourcesArb, optionsArb, (sources, options) => {
      const config = configWith(sources, { pluginsDir: options.pluginsDir });
      const flags = permissionFlags(
        derivePermissions(config, { metricsPort: options.metricsPort }),
      );
      for (const flag of flags) {
        assertEquals(flag !== "-A" && flag !== "--allow-all", true, flag);
        assertEquals(/^--allow-(net|read|env|sys|run)=[^,]+(,[^,]+)*$/.test(flag), true, flag);
      }
    }),
    { numRuns: 200 },
  );
});

Deno.test("TLS ca, cert and key files are readable, except under mode disabled", () => {
  const config = configWith([
    {
      host: "db",
      port: 3306,
      tls: { mode: "verify_identity", ca: "/etc/mcp/ca.pem", cert: "/c.pem", key: "/c.key" },
    },
    { host: "db2", port: 3306, tls: { mode: "disabled", ca: "/unused/ca.pem" } },
  ]);
  assertEquals(derivePermissions(config).read, [
    "/etc/mcp/datasources.toml",
    "/etc/mcp/ca.pem",
    "/c.pem",
    "/c.key",
  ]);
});

Deno.test("derivePermissions() grants Streamable HTTP exactly its listen address and each token's variable", () => {
  const base = configWith([{ host: "db", port: 3306 }]);
  const http = {
    ...HTTP_DEFAULTS,
    listen: { hostname: "0.0.0.0", port: 8080 },
    tokens: [token("CI_TOKEN"), token("BI_TOKEN")],
  };
  const config = { ...base, server: { ...base.server, http } };
  const permissions = derivePermissions(config);
  assertEquals(permissions.net, ["db:3306", "0.0.0.0:8080"]);
  assertEquals(permissions.env, [...FIXED_ENV, "BI_TOKEN", "CI_TOKEN"].sort());
  // --http wins over the config's address; IPv6 in brackets.
  assertEquals(derivePermissions(config, { http: { hostname: "::1", port: 9000 } }).net, [
    "db:3306",
    "[::1]:9000",
  ]);
  // --http alone, with no [server.http]: the address only.
  assertEquals(derivePermissions(base, { http: { hostname: "127.0.0.1", port: 8080 } }).net, [
    "db:3306",
    "127.0.0.1:8080",
  ]);
});

function token(env: string) {
  return { name: env, env, token: new Secret(""), scope: {} };
}
