import type { DatasourceConfig } from "../config/config.ts";
import type { Logger } from "./logger.ts";

/**
 * The last line of defence for secrets: every outgoing text (MCP messages on
 * stdout, log lines on stderr, metrics) passes `scrub()`, which replaces any
 * occurrence of a known secret with `[REDACTED]`. The rules that keep secrets
 * out in the first place (the `Secret` type, `sanitizeText`, no credentials
 * in tool contexts) come first; a `[REDACTED]` in output means one of them
 * was bypassed, e.g. by a plugin.
 *
 * Each secret is searched in the forms it takes on the way out: as is; JSON-
 * escaped once (a string in a message) and twice (a string inside a tool
 * result's text, which is JSON inside the message); JSON-escaped with non-ASCII
 * as `\uXXXX` (lower- and upper-case hex, as other JSON encoders write it);
 * Prometheus label-escaped; and percent-encoded (`encodeURIComponent`, strict
 * RFC 3986, and form encoding with `+` for spaces; upper- and lower-case hex).
 *
 * Secrets shorter than {@link SecretScrubber.MIN_LENGTH} characters are not
 * registered: scrubbing "abc" would mangle every message that happens to
 * contain it, and a password that short is no protection anyway. `add()`
 * returns false for them, and `addPasswords()` logs one warning naming the
 * datasource key. An empty password has nothing to hide and is skipped quietly.
 */
export class SecretScrubber {
  /** What replaces a secret. Distinct from the first-line rules' `[redacted]`. */
  static readonly MARKER = "[REDACTED]";
  /** Secrets shorter than this are not scrubbed (see the class comment). */
  static readonly MIN_LENGTH = 4;

  readonly #secrets = new Set<string>();
  /** Secrets that replace each other over time (password_command output), newest last. */
  readonly #rotating = new Map<string, string[]>();
  /** Every form of every secret: what the slow path replaces. */
  #forms: string[] = [];
  /**
   * One precompiled search that matches whenever some form may be present
   * (see `probesOf`); measured faster than an `includes` per form from two
   * secrets on, and as fast for one.
   */
  #probe: RegExp | undefined;

  /** How many secrets are registered. */
  get size(): number {
    return this.#secrets.size + [...this.#rotating.values()].reduce((n, v) => n + v.length, 0);
  }

