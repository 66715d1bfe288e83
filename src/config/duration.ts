const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration such as "500ms", "30s", "5m" or "1h" into milliseconds.
 * A bare non-negative number is taken as milliseconds.
 */
export function parseDuration(value: unknown): number {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  const text = String(value).trim();
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/.exec(text);
  if (typeof value !== "string" || !match) {
    throw new RangeError(
      `Cannot parse duration ${JSON.stringify(value)}: expected a number followed by ms, s, m or h`,
    );
  }
  return Math.round(Number(match[1]) * UNITS[match[2]]);
}
