import {
  type Config,
  POOL_DEFAULTS,
  SERVER_DEFAULTS,
  type TlsConfig,
} from "../../src/config/config.ts";
import { Secret } from "../../src/config/secret.ts";

export interface SourceSketch {
  host: string;
  port: number;
  passwordEnv?: string;
  tls?: TlsConfig;
}

/** A valid Config built from plain values, for the pure permission tests. */
export function configWith(
  sources: SourceSketch[],
  options: { path?: string; pluginsDir?: string } = {},
): Config {
  return {
    path: options.path ?? "/etc/mcp/datasources.toml",
    server: {
      ...SERVER_DEFAULTS,
      ...(options.pluginsDir ? { pluginsDir: options.pluginsDir } : {}),
    },
    datasources: sources.map((source, index) => ({
      key: `source${index}`,
      name: `Source ${index}`,
      host: source.host,
      port: source.port,
      username: "reader",
      password: new Secret("secret"),
      ...(source.passwordEnv ? { passwordEnv: source.passwordEnv } : {}),
      databases: [],
      readOnly: true,
      maxRows: 100,
      allowStoredFunctions: false,
      maxResultBytes: SERVER_DEFAULTS.maxResultBytes,
      pool: POOL_DEFAULTS,
      tls: source.tls ?? { mode: "preferred" },
    })),
    tools: [],
  };
}
