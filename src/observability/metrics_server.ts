import type { Datasources } from "../datasources/datasources.ts";
import type { Logger } from "../log/logger.ts";
import type { Metrics } from "./metrics.ts";

/**
 * `--metrics-port N`: an HTTP listener on 127.0.0.1 only, with /healthz
 * (200 when every source is available, 503 otherwise) and /metrics.
 */
export function serveMetrics(
  port: number,
  metrics: Metrics,
  datasources: Datasources,
  log: Logger,
): { close(): Promise<void> } {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen: () => log.info("metrics listening", { port }) },
    (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/metrics") {
        return new Response(metrics.render(), {
          headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
        });
      }
      if (path === "/healthz") {
        const sources = datasources.list().map(({ key, status }) => ({ key, status }));
        const healthy = sources.every((s) => s.status === "available");
        return Response.json({ status: healthy ? "ok" : "degraded", datasources: sources }, {
          status: healthy ? 200 : 503,
        });
      }
      return new Response("not found\n", { status: 404 });
    },
  );
  return { close: () => server.shutdown() };
}
