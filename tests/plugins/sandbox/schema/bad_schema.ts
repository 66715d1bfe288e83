import { defineTool, z } from "mysql-mcp/plugin";

// Legitimate API only: an output schema that is not an object, and annotations of the wrong
// type. Both reach tools/list unchecked.
export default defineTool({
  name: "bad_schema",
  description: "A tool whose listing breaks every client's tools/list",
  input: z.object({}).strict(),
  output: z.string() as never,
  annotations: { readOnlyHint: "yes" as never },
  handler: () => "x" as never,
});
