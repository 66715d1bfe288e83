/**
 * The leaf schemas every config section is built from. Each one carries the
 * phrase that follows the field's name in a message ("port must be 1-65535,
 * got 70000"); `describeIssues` puts the name in front.
 */
import { z } from "zod";
import { parseDuration } from "./duration.ts";
import { parseSize } from "./size.ts";

/** The message of a value that is absent; shown as "missing required field <name>". */
export const MISSING = "is missing";

/** Marks an issue whose message is a whole sentence rather than a phrase after a field name. */
export const SENTENCE = { sentence: true } as const;

/** A value as it may appear in a message (never used for secrets). */
export function show(value: unknown): string {
  if (typeof value === "bigint") return String(value);
  return JSON.stringify(value) ?? String(value);
}

const phrase = (text: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? MISSING : text;

/** Any string. */
export const text = z.string({ error: phrase("must be a string") });

/** A string with something in it besides blanks. */
export const requiredText = z.string({ error: phrase("must be a non-empty string") })
  .refine((value) => value.trim() !== "", { error: "must be a non-empty string" });

/** A string matching `pattern`; `rule` says what it must look like, after the value. */
export function patterned(pattern: RegExp, rule: string) {
  return requiredText.refine((value) => pattern.test(value), {
    error: (issue) => `${show(issue.input)} ${rule}`,
  });
}

/** true or false. */
export const flag = z.boolean({ error: phrase("must be true or false") });

/** A whole number from `min` to `max` (TOML may hand over a bigint). */
export function wholeNumber(min = Number.MIN_SAFE_INTEGER, max?: number) {
  return z.preprocess(
    (value) => typeof value === "bigint" ? Number(value) : value,
    z.number({
      error: (issue) =>
        issue.input === undefined ? MISSING : `must be a whole number, got ${show(issue.input)}`,
    }).superRefine((value, ctx) => {
      if (!Number.isSafeInteger(value)) {
        ctx.addIssue({ code: "custom", message: `must be a whole number, got ${value}` });
      } else if (value < min || (max !== undefined && value > max)) {
        ctx.addIssue({
          code: "custom",
          message: max === undefined
            ? `must be at least ${min}, got ${value}`
            : `must be ${min}-${max}, got ${value}`,
        });
      }
    }),
  );
}

/** A list of strings, none empty; duplicates dropped. */
export const stringList = z.unknown()
  .refine(
    (value) => Array.isArray(value) && value.every((item) => typeof item === "string" && item),
    { error: "must be a list of non-empty strings" },
  )
  .transform((value): readonly string[] => [...new Set(value as string[])]);

/** "500ms", "30s", "5m", "1h" (or a bare number of ms), in milliseconds. */
export const duration = z.unknown().transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message, params: SENTENCE });
    return z.NEVER;
  }
});

/** A whole number of bytes or "512KB", "16MB", "1GB"; at least 1KB. */
export const size = z.unknown().transform((value, ctx) => {
  let bytes: number;
  try {
    bytes = parseSize(value);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message, params: SENTENCE });
    return z.NEVER;
  }
  if (bytes < 1024) {
    ctx.addIssue({ code: "custom", message: `must be at least 1KB, got ${bytes}` });
    return z.NEVER;
  }
  return bytes;
});
