/**
 * The server exactly as `main.ts` runs it, except that `scrub()` returns its
 * input: `deno task bench` measures the secret scrubber's cost against it in
 * the same session. A bench tool only; never serve with it.
 */
import { main } from "../../main.ts";
import { SecretScrubber } from "../../src/log/secret_scrubber.ts";

/** Registers secrets as usual (and warns the same), but scrubs nothing. */
class BypassedScrubber extends SecretScrubber {
  override scrub(text: string): string {
    return text;
  }
}

Deno.exit(await main(Deno.args, new BypassedScrubber()));
