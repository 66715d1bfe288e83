import type { Config } from "../config/config.ts";
import { Datasources, isLoopback, type Transport } from "../datasources/datasources.ts";
import { toToolError } from "../errors/sanitize.ts";
import { Logger } from "../log/logger.ts";
import type { SecretScrubber } from "../log/secret_scrubber.ts";

/**
 * `mysql-mcp check`: tries every datasource once and prints a table of key,
 * name, status, connect latency and transport; exit 1 if any is unavailable.
 */
export async function runCheck(
  config: Config,
  log: Logger,
  scrubber: Pick<SecretScrubber, "scrub">,
): Promise<number> {
  // Failures are in the table; connection retries would only repeat them on stderr.
  const quiet = new Logger({
    level: log.level === "debug" ? "debug" : "error",
    sinks: [],
    scrubber,
  });
  const datasources = new Datasources(config.datasources, config.server, quiet, {
    retryDelaysMs: [],
  });
  const rows = await Promise.all(config.datasources.map(async (source) => {
    const result = await datasources.probe(source.key);
    const status = result.ok
      ? "available"
      : `unavailable (${toToolError(result.error, datasources.secrets()).message})`;
    return [
      source.key,
      source.name,
      status,
      result.ok ? `${result.latencyMs.toFixed(1)} ms` : "-",
      describeTransport(result.transport, source.host),
    ];
  }));
  await datasources.close(0);
  const header = ["KEY", "NAME", "STATUS", "LATENCY", "TRANSPORT"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  console.log(scrubber.scrub([line(header), ...rows.map(line)].join("\n")));
  return rows.every((r) => r[2] === "available") ? 0 : 1;
}

/** "tls (TLSv1.3, TLS_AES_256_GCM_SHA384)", "tcp", or "tcp (unencrypted over the network)". */
function describeTransport(transport: Transport | undefined, host: string): string {
  if (!transport) return "-";
  if (transport.encrypted) return `tls (${transport.version}, ${transport.cipher})`;
  return isLoopback(host) ? "tcp" : "tcp (unencrypted over the network)";
}
