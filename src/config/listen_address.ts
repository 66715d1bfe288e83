/** Where the HTTP transport listens. */
export interface ListenAddress {
  /** As Deno.serve takes it: `127.0.0.1`, `0.0.0.0`, `::1` (no brackets), a name. */
  readonly hostname: string;
  readonly port: number;
}

/** Without a host, HTTP binds the loopback address only. */
export const DEFAULT_HTTP_HOST = "127.0.0.1";

/**
 * Parses `[host:]port`: `8080`, `127.0.0.1:8080`, `0.0.0.0:8080`, `[::1]:8080`. Throws a
 * TypeError with the accepted forms for anything else.
 */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw new TypeError(
      `Cannot parse listen address "${text}": expected [host:]port, e.g. 8080, 127.0.0.1:8080 or [::1]:8080`,
    );
  }
  const host = match[1] ?? DEFAULT_HTTP_HOST;
  return { hostname: host.replace(/^\[(.*)\]$/, "$1"), port };
}

/** True for an address only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** `host:port` as a URL authority and Deno's --allow-net spell it (IPv6 in brackets). */
export function formatListenAddress({ hostname, port }: ListenAddress): string {
  return `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}
