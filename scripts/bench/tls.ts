/**
 * What TLS costs: PK lookup p50 and a streamed result over plain TCP, over TLS through
 * Deno.startTls (verify_identity) and over TLS through node:tls (required), each through its
 * own stdio server on the same MariaDB. Blocks alternate in order so the shared machine's
 * drift hits every transport alike.
 */
import { median, timeSequential } from "./measure.ts";

export interface TlsTransportFigures {
  readonly p50Ms: number;
  readonly rowsPerSecond: number;
}

export interface TlsFigures {
  readonly plain: TlsTransportFigures;
  /** verify_identity: Deno.startTls on our own TCP socket. */
  readonly denoTls: TlsTransportFigures;
  /** required: node:tls over our own TCP socket. */
  readonly nodeTls: TlsTransportFigures;
  readonly lookups: number;
  readonly streamRows: number;
}

/** One server under test, as the bench script connects it. */
export interface TlsBenchTarget {
  lookup(i: number): Promise<unknown>;
  stream(): Promise<{ rows: number; rowsPerSecond: number }>;
}

export async function measureTls(
  targets: { plain: TlsBenchTarget; denoTls: TlsBenchTarget; nodeTls: TlsBenchTarget },
  options: { lookups: number; streamRows: number; blocks?: number },
): Promise<TlsFigures> {
  const blocks = options.blocks ?? 8;
  const names = ["plain", "denoTls", "nodeTls"] as const;
  const times = { plain: [] as number[], denoTls: [] as number[], nodeTls: [] as number[] };
  const rates = { plain: [] as number[], denoTls: [] as number[], nodeTls: [] as number[] };
  for (const name of names) await timeSequential(300, (i) => targets[name].lookup(i));
  for (let block = 0; block < blocks; block++) {
    const order = block % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      times[name].push(
        ...await timeSequential(Math.ceil(options.lookups / blocks), targets[name].lookup),
      );
    }
  }
  // Streams: three rounds each, alternating; the median rate counts.
  for (let round = 0; round < 3; round++) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      const result = await targets[name].stream();
      if (result.rows !== options.streamRows) {
        throw new Error(`${name}: streamed ${result.rows} rows, not ${options.streamRows}`);
      }
      rates[name].push(result.rowsPerSecond);
    }
  }
  const figures = (name: typeof names[number]) => ({
    p50Ms: median(times[name]),
    rowsPerSecond: median(rates[name]),
  });
  return {
    plain: figures("plain"),
    denoTls: figures("denoTls"),
    nodeTls: figures("nodeTls"),
    lookups: times.plain.length,
    streamRows: options.streamRows,
  };
}
