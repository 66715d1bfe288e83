import { duration, size, text, wholeNumber } from "./fields.ts";
import { httpSchema } from "./schema_http.ts";
import { section, type Warn } from "./section.ts";

/** Rows per stream chunk never exceed this, whatever the config says. */
export const STREAM_CHUNK_CAP = 1000;

export interface ServerSchemaContext {
  /** The config file's path: a relative plugins_dir is read beside it. */
  path: string;
  warn: Warn;
  /** Reads a token's variable ([server.http]); none are read when absent. */
  env?: (name: string) => string | undefined;
  /** "names": read no token (see HttpSchemaContext.secrets). */
  secrets?: "read" | "names";
}

/** `[server]`: settings shared by every data source. */
export function serverSchema({ path, warn, env, secrets }: ServerSchemaContext) {
  return section({
    queryTimeoutMs: duration.prefault("30s"),
    streamChunkSize: wholeNumber(1).default(1000).transform((rows) => {
      if (rows <= STREAM_CHUNK_CAP) return rows;
      // The cap is a hard limit, but no reason to refuse to start: serve at the cap.
      warn(`stream_chunk_size ${rows} is over the hard cap; using ${STREAM_CHUNK_CAP}`);
      return STREAM_CHUNK_CAP;
    }),
    maxConcurrentStreams: wholeNumber(1).default(100),
    /** An abandoned stream is closed and its connection released after this long. */
    streamIdleTimeoutMs: duration.prefault("60s"),
    /** Default bound on a result's size in bytes; a data source may override it. */
    maxResultBytes: size.prefault("16MB"),
    /** Absolute path of the plugins folder; absent when none is configured. */
    pluginsDir: text.transform((dir) => dir ? resolveBeside(path, dir) : undefined).optional(),
    /** Streamable HTTP; absent: stdio only (unless `--http`). */
    http: httpSchema({ warn, env: env ?? (() => undefined), secrets }).optional(),
  }, { warn }).readonly();
}

/** `path` as written when absolute, else beside the config file. */
export function resolveBeside(configPath: string, path: string): string {
  if (path.startsWith("/")) return path;
  const dir = configPath.includes("/") ? configPath.slice(0, configPath.lastIndexOf("/")) : ".";
  return `${dir}/${path}`.replace(/\/\.\//g, "/");
}
