import type { ServerConfig } from "../../config/config.ts";
import type { Catalog } from "../../datasources/catalog.ts";
import type { Datasources } from "../../datasources/datasources.ts";
import type { SqlGate } from "../../gate/sql_gate.ts";
import type { StreamRegistry } from "../../streams/stream_registry.ts";

/** What the built-in tools are built from; plugins never see these. */
export interface BuiltinServices {
  readonly server: ServerConfig;
  readonly datasources: Datasources;
  readonly catalog: Catalog;
  readonly gate: SqlGate;
  readonly streams: StreamRegistry;
}
