import type { Config, DatasourceConfig } from "../config/config.ts";
import {
  Datasources,
  isLoopback,
  type ProbeResult,
  transportOf,
} from "../datasources/datasources.ts";
import { toToolError } from "../errors/sanitize.ts";
import { Logger } from "../log/logger.ts";
import type { SecretScrubber } from "../log/secret_scrubber.ts";
import type { SshKeyring } from "../tunnel/load_ssh_keys.ts";

/**
 * `mysql-mcp check`: tries every datasource once and prints a table of key,
 * name, status, connect latency, and how it connected: transport (tcp, tls
 * with its version and cipher, or socket), server flavour and version, and
 * the authentication plugin used; exit 1 if any is unavailable.
 */
export async function runCheck(
  config: Config,
  log: Logger,
  scrubber: Pick<SecretScrubber, "scrub" | "addRotating">,
  sshKeys?: SshKeyring,
): Promise<number> {
  // Failures are in the table; connection retries would only repeat them on stderr.
  const quiet = new Logger({
    level: log.level === "debug" ? "debug" : "error",
    sinks: [],
    scrubber,
  });
  const datasources = new Datasources(config.datasources, config.server, quiet, {
    retryDelaysMs: [],
    onSecret: (key, value) => scrubber.addRotating(`datasource:${key}`, value),
    sshKeys,
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
      describeTransport(result, source),
      result.serverVersion ? `${result.flavor} ${result.serverVersion}` : "-",
      result.authPlugin ?? "-",
    ];
  }));
  await datasources.close(0);
  const header = ["KEY", "NAME", "STATUS", "LATENCY", "TRANSPORT", "SERVER", "AUTH"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  console.log(scrubber.scrub([line(header), ...rows.map(line)].join("\n")));
  return rows.every((r) => r[header.indexOf("STATUS")] === "available") ? 0 : 1;
}

/**
 * "tls (TLSv1.3, TLS_AES_256_GCM_SHA384)" (or "ssh+tls (...)" through a bastion), "tcp",
 * "socket", "ssh", or "tcp (unencrypted over the network)" for a source on another machine
 * without TLS.
 */
function describeTransport(result: ProbeResult, source: DatasourceConfig): string {
  const transport = result.transport ?? transportOf(source);
  if (result.tls) return `${transport} (${result.tls.version}, ${result.tls.cipher})`;
  const remote = source.host !== undefined && !isLoopback(source.host);
  if (result.ok && remote && (transport === "tcp" || transport === "ssh")) {
    return `${transport} (unencrypted over the network)`;
  }
  return transport;
}
