import type { z } from "zod";
import type { ToolDefinition } from "./tool.ts";

export interface RegisteredTool {
  readonly definition: ToolDefinition;
  /** Who added it: "built-in", "datasources.toml [[tools]]", or a plugin file name. */
  readonly owner: string;
}

/**
 * One registry for the three sources of tools. Registration only records;
 * the MCP layer serves whatever is here.
 */
export class ToolRegistry {
  readonly #tools = new Map<string, RegisteredTool>();

  register(definition: ToolDefinition<z.ZodObject>, owner: string): void {
    validateDefinition(definition, owner);
    const existing = this.#tools.get(definition.name);
    if (existing) {
      throw new TypeError(
        `Tool "${definition.name}" from ${owner} clashes with the tool of the same name from ${existing.owner}`,
      );
    }
    this.#tools.set(definition.name, { definition: definition as ToolDefinition, owner });
  }

  get(name: string): RegisteredTool | undefined {
    return this.#tools.get(name);
  }

  list(): RegisteredTool[] {
    return [...this.#tools.values()];
  }
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

function validateDefinition(definition: ToolDefinition<z.ZodObject>, owner: string): void {
  if (typeof definition !== "object" || definition === null) {
    throw new TypeError(`${owner}: a tool definition must be an object`);
  }
  if (typeof definition.name !== "string" || !NAME.test(definition.name)) {
    throw new TypeError(
      `${owner}: tool name ${
        JSON.stringify(definition.name)
      } must start with a letter and use letters, digits, '_' or '-'`,
    );
  }
  if (typeof definition.description !== "string" || definition.description.trim() === "") {
    throw new TypeError(`${owner}: tool "${definition.name}" needs a description`);
  }
  const input = definition.input as { type?: string; _zod?: { def?: { type?: string } } };
  if (!input || input._zod?.def?.type !== "object") {
    throw new TypeError(`${owner}: tool "${definition.name}" needs a zod object input schema`);
  }
  if (typeof definition.handler !== "function") {
    throw new TypeError(`${owner}: tool "${definition.name}" needs a handler function`);
  }
}
