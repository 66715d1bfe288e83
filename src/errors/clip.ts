/** Shortens agent-supplied text quoted back in a message (names, keys) to 64 characters. */
export function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}...` : text;
}
