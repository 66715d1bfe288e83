import { ToolError } from "../errors/tool_error.ts";
import type { HostKeyVerdict } from "./known_hosts.ts";

/**
 * The CONNECTION_FAILED errors of a tunnelled connect, one per hop that can fail:
 * each says which hop and what to change, with `details.hop` for programs and
 * `details.transient` for SourceHealth (retrying helps an outage, not a refusal).
 * None carries a path, key material or the passphrase; a host key is shown only
 * by its SHA256 fingerprint.
 */

const CONTEXT = "Cannot connect";

/** The socket or handshake to the bastion failed: it is down, unreachable or not SSH. */
export function bastionUnreachable(error: unknown): ToolError {
  const e = (typeof error === "object" && error !== null ? error : {}) as {
    code?: unknown;
    level?: unknown;
  };
  const code = typeof e.code === "string" && /^[A-Z0-9_]{1,32}$/.test(e.code) ? e.code : undefined;
  const reason = e.level === "client-timeout"
    ? "no SSH handshake within connect_timeout"
    : e.level === "client-dns"
    ? "host not found"
    : code
    ? (NETWORK_REASONS[code] ?? "connection failed")
    : "the SSH handshake failed";
  return new ToolError(
    "CONNECTION_FAILED",
    `${CONTEXT}: SSH bastion unreachable: ${reason}${code ? ` (${code})` : ""}`,
    { hop: "bastion", transient: true, ...(code ? { code } : {}) },
  );
}

/** The bastion answered but refused the configured user and private key. */
export function bastionAuthRefused(): ToolError {
  return new ToolError(
    "CONNECTION_FAILED",
    `${CONTEXT}: SSH bastion authentication refused: the bastion does not accept the configured ssh user with its private_key`,
    { hop: "bastion_auth", transient: false },
  );
}

/** The bastion showed a host key known_hosts does not list for it. */
export function hostKeyRefused(
  why: Exclude<HostKeyVerdict, { accepted: true }>["why"],
  fingerprint: string,
): ToolError {
  const what = {
    unknown:
      "is not in known_hosts; if it is the bastion's (compare with `ssh-keygen -lf` on the bastion's key), add it",
    changed:
      "does not match the key known_hosts lists for the bastion: the key changed, or this is not the bastion",
    revoked: "is marked @revoked in known_hosts",
  }[why];
  return new ToolError(
    "CONNECTION_FAILED",
    `${CONTEXT}: SSH host key refused: the bastion's host key ${fingerprint} ${what}`,
    { hop: "bastion_host_key", transient: false, fingerprint },
  );
}

/** The keys could not be loaded at startup (the reason names the field, never the path). */
export function keysUnavailable(problem: string): ToolError {
  return new ToolError(
    "CONNECTION_FAILED",
    `${CONTEXT}: SSH keys unavailable: ${problem}; fix it and restart the server`,
    { hop: "bastion_auth", transient: false },
  );
}

// RFC 4254 section 5.1 reason codes of a refused channel.
const ADMINISTRATIVELY_PROHIBITED = 1;

/** The bastion could not open the forwarded connection to the database. */
export function databaseUnreachableFromBastion(error: { reason?: number } | undefined): ToolError {
  if (error?.reason === ADMINISTRATIVELY_PROHIBITED) {
    return new ToolError(
      "CONNECTION_FAILED",
      `${CONTEXT}: the SSH bastion refused to forward to the database: allow TCP forwarding for this user on the bastion (AllowTcpForwarding)`,
      { hop: "database_via_bastion", transient: false },
    );
  }
  return new ToolError(
    "CONNECTION_FAILED",
    `${CONTEXT}: database unreachable from the SSH bastion: the bastion could not connect to the configured host and port`,
    { hop: "database_via_bastion", transient: true },
  );
}

/** The forward did not open within connect_timeout. */
export function forwardTimedOut(): ToolError {
  return new ToolError(
    "CONNECTION_FAILED",
    `${CONTEXT}: database unreachable from the SSH bastion: no answer within connect_timeout`,
    { hop: "database_via_bastion", transient: true, code: "ETIMEDOUT" },
  );
}

/** Code carried by the errors of connections whose tunnel dropped (see errors/sanitize.ts). */
export const TUNNEL_LOST = "SSH_TUNNEL_LOST";

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
  EPIPE: "connection lost",
};
