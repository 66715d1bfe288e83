import { z } from "zod";
import { scopeAllowsDatasource } from "../../gate/caller_scope.ts";
import { defineTool } from "../tool.ts";
import { datasourceKey } from "./schemas.ts";
import type { BuiltinServices } from "./services.ts";

export function connectionStats({ datasources, streams }: BuiltinServices) {
  return defineTool({
    name: "mysql_get_connection_stats",
    description: "Connection pool statistics per (datasource, database).",
    input: z.object({ datasource_key: datasourceKey.optional() }).strict(),
    output: z.object({
      pools: z.array(
        z.object({
          datasource_key: z.string(),
          database: z.string().nullable(),
          active_connections: z.number(),
          idle_connections: z.number(),
          total_connections: z.number(),
          queued_requests: z.number(),
          open_streams: z.number(),
        }).passthrough(),
      ),
    }),
    annotations: { readOnlyHint: true },
    handler: ({ datasource_key }, ctx) => {
      // A scoped caller sees only the pools of the datasources it may use.
      const inScope = (key: string) => scopeAllowsDatasource(ctx.caller?.scope ?? {}, key);
      const pools = datasources.stats(datasource_key).filter((s) => inScope(s.datasource_key)).map((
        s,
      ) => ({
        datasource_key: s.datasource_key,
        database: s.database,
        active_connections: s.active,
        idle_connections: s.idle,
        total_connections: s.total,
        queued_requests: s.waiting,
        open_streams: streams.openCount(s.datasource_key, s.database ?? ""),
        healthy: s.healthy,
        acquisitions: s.acquisitions,
        acquire_time_ms: s.acquireTimeMs,
        connections: s.connections.map((c) => ({
          age_ms: Math.round(c.ageMs),
          uses: c.uses,
          state: c.state,
        })),
      }));
      // A source that has not connected yet has no pool: list it with zero counts, so every
      // configured source appears (seed property 28) instead of an empty answer.
      const keys = (datasource_key === undefined ? datasources.keys() : [datasource_key]).filter(
        inScope,
      );
      const idle = keys.filter((key) => !pools.some((p) => p.datasource_key === key));
      return {
        pools: [
          ...pools,
          ...idle.map((key) => ({
            datasource_key: key,
            database: null,
            active_connections: 0,
            idle_connections: 0,
            total_connections: 0,
            queued_requests: 0,
            open_streams: 0,
          })),
        ],
      };
    },
  });
}
