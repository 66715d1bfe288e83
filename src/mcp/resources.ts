import type { Catalog } from "../datasources/catalog.ts";
import type { Datasources } from "../datasources/datasources.ts";
import { ToolError } from "../errors/tool_error.ts";
import { type CallerScope, checkScope, scopeAllowsDatasource } from "../gate/caller_scope.ts";

export const RESOURCE_TEMPLATES = [
  {
    uriTemplate: "mysql://{datasource_key}/databases",
    name: "databases",
    description: "Databases of a datasource",
  },
  {
    uriTemplate: "mysql://{datasource_key}/{database}/tables",
    name: "tables",
    description: "Tables of a database",
  },
  {
    uriTemplate: "mysql://{datasource_key}/{database}/tables/{table}",
    name: "table",
    description: "Structure of one table",
  },
  {
    uriTemplate: "mysql://{datasource_key}/{database}/schema",
    name: "schema",
    description: "Structure of every table of a database",
  },
].map((t) => ({ ...t, mimeType: "application/json" }));

/**
 * Reads a `mysql://` resource, within the caller's `scope`. The URI is parsed strictly: anything that is
 * not one of the five shapes is INVALID_ARGUMENT.
 */
export async function readResource(
  uri: string,
  datasources: Datasources,
  catalog: Catalog,
  scope: CallerScope = {},
): Promise<unknown> {
  const parts = parseUri(uri);
  if (parts.length === 1 && parts[0] === "datasources") {
    return { datasources: datasources.list().filter((d) => scopeAllowsDatasource(scope, d.key)) };
  }
  const [key, second, third, fourth] = parts;
  checkScope(scope, { datasource: key });
  if (parts.length === 2 && second === "databases") {
    return { databases: await catalog.databases(datasources.get(key).key) };
  }
  if (parts.length === 3 && third === "tables") {
    return { tables: await catalog.tables(datasources.get(key).key, second) };
  }
  if (parts.length === 3 && third === "schema") {
    return { tables: await catalog.schema(datasources.get(key).key, second) };
  }
  if (parts.length === 4 && third === "tables") {
    return await catalog.describe(datasources.get(key).key, second, fourth);
  }
  throw invalid(uri);
}

function parseUri(uri: string): string[] {
  if (typeof uri !== "string" || !uri.startsWith("mysql://") || uri.length > 1024) {
    throw invalid(uri);
  }
  const rest = uri.slice("mysql://".length);
  if (rest === "" || rest.includes("?") || rest.includes("#") || rest.endsWith("/")) {
    throw invalid(uri);
  }
  return rest.split("/").map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw invalid(uri);
    }
    if (decoded === "" || decoded.length > 128 || decoded.includes("\u0000")) throw invalid(uri);
    return decoded;
  });
}

function invalid(uri: unknown): ToolError {
  return new ToolError(
    "INVALID_ARGUMENT",
    `Invalid resource URI ${
      JSON.stringify(String(uri).slice(0, 200))
    }: expected mysql://datasources, ` +
      "mysql://{key}/databases, mysql://{key}/{database}/tables, " +
      "mysql://{key}/{database}/tables/{table} or mysql://{key}/{database}/schema",
  );
}
