/**
 * The whole server on a real Streamable HTTP listener (127.0.0.1, a free port) started by
 * the test, and SDK clients connected to it over HTTP.
 */
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/index.d.ts"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/streamableHttp.d.ts"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type App, createApp } from "../../src/app.ts";
import { serveOverHttp } from "../../src/cli/serve_over_http.ts";
import { parseConfig } from "../../src/config/parse_config.ts";
import { Logger } from "../../src/log/logger.ts";
import { SecretScrubber } from "../../src/log/secret_scrubber.ts";
import { testConfigToml } from "../support/test_app.ts";
import { type TestDatabase, testDatabase } from "../support/test_database.ts";

/** One `[[server.http.tokens]]`: its value and the TOML lines of its scope. */
export interface TestToken {
  readonly value: string;
  readonly scope?: string;
}

export interface HttpAppOptions {
  /** By name; each is read from the variable `TOKEN_<NAME>`. */
  tokens?: Record<string, TestToken>;
  /** More `[server.http]` lines. */
  http?: string;
  /** Every log line, to check none carries a token. */
  logLines?: string[];
  /** `[server]` settings, e.g. { stream_chunk_size: "1" }. */
  server?: Record<string, string>;
}

export interface HttpApp {
  readonly app: App;
  readonly db: TestDatabase;
  /** The MCP endpoint. */
  readonly url: string;
  /** An SDK client connected over HTTP, with `token` as its bearer token. */
  client(token?: string): Promise<InstanceType<typeof Client>>;
  /** Stops the server as SIGTERM would; resolves to its exit code once it has stopped. */
  stop(): Promise<number>;
}

export async function startHttpApp(options: HttpAppOptions = {}): Promise<HttpApp> {
  const db = await testDatabase();
  const tokens = Object.entries(options.tokens ?? {});
  const http = [
    "[server.http]",
    options.http ?? "",
    ...tokens.flatMap(([name, token]) => [
      "[[server.http.tokens]]",
      `name = "${name}"`,
      `env = "TOKEN_${name.toUpperCase()}"`,
      token.scope ?? "",
    ]),
  ].join("\n");
  const { config } = parseConfig(testConfigToml(db, { extraToml: http, server: options.server }), {
    path: `${Deno.cwd()}/test-datasources.toml`,
    env: (name) => tokens.find(([n]) => `TOKEN_${n.toUpperCase()}` === name)?.[1].value,
  });
  const scrubber = new SecretScrubber();
  for (const token of config.server.http?.tokens ?? []) scrubber.add(token.token.reveal());
  const log = new Logger({
    level: options.logLines ? "info" : "error",
    scrubber,
    sinks: options.logLines
      ? [(record) => void options.logLines!.push(JSON.stringify(record))]
      : [],
  });
  const app = createApp(config, log, { retryDelaysMs: [50, 100], recoveryIntervalMs: 500 });
  const stop = Promise.withResolvers<string>();
  const listening = Promise.withResolvers<string>();
  const done = serveOverHttp(app, config, log, {
    listen: { hostname: "127.0.0.1", port: 0 },
    scrubber,
    stop: stop.promise,
    onListen: listening.resolve,
  });
  const url = await Promise.race([listening.promise, done.then((code) => `exit ${code}`)]);
  if (url.startsWith("exit")) throw new Error(`the HTTP server did not start: ${url}`);
  const clients: InstanceType<typeof Client>[] = [];
  return {
    app,
    db,
    url,
    async client(token?: string) {
      const client = new Client({ name: "http-test", version: "1.0.0" });
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      await client.connect(
        new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }),
      );
      clients.push(client);
      return client;
    },
    async stop() {
      stop.resolve("test");
      const code = await done;
      // Answers the server wrote before stopping may still be in a client's socket buffer.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      return code;
    },
  };
}

/** The structured result of a tool call, or its error's JSON ({error_code, message}). */
export function resultOf(result: any): any {
  if (result.isError) return { isError: true, ...JSON.parse(result.content[0].text) };
  return result.structuredContent;
}

/** Headers of a plain MCP POST over Streamable HTTP. */
export const JSON_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

/** The body of an `initialize` request from a client called `name`. */
export function initializeBody(name: string): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name, version: "1" } },
  });
}
