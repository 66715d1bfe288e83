import type { PoolEvent } from "../pool/types.ts";

type Labels = Record<string, string>;

const DURATION_BUCKETS = [
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
];

class Histogram {
  readonly counts = new Array<number>(DURATION_BUCKETS.length).fill(0);
  sum = 0;
  count = 0;

  observe(seconds: number) {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < DURATION_BUCKETS.length; i++) {
      if (seconds <= DURATION_BUCKETS[i]) {
        this.counts[i]++;
        break;
      }
    }
  }
}

/** A gauge read at scrape time, so it is never stale. */
export interface GaugeSource {
  name: string;
  help: string;
  read(): { labels: Labels; value: number }[];
}

/**
 * In-process metrics in Prometheus text format: tool-call durations per tool
 * and datasource, errors by code, streamed rows, pool acquire times, and
 * gauges (pools, streams) read when scraped.
 */
export class Metrics {
  /** Per (tool, datasource): found by a plain key, so a call allocates nothing. */
  readonly #calls = new Map<
    string,
    { labels: Labels; histogram: Histogram; ok: number; error: number; rows: number }
  >();
  readonly #acquire = new Map<string, { labels: Labels; histogram: Histogram }>();
  readonly #counters = new Map<string, { name: string; labels: Labels; value: number }>();
  /** Tool calls per client and outcome (`mysql_mcp_client_tool_calls_total`). */
  readonly #clientCalls = new Map<string, { name: string; labels: Labels; value: number }>();
  readonly #gauges: GaugeSource[] = [];

  /** Records one finished tool call. */
  observeCall(call: {
    /** Who called: a token's name, "anonymous" or "stdio"; never a credential. */
    client?: string;
    tool: string;
    datasource?: string;
    durationMs: number;
    errorCode?: string;
    rows?: number;
  }) {
    const datasource = call.datasource ?? "";
    const key = `${call.tool}\u0000${datasource}`;
    let entry = this.#calls.get(key);
    if (!entry) {
      entry = {
        labels: { tool: call.tool, datasource },
        histogram: new Histogram(),
        ok: 0,
        error: 0,
        rows: 0,
      };
      this.#calls.set(key, entry);
    }
    entry.histogram.observe(call.durationMs / 1000);
    if (call.errorCode) {
      entry.error++;
      this.#count("mysql_mcp_errors_total", { code: call.errorCode });
    } else entry.ok++;
    if (call.rows) entry.rows += call.rows;
    if (call.client !== undefined) {
      // Keyed without building label text: this runs on every call.
      const outcome = call.errorCode ? "error" : "ok";
      const key = `${call.client}\u0000${outcome}`;
      const counter = this.#clientCalls.get(key);
      if (counter) counter.value++;
      else {
        this.#clientCalls.set(key, {
          name: "mysql_mcp_client_tool_calls_total",
          labels: { client: call.client, outcome },
          value: 1,
        });
      }
    }
  }

  observePoolEvent(event: PoolEvent) {
    if (event.type === "acquired") {
      let entry = this.#acquire.get(event.pool);
      if (!entry) {
        entry = { labels: { pool: event.pool }, histogram: new Histogram() };
        this.#acquire.set(event.pool, entry);
      }
      entry.histogram.observe(event.waitMs / 1000);
    } else if (event.type === "created" || event.type === "closed") {
      this.#count(`mysql_mcp_pool_connections_${event.type}_total`, { pool: event.pool });
    } else if (event.type === "leak_suspected") {
      this.#count("mysql_mcp_pool_leaks_suspected_total", { pool: event.pool });
    }
  }

  /**
   * One answered HTTP request: `client` is a token's name, "anonymous" (no tokens configured)
   * or "unauthenticated"; never a credential.
   */
  observeHttpRequest(client: string, status: number) {
    this.#count("mysql_mcp_http_requests_total", { client, status: String(status) });
  }

  addGauge(source: GaugeSource) {
    this.#gauges.push(source);
  }

  /** The Prometheus text exposition. */
  render(): string {
    const out: string[] = [];
    renderHistograms(
      out,
      "mysql_mcp_tool_call_duration_seconds",
      "Tool call duration",
      this.#calls,
    );
    const calls = [...this.#calls.values()];
    if (calls.length > 0) {
      out.push(
        "# HELP mysql_mcp_tool_calls_total tool calls by outcome",
        "# TYPE mysql_mcp_tool_calls_total counter",
      );
      for (const c of calls) {
        for (const outcome of ["ok", "error"] as const) {
          if (c[outcome] > 0) {
            out.push(
              `mysql_mcp_tool_calls_total${labelText({ ...c.labels, outcome })} ${c[outcome]}`,
            );
          }
        }
      }
      out.push(
        "# HELP mysql_mcp_rows_returned_total rows returned to agents",
        "# TYPE mysql_mcp_rows_returned_total counter",
      );
      for (const c of calls) {
        out.push(`mysql_mcp_rows_returned_total${labelText(c.labels)} ${c.rows}`);
      }
    }
    renderHistograms(
      out,
      "mysql_mcp_pool_acquire_seconds",
      "Time waited for a pooled connection",
      this.#acquire,
    );
    const byName = new Map<string, { labels: Labels; value: number }[]>();
    for (const c of [...this.#counters.values(), ...this.#clientCalls.values()]) {
      const list = byName.get(c.name) ?? [];
      list.push(c);
      byName.set(c.name, list);
    }
    for (const [name, list] of byName) {
      out.push(`# HELP ${name} ${name.replace(/^mysql_mcp_|_total$/g, "").replaceAll("_", " ")}`);
      out.push(`# TYPE ${name} counter`);
      for (const c of list) out.push(`${name}${labelText(c.labels)} ${c.value}`);
    }
    for (const gauge of this.#gauges) {
      out.push(`# HELP ${gauge.name} ${gauge.help}`, `# TYPE ${gauge.name} gauge`);
      for (const { labels, value } of gauge.read()) {
        out.push(`${gauge.name}${labelText(labels)} ${value}`);
      }
    }
    return out.join("\n") + "\n";
  }

  #count(name: string, labels: Labels, by = 1) {
    const key = name + labelText(labels);
    const counter = this.#counters.get(key);
    if (counter) counter.value += by;
    else this.#counters.set(key, { name, labels, value: by });
  }
}

function renderHistograms(
  out: string[],
  name: string,
  help: string,
  map: Map<string, { labels: Labels; histogram: Histogram }>,
) {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
  for (const { labels, histogram } of map.values()) {
    let cumulative = 0;
    DURATION_BUCKETS.forEach((le, i) => {
      cumulative += histogram.counts[i];
      out.push(`${name}_bucket${labelText({ ...labels, le: String(le) })} ${cumulative}`);
    });
    out.push(`${name}_bucket${labelText({ ...labels, le: "+Inf" })} ${histogram.count}`);
    out.push(`${name}_sum${labelText(labels)} ${histogram.sum}`);
    out.push(`${name}_count${labelText(labels)} ${histogram.count}`);
  }
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) =>
    `${k}="${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`
  );
  return parts.length ? `{${parts.join(",")}}` : "";
}
