/**
 * Quoting for identifiers that tools put into SQL text (database and table names cannot be
 * bound as parameters).
 *
 * @module
 */

/** MySQL's limit for database, table and column names, in characters. */
const MAX_IDENTIFIER_LENGTH = 64;

/**
 * Validates a database/table/column name and returns it backtick-quoted, with backticks
 * doubled. Throws a TypeError for a name MySQL would reject anyway.
 */
export function quoteIdentifier(name: string): string {
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError("Cannot quote identifier: the name is empty");
  }
  const length = [...name].length;
  if (length > MAX_IDENTIFIER_LENGTH) {
    throw new TypeError(
      `Cannot quote identifier "${name.slice(0, 20)}...": it has ${length} characters, ` +
        `the limit is ${MAX_IDENTIFIER_LENGTH}`,
    );
  }
  if (name.includes("\0")) {
    throw new TypeError("Cannot quote identifier: the name contains a NUL character");
  }
  if (name.endsWith(" ")) {
    throw new TypeError(`Cannot quote identifier "${name}": it ends with a space`);
  }
  return "`" + name.replaceAll("`", "``") + "`";
}
