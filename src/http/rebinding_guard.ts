import { formatListenAddress, isLoopback, type ListenAddress } from "../config/listen_address.ts";

export interface RebindingGuardOptions {
  readonly listen: ListenAddress;
  /** Further Host header values (`name` matches any port, `name:port` that port). */
  readonly allowedHosts: readonly string[];
  /** Further browser origins, e.g. `https://app.example.com`. */
  readonly allowedOrigins: readonly string[];
}

/** Addresses that mean "every interface": any Host header may name the server then. */
const WILDCARDS = new Set(["0.0.0.0", "::"]);

/**
 * The defence against DNS rebinding: a web page whose name an attacker points at this
 * machine sends its own name as `Host` and its own `Origin`. A request is refused unless its
 * Host names the server (a loopback name on a loopback or wildcard listener, the listen
 * address, or `allowed_hosts`) and its Origin, when a browser sends one, is the server's own
 * or in `allowed_origins`. Returns why a request is refused, or undefined.
 */
export function rebindingGuard(
  options: RebindingGuardOptions,
): (request: Request) => string | undefined {
  const { hostname, port } = options.listen;
  const hosts = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  if (isLoopback(hostname) || WILDCARDS.has(hostname)) {
    for (const name of ["localhost", "127.0.0.1", "[::1]"]) hosts.add(`${name}:${port}`);
  }
  if (!WILDCARDS.has(hostname)) hosts.add(formatListenAddress(options.listen).toLowerCase());
  // On every interface with no names configured, the server cannot know its names: any Host
  // is taken (such a listener always requires a token); Origin must still match it.
  const anyHost = WILDCARDS.has(hostname) && options.allowedHosts.length === 0;
  const origins = new Set(options.allowedOrigins.map((o) => o.toLowerCase().replace(/\/$/, "")));

  const hostAccepted = (host: string) =>
    anyHost || hosts.has(host) || hosts.has(host.replace(/:\d+$/, ""));
  return (request) => {
    const host = (request.headers.get("host") ?? "").toLowerCase();
    if (!hostAccepted(host)) return "Host header does not name this server";
    const origin = request.headers.get("origin");
    if (origin === null) return undefined;
    if (origins.has(origin.toLowerCase())) return undefined;
    let originHost: string;
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      return "Origin is not a valid origin";
    }
    // Same origin: the page was served by this server under a name it answers to.
    if (originHost === host && hostAccepted(originHost)) return undefined;
    if (!anyHost && hosts.has(originHost)) return undefined;
    return "Origin is not allowed";
  };
}
