/**
 * About how many bytes a row takes once serialised: strings by length,
 * numbers and the like by a small constant, JSON values by their text. It
 * is measured as each row is read, so results are bounded by bytes, never
 * built first and measured after.
 */
export function rowBytes(row: readonly unknown[]): number {
  let bytes = 2;
  for (let i = 0; i < row.length; i++) {
    const value = row[i];
    bytes += 1;
    if (typeof value === "string") bytes += value.length + 2;
    else if (value === null || value === undefined) bytes += 4;
    else if (typeof value === "object") {
      const base64 = (value as { $base64?: unknown }).$base64;
      bytes += typeof base64 === "string" ? base64.length + 14 : JSON.stringify(value).length;
    } else bytes += 12;
  }
  return bytes;
}
