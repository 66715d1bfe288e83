import type { z } from "zod";
import { MISSING } from "./fields.ts";
import { isTable, tomlName } from "./section.ts";

/**
 * Turns zod's issues for one TOML table into the config's own sentences (one each), named
 * with TOML keys: "port must be 1-65535, got 70000", "pool min_connections must
 * be between 0 and max_connections (4)", "parameter "a" default is not of type
 * integer", "missing required field host". `raw` is the table as written.
 */
export function describeIssues(error: z.ZodError, raw: unknown): string[] {
  return error.issues.map((issue) => describeIssue(issue, raw));
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const parts: string[] = [];
  let node = raw;
  for (const segment of issue.path) {
    if (typeof segment === "number") {
      // An entry of a list of tables: "parameter "limit"", or "parameter #2" when unnamed.
      node = Array.isArray(node) ? node[segment] : undefined;
      const list = parts.pop() ?? "entry";
      const name = isTable(node) && typeof node.name === "string"
        ? JSON.stringify(node.name)
        : `#${segment + 1}`;
      parts.push(`${list.replace(/s$/, "")} ${name}`);
    } else {
      const key = tomlName(String(segment));
      node = isTable(node) ? node[key] : undefined;
      parts.push(key);
    }
  }
  const params = (issue as { params?: { sentence?: boolean } }).params;
  if (params?.sentence) {
    return parts.length ? `${parts.join(" ")}: ${issue.message}` : issue.message;
  }
  if (issue.message === MISSING) {
    const field = parts.pop();
    const sentence = `missing required field ${field}`;
    return parts.length ? `${parts.join(" ")}: ${sentence}` : sentence;
  }
  return [...parts, issue.message].join(" ");
}