  /**
   * Registers a secret from now on (passwords at startup; later a
   * `password_command` output or a bearer token). Returns false, and
   * scrubs nothing, when it is shorter than {@link SecretScrubber.MIN_LENGTH}.
   */
  add(value: string): boolean {
    if (value.length < SecretScrubber.MIN_LENGTH) return false;
    if (this.#secrets.has(value)) return true;
    this.#secrets.add(value);
    this.#rebuild();
    return true;
  }

  /**
   * Registers `value` as the newest of a series of secrets that replace each other, such as
   * the short-lived tokens a `password_command` prints for every connection: the last
   * `keep` of each `series` are scrubbed, so the set stays bounded however long the server
   * runs (a token older than that has long expired). Returns false as `add()` does.
   */
  addRotating(series: string, value: string, keep = SecretScrubber.ROTATING_KEEP): boolean {
    if (value.length < SecretScrubber.MIN_LENGTH) return false;
    const values = this.#rotating.get(series) ?? [];
    if (values.at(-1) === value) return true;
    const kept = [...values.filter((v) => v !== value), value].slice(-keep);
    this.#rotating.set(series, kept);
    this.#rebuild();
    return true;
  }

  /** How many of a series' secrets stay scrubbed. */
  static readonly ROTATING_KEEP = 16;

  #rebuild(): void {
    const secrets = [...new Set([...this.#secrets, ...[...this.#rotating.values()].flat()])];
    const probes = minimal(secrets.flatMap(probesOf));
    // Longest first, so the alternation reports the widest match; not that it matters to test().
    probes.sort((a, b) => b.length - a.length);
    this.#forms = [...new Set(secrets.flatMap(formsOf))];
    this.#probe = new RegExp(probes.map(escapeRegExp).join("|"));
  }

  /**
   * Registers every datasource password (from `password` or `password_env`
   * alike); logs one warning per password too short to scrub, naming the
   * datasource key, never the value.
   */
  addPasswords(
    sources: readonly Pick<DatasourceConfig, "key" | "password">[],
    log: Pick<Logger, "warn">,
  ): void {
    for (const source of sources) {
      const password = source.password.reveal();
      if (password === "" || this.add(password)) continue;
      log.warn(
        `datasource "${source.key}": its password is shorter than ${SecretScrubber.MIN_LENGTH} characters, so it is not scrubbed from output; use a longer one`,
        { datasource: source.key },
      );
    }
  }

  /**
   * `text` with every occurrence of a registered secret, in any of its forms,
   * replaced by {@link SecretScrubber.MARKER}. Returns `text` itself (no
   * allocation) when none is present.
   */
  scrub(text: string): string {
    if (this.#probe === undefined || !this.#probe.test(text)) return text;
    return redact(text, this.#forms);
  }
}

/**
 * Strings of which at least one occurs in any text holding a form of
 * `secret`. Letters, digits, `-`, `_` and `.` are written alike by every
 * encoding here, so the longest run of them occurs in every form: one short
 * search instead of one per form. A secret without such a run of
 * MIN_LENGTH characters is probed by all its forms.
 */
function probesOf(secret: string): string[] {
  const runs = secret.match(/[A-Za-z0-9_.-]+/g) ?? [];
  const longest = runs.reduce((a, b) => (b.length > a.length ? b : a), "");
  return longest.length >= SecretScrubber.MIN_LENGTH ? [longest] : formsOf(secret);
}

/** Drops duplicates and every string that contains another: finding that one suffices. */
function minimal(strings: string[]): string[] {
  const unique = [...new Set(strings)];
  return unique.filter((s) => !unique.some((other) => other !== s && s.includes(other)));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** The slow path: at least one form is present. */
function redact(text: string, forms: readonly string[]): string {
  const spans: [number, number][] = [];
  for (const form of forms) {
    for (let at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + 1)) {
      spans.push(widenToEscapes(text, at, at + form.length));
    }
  }
  // The probe can match where no form does (a shared run of letters): nothing to replace.
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = "";
  let copied = 0;
  for (let i = 0; i < spans.length;) {
    const start = spans[i][0];
    let end = spans[i][1];
    // Overlapping or touching occurrences (of one secret or of several) become one marker.
    for (i++; i < spans.length && spans[i][0] <= end; i++) end = Math.max(end, spans[i][1]);
    out += text.slice(copied, start) + SecretScrubber.MARKER;
    copied = end;
  }
  return out + text.slice(copied);
}

/**
 * Grows a match so it neither starts nor ends inside a backslash escape
 * (`\n`, `\"`, `\u00e9`): a secret "nopass" found in `"\nopass"` must not
 * leave `\[REDACTED]`, which is no longer valid JSON.
 */
function widenToEscapes(text: string, start: number, end: number): [number, number] {
  for (let back = 1; back <= 5 && start - back >= 0; back++) {
    const at = start - back;
    if (text.charCodeAt(at) !== BACKSLASH || !introducesEscape(text, at)) continue;
    if (back === 1 || text[at + 1] === "u") start = at;
    break;
  }
  let i = start;
  while (i < end) i += text.charCodeAt(i) !== BACKSLASH ? 1 : text[i + 1] === "u" ? 6 : 2;
  return [start, Math.min(Math.max(i, end), text.length)];
}

const BACKSLASH = 0x5c;

/** True when the backslash at `at` starts an escape (an odd run of backslashes ends there). */
function introducesEscape(text: string, at: number): boolean {
  let run = 0;
  while (at - run >= 0 && text.charCodeAt(at - run) === BACKSLASH) run++;
  return run % 2 === 1;
}

/** Every form in which `secret` may appear in an outgoing text. */
function formsOf(secret: string): string[] {
  const forms = [secret, escapeLabel(secret)];
  for (const options of [{}, { ascii: true }, { ascii: true, upper: true }]) {
    const once = escapeJson(secret, options);
    forms.push(once, escapeJson(once));
  }
  for (const encode of [encodeURIComponent, encodeStrict, encodeForm]) {
    try {
      const encoded = encode(secret);
      forms.push(encoded, encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()));
    } catch { /* a lone surrogate cannot be percent-encoded */ }
  }
  return forms;
}

const SHORT_ESCAPES: Record<number, string> = {
  0x08: "\\b",
  0x09: "\\t",
  0x0a: "\\n",
  0x0c: "\\f",
  0x0d: "\\r",
  0x22: '\\"',
  0x5c: "\\\\",
};

/**
 * The inside of a JSON string holding `text`: exactly JSON.stringify's escaping,
 * or with every non-ASCII code unit as `\uXXXX` when `ascii` is set.
 */
function escapeJson(text: string, options: { ascii?: boolean; upper?: boolean } = {}): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const short = SHORT_ESCAPES[code];
    if (short !== undefined) {
      out += short;
    } else if (code < 0x20 || (options.ascii && code > 0x7f) || isLoneSurrogate(text, i)) {
      const hex = code.toString(16).padStart(4, "0");
      out += `\\u${options.upper ? hex.toUpperCase() : hex}`;
    } else {
      out += text[i];
    }
  }
  return out;
}

function isLoneSurrogate(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (code >= 0xd800 && code <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    return !(next >= 0xdc00 && next <= 0xdfff);
  }
  if (code >= 0xdc00 && code <= 0xdfff) {
    const previous = text.charCodeAt(i - 1);
    return !(previous >= 0xd800 && previous <= 0xdbff);
  }
  return false;
}

/** Prometheus label values escape only backslash, double quote and newline. */
function escapeLabel(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

/** RFC 3986: everything but unreserved characters, so also ! ' ( ) *. */
function encodeStrict(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** application/x-www-form-urlencoded, as URLSearchParams writes it. */
function encodeForm(text: string): string {
  encodeURIComponent(text); // throws on a lone surrogate, which URLSearchParams would replace
  return new URLSearchParams([["", text]]).toString().slice(1);
}
