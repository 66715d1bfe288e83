/**
 * Terminal output for the demo: section headers, calls and results, in
 * colour only when stdout is a terminal and NO_COLOR is unset.
 */

const useColour = !Deno.noColor && Deno.stdout.isTerminal();
const paint = (code: string) => (text: string) => useColour ? `\x1b[${code}m${text}\x1b[0m` : text;

/** ANSI styles that fall back to plain text. */
export const style = {
  bold: paint("1"),
  dim: paint("2"),
  red: paint("31"),
  green: paint("32"),
  yellow: paint("33"),
  blue: paint("34"),
  magenta: paint("35"),
  cyan: paint("36"),
};

const WIDTH = 78;

/** Writes a line to stdout (the walk) without console.log's formatting. */
export function out(line = ""): void {
  console.log(line);
}

/** Writes a line to stderr (everything that must stay off stdout in --serve mode). */
export function note(line = ""): void {
  console.error(line);
}

/** A section header: a numbered title and a one-line explanation. */
export function section(title: string, explanation?: string): void {
  out();
  const bar = "━".repeat(Math.max(4, WIDTH - title.length - 4));
  out(style.bold(style.blue(`━━ ${title} ${bar}`)));
  if (explanation) out(style.dim(explanation));
}

/**
 * Indents `text`, keeping at most `maxLines` lines: the first ones, a note of
 * how many were left out, and the last one (a result's summary line).
 */
export function block(text: string, maxLines = 20, indent = "    "): string {
  const clip = (line: string) => line.length > 160 ? `${line.slice(0, 157)}...` : line;
  let lines = text.replace(/\s+$/, "").split("\n");
  if (lines.length > maxLines) {
    const head = Math.max(1, maxLines - 1);
    lines = [
      ...lines.slice(0, head),
      style.dim(`… ${lines.length - head - 1} more line(s)`),
      lines[lines.length - 1],
    ];
  }
  return lines.map((line) => indent + clip(line)).join("\n");
}

/** `name {"arg":...}` as the agent would send it. */
export function callLine(name: string, args: Record<string, unknown>): string {
  const json = Object.keys(args).length === 0 ? "{}" : JSON.stringify(args);
  return `${style.cyan("→")} ${style.bold(style.cyan(name))} ${style.dim(json)}`;
}

/** Pretty-prints JSON compactly: one object per line when it is an array of rows. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
