import type { Datasources } from "../datasources/datasources.ts";
import type { Logger } from "../log/logger.ts";
import type { SecretScrubber } from "../log/secret_scrubber.ts";
import type { Metrics } from "./metrics.ts";

/**
 * `--metrics-port N`: an HTTP listener on 127.0.0.1 only, with /healthz
 * (200 when every source is available, 503 otherwise) and /metrics. Every
 * body passes the secret scrubber (a datasource key or pool name could hold one).
 */
export function serveMetrics(
  port: number,
  metrics: Metrics,
  datasources: Datasources,
  log: Logger,
  scrubber: Pick<SecretScrubber, "scrub">,
): { close(): Promise<void> } {
  const respond = (body: string, contentType: string, status = 200) =>
    new Response(scrubber.scrub(body), { status, headers: { "content-type": contentType } });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen: () => log.info("metrics listening", { port }) },
    (request) => {
      const path = new URL(request.url).pathname;
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
      return respond("not found\n", "text/plain; charset=utf-8", 404);
    },
  );
  return { close: () => server.shutdown() };
}
