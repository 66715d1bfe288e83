const UNITS: Record<string, number> = { "": 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/**
 * Parses a size such as "512KB", "16MB" or "1GB" (powers of 1024) into bytes.
 * A bare whole number is taken as bytes.
 */
export function parseSize(value: unknown): number {
  let bytes: number | undefined;
  if (typeof value === "number" || typeof value === "bigint") bytes = Number(value);
  else if (typeof value === "string") {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
    const unit = match ? UNITS[match[2].toLowerCase()] : undefined;
    if (match && unit) bytes = Math.floor(Number(match[1]) * unit);
  }
  if (bytes === undefined || !Number.isSafeInteger(bytes)) {
    throw new RangeError(
      `cannot read ${
        typeof value === "bigint" ? value : JSON.stringify(value)
      } as a size: expected bytes or a number followed by KB, MB or GB`,
    );
  }
  return bytes;
}
