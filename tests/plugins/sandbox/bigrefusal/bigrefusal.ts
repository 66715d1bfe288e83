import { definePlugin } from "mysql-mcp/plugin";

// A hook-only plugin: the refusal text of any agent's statement is unbounded.
const BIG = "r".repeat(11 * 2 ** 20);
export default definePlugin({
  name: "bigrefusal",
  hooks: { beforeQuery: (info) => (info.sql.includes("refuse_me") ? BIG : undefined) },
});
