import type { ColumnInfo } from "./results.ts";

/** mysql2 column definition fields we read. */
export interface DriverField {
  name: string;
  columnType?: number;
  type?: number;
  flags?: number;
  characterSet?: number;
  orgTable?: string;
  orgName?: string;
  schema?: string;
  /** MariaDB's extended metadata: "json" for a JSON column stored as LONGTEXT. */
  extendedFormat?: string;
  /** MariaDB's extended metadata: a data type plugin such as "inet6" or "uuid". */
  extendedType?: string;
}

export type { ColumnInfo };

const NOT_NULL = 1;
const UNSIGNED = 32;
const ENUM_FLAG = 256;
const SET_FLAG = 2048;
const BINARY_CHARSET = 63;

const NAMES: Record<number, string> = {
  0x00: "DECIMAL",
  0x01: "TINYINT",
  0x02: "SMALLINT",
  0x03: "INT",
  0x04: "FLOAT",
  0x05: "DOUBLE",
  0x06: "NULL",
  0x07: "TIMESTAMP",
  0x08: "BIGINT",
  0x09: "MEDIUMINT",
  0x0a: "DATE",
  0x0b: "TIME",
  0x0c: "DATETIME",
  0x0d: "YEAR",
  0x0e: "DATE",
  0x0f: "VARCHAR",
  0x10: "BIT",
  0xf2: "VECTOR",
  0xf5: "JSON",
  0xf6: "DECIMAL",
  0xf7: "ENUM",
  0xf8: "SET",
  0xff: "GEOMETRY",
};
const INTEGER_TYPES = new Set([0x01, 0x02, 0x03, 0x08, 0x09]);

/** Describes a result column in SQL terms an agent recognises. */
export function columnInfo(field: DriverField): ColumnInfo {
  const code = field.columnType ?? field.type ?? 0xfd;
  const flags = field.flags ?? 0;
  const binary = field.characterSet === BINARY_CHARSET;
  let type: string;
  if (field.extendedFormat === "json") type = "JSON";
  else if (field.extendedType) type = field.extendedType.toUpperCase();
  else if (flags & ENUM_FLAG) type = "ENUM";
  else if (flags & SET_FLAG) type = "SET";
  else if (code >= 0xf9 && code <= 0xfc) type = binary ? "BLOB" : "TEXT";
  else if (code === 0xfd) type = binary ? "VARBINARY" : "VARCHAR";
  else if (code === 0xfe) type = binary ? "BINARY" : "CHAR";
  else type = NAMES[code] ?? "UNKNOWN";
  if (flags & UNSIGNED && (INTEGER_TYPES.has(code) || code === 0xf6)) type += " UNSIGNED";
  return { name: field.name, data_type: type, nullable: (flags & NOT_NULL) === 0 };
}
