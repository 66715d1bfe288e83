/**
 * audit_log: a hook-only plugin that writes one structured stderr line per
 * statement and per failure (who, where, what verb; never parameter values).
 */
import { definePlugin } from "mysql-mcp/plugin";

const encoder = new TextEncoder();
function audit(record: Record<string, unknown>) {
  Deno.stderr.writeSync(encoder.encode(JSON.stringify({ audit: true, ...record }) + "\n"));
}

export default definePlugin({
  name: "audit_log",
  hooks: {
    beforeQuery(info) {
      audit({
        event: "statement",
        time: new Date().toISOString(),
        request_id: info.requestId,
        tool: info.tool,
        datasource: info.datasource,
        database: info.database,
        kind: info.kind,
        verb: info.verb,
        params: info.paramCount,
      });
    },
    onError(info, error) {
      audit({
        event: "error",
        time: new Date().toISOString(),
        request_id: info.requestId,
        tool: info.tool,
        datasource: info.datasource,
        error_code: error.code,
      });
    },
  },
});
