import { z } from "zod";
import type { DatasourceConfig } from "./config.ts";
import { flag, patterned, requiredText, show, text } from "./fields.ts";
import { section, type Warn } from "./section.ts";

export const PARAMETER_TYPES = ["string", "integer", "number", "boolean"] as const;

const TOOL_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `[[tools.parameters]]`: one named `:placeholder` of a declarative tool's statement. */
export function parameterSchema(warn: Warn) {
  return section({
    name: patterned(IDENTIFIER, "must be a plain identifier"),
    type: z.enum(PARAMETER_TYPES, {
      error: (issue) => `${show(issue.input)}; expected one of ${PARAMETER_TYPES.join(", ")}`,
    }).default("string"),
    description: text.optional(),
    /** Whether the agent must pass it; by default, when it has no default. */
    required: flag.optional(),
    default: z.union([z.string(), z.number(), z.boolean()], {
      error: "must be a string, a number or true/false",
    }).optional(),
    enum: z.array(z.unknown(), { error: "must be a non-empty list" })
      .min(1, { error: "must be a non-empty list" }).optional(),
  }, {
    warn,
    where: (raw) => typeof raw.name === "string" ? `parameter ${show(raw.name)}` : "parameter",
  }).transform(({ required, enum: values, ...parameter }, ctx) => {
    const fits = (value: unknown) =>
      parameter.type === "string"
        ? typeof value === "string"
        : parameter.type === "boolean"
        ? typeof value === "boolean"
        : typeof value === "number" && (parameter.type === "number" || Number.isInteger(value));
    const misfit = values?.find((value) => !fits(value));
    const problem = (path: string, message: string) => {
      ctx.addIssue({ code: "custom", path: [path], message });
      return z.NEVER;
    };
    if (misfit !== undefined) {
      return problem("enum", `value ${show(misfit)} is not of type ${parameter.type}`);
    }
    if (parameter.default !== undefined) {
      if (!fits(parameter.default)) {
        return problem("default", `is not of type ${parameter.type}`);
      }
      if (values && !values.includes(parameter.default)) {
        return problem("default", "is not one of its enum values");
      }
    }
    return {
      ...parameter,
      required: required ?? parameter.default === undefined,
      ...(values ? { enum: values as readonly (string | number)[] } : {}),
    };
  }).readonly();
}

export interface ToolSchemaContext {
  /** The data sources that started: a tool may only use one of them. */
  datasources: readonly DatasourceConfig[];
  warn: Warn;
}

/**
 * One `[[tools]]` entry: a declarative SQL tool. What needs only the config is
 * checked here; what needs the statement's SQL is checked in declarative_tools.ts.
 */
export function toolSchema({ datasources, warn }: ToolSchemaContext) {
  return section({
    name: patterned(
      TOOL_NAME,
      "must start with a letter and use only letters, digits, '_' or '-' (max 64)",
    ),
    /** Shown to the agent; the name when absent. */
    description: text.optional(),
    datasource: requiredText,
    database: requiredText,
    statement: requiredText,
    /** A tool that changes data (INSERT, UPDATE, DELETE, REPLACE) says so. */
    writes: flag.default(false),
    parameters: z.array(parameterSchema(warn), { error: "must be an array of tables" })
      .default([]).readonly(),
  }, { warn }).transform(({ description, ...tool }, ctx) => {
    const problem = (path: string[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    const source = datasources.find((s) => s.key === tool.datasource);
    if (!source) {
      problem(["datasource"], `${show(tool.datasource)} is not a configured data source`);
    } else if (source.databases.length > 0 && !source.databases.includes(tool.database)) {
      problem(
        ["database"],
        `${show(tool.database)} is not in the allow-list of data source ${show(source.key)}`,
      );
    } else if (tool.writes && source.readOnly) {
      problem(["writes"], `= true, but data source ${show(source.key)} is read_only`);
    }
    const names = tool.parameters.map((p) => p.name);
    const twice = names.find((name, i) => names.indexOf(name) !== i);
    if (twice !== undefined) problem([], `parameter ${show(twice)} is declared twice`);
    return { ...tool, description: description ?? tool.name };
  }).readonly();
}
