/**
 * What the demo shows, in order: discovery, reading, the guard rails,
 * writing, streaming, declarative tools and pool statistics.
 */
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/dist/esm/client/index.d.ts"
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { block, out, style } from "./ui.ts";
import type { Walk } from "./walk.ts";

type McpClient = InstanceType<typeof Client>;

const RO = { datasource_key: "shop-ro", database: "shop" };
const RW = { datasource_key: "shop-rw", database: "shop" };
/** The [[tools]] of examples/demo.datasources.toml. */
const DECLARATIVE = ["orders_by_status", "top_customers"];

/** A call showing off each example plugin of plugins/, made when that plugin loaded. */
const PLUGIN_CALLS: Record<string, Record<string, unknown>> = {
  explain_query: {
    ...RO,
    query: "SELECT id, total FROM orders WHERE status = 'pending' ORDER BY created_at DESC",
  },
  column_profile: { ...RO, table: "products" },
  table_sample: { ...RO, table: "customers", rows: 3 },
};

export async function tour(walk: Walk, client: McpClient): Promise<void> {
  let toolNames: string[] = [];
  await walk.step(
    "1. The tools an agent sees",
    "tools/list: the built-ins, the [[tools]] declared in the TOML config, and plugins/*.ts.",
    async () => {
      out(`  ${style.cyan("→")} ${style.bold(style.cyan("tools/list"))}`);
      const { tools } = await client.listTools() as {
        tools: { name: string; description?: string; annotations?: { readOnlyHint?: boolean } }[];
      };
      toolNames = tools.map((t) => t.name);
      const width = Math.max(...toolNames.map((name) => name.length));
      for (const tool of tools) {
        const origin = tool.name.startsWith("mysql_")
          ? "built-in"
          : DECLARATIVE.includes(tool.name)
          ? "config"
          : "plugin";
        const mode = tool.annotations?.readOnlyHint ? style.green("read ") : style.yellow("write");
        const line = (tool.description ?? "").split("\n")[0];
        out(
          `    ${style.bold(tool.name.padEnd(width))}  ${style.dim(origin.padEnd(8))}  ${mode}  ${
            line.length > 80 ? line.slice(0, 77) + "..." : line
          }`,
        );
      }
      const size = JSON.stringify(tools).length;
      out(
        style.dim(`    ${tools.length} tools, ${(size / 1024).toFixed(1)} KB of tool definitions`),
      );
    },
  );

  await walk.step(
    "2. Discovery",
    "The agent only ever sees datasource keys; host, user and password stay in the server.",
    async () => {
      await walk.call("mysql_list_datasources", {});
      await walk.call("mysql_list_databases", { datasource_key: "shop-ro" }, {
        why: "the allow-list shows `shop` only, though the server also has `analytics`",
      });
      await walk.call("mysql_list_tables", RO);
      await walk.call("mysql_describe_table", { ...RO, table: "orders" }, { lines: 24 });
      out(style.dim("  # the same structure as an MCP resource:"));
      await walk.read("mysql://shop-ro/shop/tables/orders", 12);
    },
  );

  await walk.step(
    "3. Reading",
    "mysql_query runs read statements in a read-only transaction; params bind as ? placeholders.",
    async () => {
      await walk.call("mysql_query", {
        ...RO,
        query: "SELECT p.category, COUNT(DISTINCT o.id) AS orders, SUM(i.quantity) AS units, " +
          "SUM(i.quantity * i.unit_price) AS revenue " +
          "FROM order_items i JOIN orders o ON o.id = i.order_id " +
          "JOIN products p ON p.id = i.product_id " +
          "WHERE o.status IN ('paid', 'shipped') GROUP BY p.category ORDER BY revenue DESC",
      }, { why: "revenue per category: a JOIN over three tables and a GROUP BY" });
      await walk.call("mysql_query", {
        ...RO,
        query: "SELECT id, name, price, JSON_VALUE(attributes, '$.colour') AS colour, attributes " +
          "FROM products WHERE category = ? AND price < ? ORDER BY price DESC LIMIT 5",
        params: ["Outdoor", 100],
      }, { why: "bound parameters, DECIMAL prices and a JSON column" });
    },
  );

  await walk.step(
    "4. Guard rails",
    "Each of these is refused by the server before or instead of reaching MySQL.",
    async () => {
      await walk.call("mysql_query", { ...RO, query: "UPDATE products SET price = 0" }, {
        expect: "STATEMENT_NOT_ALLOWED",
        why: "a write through the read tool",
      });
      await walk.call("mysql_query", {
        ...RO,
        query: "SELECT 1 AS first; DROP TABLE orders",
      }, { why: "two statements: only the first runs, and the result says so" });
      await walk.call("mysql_query", {
        ...RO,
        query: "SELECT * FROM customers INTO OUTFILE '/tmp/customers.csv'",
      }, { expect: "STATEMENT_NOT_ALLOWED", why: "file writes are refused too" });
      await walk.call("mysql_execute", { ...RW, statement: "DROP TABLE orders" }, {
        expect: "STATEMENT_NOT_ALLOWED",
        why: "DDL through mysql_execute, even on the read-write source",
      });
      await walk.call("mysql_execute", {
        ...RO,
        statement: "DELETE FROM orders WHERE status = 'cancelled'",
      }, { expect: "STATEMENT_NOT_ALLOWED", why: "any write on a read_only datasource" });
      await walk.call("mysql_query", {
        ...RO,
        query: "SELECT * FROM analytics.customer_ltv ORDER BY churn_risk DESC LIMIT 5",
      }, {
        // The refusal is the point; which of the two codes says it is the server's choice.
        expect: ["DATABASE_NOT_FOUND", "STATEMENT_NOT_ALLOWED"],
        why: "a database outside the datasource's allow-list, named inside the query",
      });
      await walk.call("mysql_query", {
        ...RO,
        query: "SELECT l.churn_risk FROM orders duplicate, analytics.customer_ltv l LIMIT 1",
      }, {
        expect: "STATEMENT_NOT_ALLOWED",
        why: "... also behind a keyword used as a table alias (the parser reads the whole grammar)",
      });
      await walk.call("mysql_query", { ...RO, query: "SELECT @@datadir" }, {
        expect: "STATEMENT_NOT_ALLOWED",
        why: "server variables whose values are paths or secrets are not readable",
      });
      await walk.call("mysql_list_tables", { datasource_key: "shop-ro", database: "analytics" }, {
        expect: "DATABASE_NOT_FOUND",
        why: "... and asked for directly",
      });
      await walk.call("mysql_list_databases", {
        datasource_key: "shop-ro",
        host: "10.0.0.5",
        password: "hunter2",
      }, { expect: "INVALID_ARGUMENT", why: "connection details as arguments are refused" });
      await walk.call("mysql_list_databases", { datasource_key: "prod-primary" }, {
        expect: "AUTHENTICATION_ERROR",
        why: "an unknown datasource key",
      });
    },
  );

  await walk.step(
    "5. Writing",
    "mysql_execute on the read-write datasource: one DML statement, bound params.",
    async () => {
      const inserted = await walk.call("mysql_execute", {
        ...RW,
        statement: "INSERT INTO customers (email, full_name, city, country) VALUES (?, ?, ?, ?)",
        params: ["ada.lovelace@example.uk", "Ada Lovelace", "London", "GB"],
      });
      const id = inserted?.last_insert_id;
      await walk.call("mysql_execute", {
        ...RW,
        statement: "UPDATE orders SET status = 'shipped', shipped_at = '2025-12-31 18:00:00' " +
          "WHERE status = 'paid' AND created_at < ?",
        params: ["2025-12-24 00:00:00"],
      }, { why: "ship every order paid before Christmas Eve" });
      if (id !== undefined && id !== null) {
        await walk.call("mysql_query", {
          ...RO,
          query: "SELECT id, full_name, city, created_at FROM customers WHERE id = ?",
          params: [id],
        }, { why: "the new row, read back through the read-only source" });
      }
    },
  );

  await walk.step(
    "6. Streaming",
    "stream: true returns the first chunk (stream_chunk_size = 250 here) and a stream_id.",
    async () => {
      const first = await walk.call("mysql_query", {
        ...RO,
        query: "SELECT id, order_id, product_id, quantity, unit_price FROM order_items ORDER BY id",
        stream: true,
      }, { lines: 6 });
      const streamId = first?.stream_id;
      if (typeof streamId !== "string") {
        out(style.yellow("    ! no stream_id came back; skipping mysql_stream_next"));
        return;
      }
      for (let i = 0; i < 2; i++) {
        await walk.call("mysql_stream_next", { stream_id: streamId }, { lines: 4 });
      }
      await walk.call("mysql_stream_cancel", { stream_id: streamId });
      await walk.call("mysql_stream_next", { stream_id: streamId }, {
        expect: ["STREAM_NOT_FOUND", "STREAM_CANCELLED"],
        why: "the cancelled stream is gone and its connection back in the pool",
      });
    },
  );

  await walk.step(
    "7. Declarative tools",
    "Defined in the TOML config as [[tools]]: named SQL with typed :parameters, no code.",
    async () => {
      await walk.call("orders_by_status", { status: "pending", limit: 5 });
      await walk.call("top_customers", {}, { why: "limit defaults to 5" });
      await walk.call("orders_by_status", { status: "lost" }, {
        expect: "INVALID_ARGUMENT",
        why: "a value outside the parameter's enum",
      });
    },
  );

  await walk.step(
    "8. Plugins",
    "Tools from plugins/*.ts: same registry, same SQL gate, no credentials or raw connections.",
    async () => {
      for (const [name, args] of Object.entries(PLUGIN_CALLS)) {
        if (toolNames.includes(name)) await walk.call(name, args, { lines: 12 });
        else walk.flag(`plugin tool ${name} is not loaded (the server's start-up log says why)`);
      }
    },
  );

  await walk.step(
    "9. Connection pools",
    "One pool per (datasource, database), created on first use.",
    async () => {
      const stats = await walk.call("mysql_get_connection_stats", {}, { lines: 0 });
      const pools = (stats?.pools ?? []) as Record<string, unknown>[];
      const rows = pools.map((p) =>
        `${String(p.datasource_key).padEnd(8)} ${String(p.database ?? "-").padEnd(6)} ` +
        `active ${p.active_connections}  idle ${p.idle_connections}  ` +
        `total ${p.total_connections}  queued ${p.queued_requests}  streams ${p.open_streams}`
      );
      if (rows.length) out(block(rows.join("\n")));
    },
  );
}
