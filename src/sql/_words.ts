/**
 * Word lists the parser needs: reserved words of both flavours (from the data files, one per
 * flavour), and the small closed sets of the grammar (data types, interval units...).
 *
 * @module
 */

import mariadb from "./data/mariadb.json" with { type: "json" };
import mysql from "./data/mysql.json" with { type: "json" };

/** Server flavour, which decides the reserved words. */
export type Flavor = "mariadb" | "mysql";

const RESERVED_ON: Readonly<Record<Flavor, ReadonlySet<string>>> = {
  mariadb: new Set(mariadb.reserved_words),
  mysql: new Set(mysql.reserved_words),
};
/** Reserved on either flavour: for a statement whose server is not known yet. */
const RESERVED_ON_EITHER: ReadonlySet<string> = new Set([
  ...mariadb.reserved_words,
  ...mysql.reserved_words,
]);

/** Reserved on both flavours. */
const RESERVED_ON_BOTH: ReadonlySet<string> = new Set(
  mariadb.reserved_words.filter((word) => RESERVED_ON.mysql.has(word)),
);

/** The words certainly reserved on `flavor`: on both flavours when it is not known. */
export function reservedForSure(flavor?: Flavor): ReadonlySet<string> {
  return flavor === undefined ? RESERVED_ON_BOTH : RESERVED_ON[flavor];
}

/**
 * The words that cannot be a bare name on `flavor`; on either flavour when it is not known, so
 * that the parse means the same whichever server the statement reaches.
 */
export function reservedWords(flavor?: Flavor): ReadonlySet<string> {
  return flavor === undefined ? RESERVED_ON_EITHER : RESERVED_ON[flavor];
}

/** Interval units (`INTERVAL 1 DAY`, EXTRACT, TIMESTAMPADD). */
export const INTERVAL_UNITS: ReadonlySet<string> = new Set([
  "MICROSECOND",
  "SECOND",
  "MINUTE",
  "HOUR",
  "DAY",
  "WEEK",
  "MONTH",
  "QUARTER",
  "YEAR",
  "SECOND_MICROSECOND",
  "MINUTE_MICROSECOND",
  "MINUTE_SECOND",
  "HOUR_MICROSECOND",
  "HOUR_SECOND",
  "HOUR_MINUTE",
  "DAY_MICROSECOND",
  "DAY_SECOND",
  "DAY_MINUTE",
  "DAY_HOUR",
  "YEAR_MONTH",
  "SQL_TSI_MICROSECOND",
  "SQL_TSI_SECOND",
  "SQL_TSI_MINUTE",
  "SQL_TSI_HOUR",
  "SQL_TSI_DAY",
  "SQL_TSI_WEEK",
  "SQL_TSI_MONTH",
  "SQL_TSI_QUARTER",
  "SQL_TSI_YEAR",
]);

/** Keywords that are values on their own (`CURRENT_DATE`, `NULL`...). */
export const KEYWORD_VALUES: ReadonlySet<string> = new Set([
  "NULL",
  "TRUE",
  "FALSE",
  "DEFAULT",
  "CURRENT_DATE",
  "CURRENT_TIME",
  "CURRENT_TIMESTAMP",
  "CURRENT_USER",
  "CURRENT_ROLE",
  "LOCALTIME",
  "LOCALTIMESTAMP",
  "UTC_DATE",
  "UTC_TIME",
  "UTC_TIMESTAMP",
]);

/** First words of a data type (CAST, CONVERT, JSON_TABLE columns, RETURNING). */
export const TYPE_WORDS: ReadonlySet<string> = new Set([
  "BINARY",
  "CHAR",
  "CHARACTER",
  "NCHAR",
  "NATIONAL",
  "VARCHAR",
  "VARBINARY",
  "TEXT",
  "TINYTEXT",
  "MEDIUMTEXT",
  "LONGTEXT",
  "BLOB",
  "TINYBLOB",
  "MEDIUMBLOB",
  "LONGBLOB",
  "DATE",
  "DATETIME",
  "TIME",
  "TIMESTAMP",
  "YEAR",
  "DECIMAL",
  "DEC",
  "NUMERIC",
  "FIXED",
  "SIGNED",
  "UNSIGNED",
  "INT",
  "INTEGER",
  "TINYINT",
  "SMALLINT",
  "MEDIUMINT",
  "BIGINT",
  "BIT",
  "BOOL",
  "BOOLEAN",
  "DOUBLE",
  "FLOAT",
  "REAL",
  "JSON",
  "GEOMETRY",
  "POINT",
  "LINESTRING",
  "POLYGON",
  "MULTIPOINT",
  "MULTILINESTRING",
  "MULTIPOLYGON",
  "GEOMETRYCOLLECTION",
  "INET4",
  "INET6",
  "UUID",
]);

/** Words that follow a type: `UNSIGNED INTEGER`, `DOUBLE PRECISION`, `CHAR(1) ASCII` ... */
export const TYPE_MODIFIERS: ReadonlySet<string> = new Set([
  "SIGNED",
  "UNSIGNED",
  "ZEROFILL",
  "INT",
  "INTEGER",
  "PRECISION",
  "VARYING",
  "CHAR",
  "CHARACTER",
  "ASCII",
  "UNICODE",
  "BYTE",
  "BINARY",
  "ARRAY",
]);

/**
 * Keywords that may follow a table reference or a select item in some clause of the grammar.
 * They are never read as a bare alias, even where a flavour would allow it, so that the parse
 * cannot disagree with the server about where a clause starts.
 */
export const CLAUSE_WORDS: ReadonlySet<string> = new Set([
  "WINDOW",
  "RETURNING",
  "OFFSET",
  "FETCH",
  "EXCEPT",
  "INTERSECT",
  "PARTITION",
  "FOR",
  "USE",
  "IGNORE",
  "FORCE",
  "STRAIGHT_JOIN",
  "NATURAL",
  "CROSS",
  "INNER",
  "LEFT",
  "RIGHT",
  "JOIN",
  "ON",
  "USING",
  "SET",
  "INTO",
  "LOCK",
  "PROCEDURE",
  "UNION",
  "WHERE",
  "GROUP",
  "HAVING",
  "ORDER",
  "LIMIT",
  "FROM",
  "AS",
]);

/** True when `upper` may stand as a bare (unquoted) alias after a table or an expression. */
export function isBareAlias(upper: string, reserved: ReadonlySet<string>): boolean {
  return !reserved.has(upper) && !CLAUSE_WORDS.has(upper);
}
