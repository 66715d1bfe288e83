const REDACTED = "[redacted]";
const values = new WeakMap<Secret, string>();

/**
 * A credential that cannot leak by accident: its string, JSON and inspect
 * forms are redacted; only `reveal()` gives the value, and only the
 * connector calls it.
 */
export class Secret {
  constructor(value: string) {
    values.set(this, value);
    Object.freeze(this);
  }

  /** The real value. Call only where the driver needs it. */
  reveal(): string {
    return values.get(this) ?? "";
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for("Deno.customInspect")](): string {
    return `Secret(${REDACTED})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Secret(${REDACTED})`;
  }
}
