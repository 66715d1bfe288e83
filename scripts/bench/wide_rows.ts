/**
 * The 1 MB-rows case of the reliability review, shared by `deno task bench`
 * and the memory-bound test: 300 rows of 1 MB each, read whole, twice at
 * once, and streamed, with the server's RSS sampled throughout.
 */
import { peakRss } from "./measure.ts";

export const WIDE_ROWS = 300;
const MB = 1024 * 1024;

/** Creates `database`.fat (300 × 1 MB) unless it is there; generated server-side. */
export async function seedWideRows(
  admin: (sql: string) => Promise<unknown>,
  database: string,
): Promise<void> {
  await admin(
    `CREATE TABLE IF NOT EXISTS \`${database}\`.fat (id INT PRIMARY KEY, body LONGTEXT) ENGINE=InnoDB;
     INSERT IGNORE INTO \`${database}\`.fat
       SELECT seq, REPEAT(CHAR(65 + seq % 26), ${MB}) FROM \`${database}\`.seq_1_to_${WIDE_ROWS}`,
  );
}

interface ToolCaller {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<any>;
}

export interface WideRowsOutcome {
  peakBytes: number;
  beforeBytes: number;
  /** What each read returned: rows, truncated, or the error code. */
  answers: string[];
}

/** Runs the 1 MB-rows reads through `client` and samples the RSS of process `pid`. */
export async function measureWideRows(
  client: ToolCaller,
  pid: number,
  datasource: string,
  database: string,
): Promise<WideRowsOutcome> {
  const call = async (args: Record<string, unknown>) => {
    const result = await client.callTool({
      name: "mysql_query",
      arguments: { datasource_key: datasource, database, ...args },
    });
    if (result.isError) return { text: `error ${JSON.parse(result.content[0].text).error_code}` };
    const body = result.structuredContent;
    return { text: `${body.row_count} rows${body.truncated ? ", truncated" : ""}`, body };
  };
  const measured = await peakRss(pid, async () => {
    const answers: string[] = [];
    answers.push((await call({ query: `SELECT id, body FROM fat LIMIT ${WIDE_ROWS}` })).text);
    const both = await Promise.all([
      call({ query: "SELECT * FROM fat" }),
      call({ query: "SELECT * FROM fat" }),
    ]);
    answers.push(...both.map((a) => a.text));
    const stream = await call({ query: "SELECT id, body FROM fat", stream: true });
    answers.push(`stream: ${stream.text}`);
    if (stream.body?.stream_id) {
      await client.callTool({
        name: "mysql_stream_cancel",
        arguments: { stream_id: stream.body.stream_id },
      });
    }
    return answers;
  });
  return { peakBytes: measured.peakBytes, beforeBytes: measured.before, answers: measured.result };
}
