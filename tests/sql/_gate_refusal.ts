/**
 * What the whole gate says about SQL text: the parser's refusal, else the policy's for the tool
 * its category calls for (no allow-list), else undefined for an admitted statement.
 */
import { decide, type PolicySource } from "../../src/gate/policy.ts";
import { ToolError } from "../../src/errors/tool_error.ts";
import { classifySql } from "../../src/sql/classify.ts";

export const OPEN_SOURCE: PolicySource = {
  key: "test",
  databases: [],
  readOnly: false,
  allowStoredFunctions: false,
};

export function gateRefusal(
  sql: string,
  source: PolicySource = OPEN_SOURCE,
  database = "app",
): string | undefined {
  const analysis = classifySql(sql);
  if (analysis.refusal !== undefined) return analysis.refusal;
  try {
    decide(analysis, source, database, analysis.category === "write" ? "execute" : "query");
    return undefined;
  } catch (error) {
    if (error instanceof ToolError) return error.message;
    throw error;
  }
}
