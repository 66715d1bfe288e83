import { z } from "zod";

/**
 * A tool schema as tools/list shows it. Computed where the zod schema lives:
 * the MCP layer for built-ins and `[[tools]]`, a plugin's own worker for its tools.
 */
export function toolJsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  delete json.$schema;
  // tools/list goes into every agent's context: output schemas describe shape and
  // types; "no other fields" adds bytes, not meaning, there.
  if (io === "output") slimOutputSchema(json, true);
  return json;
}

/** Keeps types and the top-level required fields; drops what only restates them. */
function slimOutputSchema(node: unknown, top: boolean): void {
  if (Array.isArray(node)) return node.forEach((child) => slimOutputSchema(child, false));
  if (typeof node !== "object" || node === null) return;
  const record = node as Record<string, unknown>;
  delete record.additionalProperties;
  if (!top) delete record.required;
  for (const child of Object.values(record)) slimOutputSchema(child, false);
}

/** An argument validation failure as the agent reads it (at most five issues). */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.length ? issue.path.join(".") : "arguments";
    if (issue.code === "unrecognized_keys") {
      return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    }
    return `${path}: ${issue.message}`;
  });
  return `Invalid arguments: ${parts.join("; ")}`;
}
