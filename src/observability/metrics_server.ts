import type { Datasources } from "../datasources/datasources.ts";
import type { Logger } from "../log/logger.ts";
import type { SecretScrubber } from "../log/secret_scrubber.ts";
import type { Metrics } from "./metrics.ts";

/**
 * Answers `/healthz` (200 when every source is available, 503 otherwise) and `/metrics`;
 * undefined for any other path. Every body passes the secret scrubber (a datasource key or
 * pool name could hold one). Shared by the `--metrics-port` listener and the HTTP transport.
 */
export function observabilityResponse(
  path: string,
  metrics: Metrics,
  datasources: Datasources,
  scrubber: Pick<SecretScrubber, "scrub">,
): Response | undefined {
  const respond = (body: string, contentType: string, status = 200) =>
    new Response(scrubber.scrub(body), { status, headers: { "content-type": contentType } });
  if (path === "/metrics") {
    return respond(metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
  }
  if (path === "/healthz") {
    const sources = datasources.list().map(({ key, status }) => ({ key, status }));
    const healthy = sources.every((s) => s.status === "available");
    return respond(
      JSON.stringify({ status: healthy ? "ok" : "degraded", datasources: sources }),
      "application/json",
      healthy ? 200 : 503,
    );
  }
  return undefined;
}

/**
 * `--metrics-port N`: an HTTP listener on 127.0.0.1 only, with /healthz and /metrics
 * (see observabilityResponse).
 */
export function serveMetrics(
  port: number,
  metrics: Metrics,
  datasources: Datasources,
  log: Logger,
  scrubber: Pick<SecretScrubber, "scrub">,
): { close(): Promise<void> } {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen: () => log.info("metrics listening", { port }) },
    (request) =>
      observabilityResponse(new URL(request.url).pathname, metrics, datasources, scrubber) ??
        new Response("not found\n", {
          status: 404,
          headers: { "content-type": "text/plain; charset=utf-8" },
        }),
  );
  return { close: () => server.shutdown() };
}
