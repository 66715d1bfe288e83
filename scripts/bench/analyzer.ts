/**
 * The SQL gate's analysis cost per statement (lexing, parsing, the policy), measured in
 * process: a short lookup, 100 KB statements of the shapes agents send, and the largest text
 * the gate accepts. This is the time one request can hold the event loop before it runs.
 */
import { decide, type PolicySource } from "../../src/gate/policy.ts";
import { classifySql, MAX_SQL_LENGTH } from "../../src/sql/classify.ts";

const SOURCE: PolicySource = {
  key: "bench",
  databases: ["shop"],
  readOnly: false,
  allowStoredFunctions: false,
};

export interface AnalyzerCost {
  name: string;
  bytes: number;
  /** Median of the timed runs, in microseconds. */
  medianUs: number;
  maxUs: number;
}

/** `head` + as many `part`s as fit + `tail`, up to the longest text the gate analyses. */
function fill(part: string | ((i: number) => string), tail: string, head = ""): string {
  const pieces: string[] = [head];
  let length = head.length + tail.length;
  for (let i = 0;; i++) {
    const piece = typeof part === "string" ? part : part(i);
    if (length + piece.length > MAX_SQL_LENGTH) break;
    pieces.push(piece);
    length += piece.length;
  }
  return pieces.join("") + tail;
}

function statements(): [string, string][] {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1).join(", ");
  const joins = Array.from(
    { length: 1_400 },
    (_, i) => `LEFT JOIN orders o${i} ON o${i}.customer_id = c.id AND o${i}.status = 'paid'`,
  ).join(" ");
  return [
    ["short PK lookup", "SELECT id, email, name FROM customers WHERE id = ?"],
    [
      "short join + aggregate",
      "SELECT c.name, COUNT(*) AS n, SUM(o.total) FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.created_at >= NOW() - INTERVAL 30 DAY GROUP BY c.name ORDER BY n DESC LIMIT 10",
    ],
    ["100 KB IN list", `SELECT * FROM orders WHERE id IN (${ids(17_000)})`],
    [
      "100 KB joins",
      `SELECT c.id FROM customers c ${joins}`.slice(0, 100 * 1024).replace(/ [^ ]*$/, ""),
    ],
    [
      "100 KB INSERT VALUES",
      `INSERT INTO customers (email, name) VALUES ${
        Array.from({ length: 3_000 }, (_, i) => `('u${i}@example.com', 'User ${i}')`).join(", ")
      }`,
    ],
    ["max-size nested WITH (refused)", fill("WITH a AS (", "SELECT 1")],
    ["max-size distinct function names", fill((i) => `f${i}(),`, "1", "SELECT ")],
    ["max-size distinct @@variables", fill((i) => `@@v${i},`, "1", "SELECT ")],
    ["max-size select list 1,1,1...", fill("1,", "1", "SELECT ")],
    [
      "max-size, read three ways",
      fill((i) => `f${i}(),`, `1, '\\"' */`, "/*M! SELECT "),
    ],
  ];
}

/**
 * Measures every statement after a warm-up (as a serving process is warm); short statements
 * get more runs. Returns median and worst.
 */
export function measureAnalyzer(): AnalyzerCost[] {
  return statements().map(([name, sql]) => {
    const analyse = () => {
      const analysis = classifySql(sql);
      try {
        decide(analysis, SOURCE, "shop", analysis.category === "write" ? "execute" : "query");
      } catch { /* a refusal costs the same to reach */ }
    };
    const runs = sql.length < 10_000 ? 2_000 : 30;
    for (let i = 0; i < runs; i++) analyse();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      analyse();
      times.push((performance.now() - started) * 1000);
    }
    times.sort((a, b) => a - b);
    return {
      name,
      bytes: new TextEncoder().encode(sql).length,
      medianUs: times[Math.floor(times.length / 2)],
      maxUs: times[times.length - 1],
    };
  });
}

if (import.meta.main) {
  for (const cost of measureAnalyzer()) {
    console.log(
      `${cost.name.padEnd(30)} ${String(cost.bytes).padStart(8)} B  median ${
        cost.medianUs.toFixed(1).padStart(9)
      } µs  max ${cost.maxUs.toFixed(1).padStart(9)} µs`,
    );
  }
}
