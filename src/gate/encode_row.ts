import { Buffer } from "node:buffer";

/** How a binary value appears in results: unambiguous, never mistaken for text. */
export interface Base64Value {
  $base64: string;
}

/**
 * Makes one row JSON-safe in place: bytes become `{"$base64": "..."}`,
 * everything else is already exact (numbers beyond 2^53 and DECIMALs are
 * strings, dates are the stored text, JSON is parsed, NULL is null).
 */
export function encodeRow(row: unknown[]): unknown[] {
  for (let i = 0; i < row.length; i++) {
    const value = row[i];
    if (typeof value === "object" && value !== null && value instanceof Uint8Array) {
      row[i] = {
        $base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64"),
      };
    }
  }
  return row;
}
