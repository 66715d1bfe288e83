import { definePlugin } from "mysql-mcp/plugin";

/** A hook that blocks its worker's event loop for one marked statement. */
export default definePlugin({
  name: "hostile_hook",
  hooks: {
    beforeQuery(info) {
      if (info.sql.includes("hang_in_hook")) { while (true) { /* never answers */ } }
    },
  },
});
