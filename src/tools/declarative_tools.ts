import { z } from "zod";
import type { Config, DeclarativeToolConfig, ToolParameterConfig } from "../config/config.ts";
import { ToolError } from "../errors/tool_error.ts";
import { decide } from "../gate/policy.ts";
import { classifySql } from "../sql/classify.ts";
import { placeholderNames, toPositional } from "../sql/named_params.ts";
import { executeOutput, queryOutput } from "./builtins/schemas.ts";
import { rowRendering } from "./render_rows.ts";
import { defineTool, type ToolDefinition } from "./tool.ts";

/**
 * Builds a tool from a `[[tools]]` entry. Throws TypeError with a precise
 * message when the entry cannot work: placeholders and parameters that do
 * not match, or a statement of the wrong class.
 */
export function declarativeTool(tool: DeclarativeToolConfig, config: Config): ToolDefinition {
  // parseConfig has checked what needs only the config (the data source exists, the database
  // is on its allow-list, writes only where it is not read_only); the SQL is checked here.
  const source = config.datasources.find((s) => s.key === tool.datasource);
  if (!source) throw new TypeError(`datasource "${tool.datasource}" is not configured`);
  const used = placeholderNames(tool.statement);
  const declared = tool.parameters.map((p) => p.name);
  const undeclared = used.filter((name) => !declared.includes(name));
  if (undeclared.length > 0) {
    throw new TypeError(
      `placeholder(s) ${
        undeclared.map((n) => `:${n}`).join(", ")
      } in the statement have no [[tools.parameters]] entry`,
    );
  }
  const unused = declared.filter((name) => !used.includes(name));
  if (unused.length > 0) {
    throw new TypeError(
      `parameter(s) ${
        unused.map((n) => `"${n}"`).join(", ")
      } are declared but the statement has no :${unused[0]} placeholder`,
    );
  }
  const analysis = classifySql(tool.statement);
  if (analysis.refusal) throw new TypeError(`the statement is refused: ${analysis.refusal}`);
  if (analysis.ignoredStatements > 0) {
    throw new TypeError("the statement must be a single statement");
  }
  if (analysis.positionalParams > 0) {
    throw new TypeError("use named :placeholders, not ?, in a [[tools]] statement");
  }
  if (tool.writes && analysis.category !== "write") {
    throw new TypeError(
      `writes = true, but ${analysis.verb} is not INSERT, UPDATE, DELETE or REPLACE`,
    );
  }
  if (!tool.writes && analysis.category !== "read") {
    throw new TypeError(
      analysis.category === "write"
        ? `${analysis.verb} changes data: mark the tool with writes = true`
        : `${analysis.verb} is not allowed in a [[tools]] statement`,
    );
  }
  try {
    // The same policy every call meets: refused here, the tool would fail on every call.
    decide(analysis, source, tool.database, tool.writes ? "execute" : "query");
  } catch (error) {
    if (error instanceof ToolError) {
      throw new TypeError(`the statement is refused: ${error.message}`);
    }
    throw error;
  }

  const { sql, names } = toPositional(tool.statement);
  const shape: Record<string, z.ZodType> = {};
  for (const parameter of tool.parameters) shape[parameter.name] = parameterSchema(parameter);

  return defineTool({
    name: tool.name,
    description: tool.description,
    input: z.object(shape).strict(),
    output: tool.writes ? executeOutput : queryOutput,
    annotations: tool.writes
      ? { readOnlyHint: false, destructiveHint: true }
      : { readOnlyHint: true },
    handler: (args: Record<string, unknown>, ctx) => {
      // Bound as prepared-statement values in placeholder order; never spliced into SQL.
      const params = names.map((name) => args[name] ?? null);
      const request = { datasource: tool.datasource, database: tool.database, sql, params };
      return tool.writes ? ctx.execute(request) : ctx.query(request);
    },
    ...(tool.writes ? {} : rowRendering),
  }) as unknown as ToolDefinition;
}

function parameterSchema(parameter: ToolParameterConfig): z.ZodType {
  let schema: z.ZodType;
  if (parameter.enum) {
    const allowed = parameter.enum.map((v) => JSON.stringify(v)).join(", ");
    schema = z.union(
      parameter.enum.map((v) => z.literal(v)) as unknown as [z.ZodLiteral, z.ZodLiteral],
      { error: `expected one of ${allowed}` },
    );
  } else if (parameter.type === "integer") schema = z.number().int();
  else if (parameter.type === "number") schema = z.number();
  else if (parameter.type === "boolean") schema = z.boolean();
  else schema = z.string().max(65_535);
  if (parameter.description) schema = schema.describe(parameter.description);
  if (parameter.default !== undefined) return schema.default(parameter.default as never);
  return parameter.required ? schema : schema.optional();
}

/**
 * After startup, has the server prepare every declarative statement once,
 * so a typo or a missing table is logged with the tool's name before an
 * agent meets it. A source that is down is skipped (its tools are checked
 * on their first call anyway).
 */
export async function verifyDeclarativeTools(
  tools: readonly DeclarativeToolConfig[],
  checkPrepares: (datasource: string, database: string, sql: string) => Promise<string | undefined>,
  log: { error(msg: string, fields?: Record<string, unknown>): void },
): Promise<void> {
  for (const tool of tools) {
    try {
      const problem = await checkPrepares(
        tool.datasource,
        tool.database,
        toPositional(tool.statement).sql,
      );
      if (problem) {
        log.error(`[[tools]] "${tool.name}": the server cannot prepare its statement: ${problem}`);
      }
    } catch { /* source unavailable now: nothing to learn */ }
  }
}
