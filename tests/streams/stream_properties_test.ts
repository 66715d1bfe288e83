/**
 * Seed properties 21 and 22 for streamed results, against the real MariaDB
 * through the MCP client. Results stay small so 100 runs take seconds.
 */
import assert from "assert";
import fc from "fast-check";
import { DB_TEST, startTestApp } from "../support/test_app.ts";
import { testDatabase } from "../support/test_database.ts";
import { CHUNK_CAP, connectionsFreed, drain, nextChunk, openStream } from "./_stream_client.ts";

const RUNS = { numRuns: 100 };

/** Result sizes around the chunk boundaries, and anything up to a few chunks. */
const rowCount = fc.oneof(
  fc.constantFrom(0, 1, 999, 1000, 1001, 1999, 2000, 2001, 3000),
  fc.integer({ min: 0, max: 3500 }),
);

Deno.test({
  name: "Property 21: every chunk of a streamed result has at most 1000 rows",
  ...DB_TEST,
  async fn() {
    const t = await startTestApp();
    try {
      // Feature: mysql-mcp-multi-datasource, Property 21: For any streaming query result, each chunk should contain no more than 1000 rows
      await fc.assert(
        fc.asyncProperty(rowCount, fc.integer({ min: 1, max: 9 }), async (n, width) => {
          const columns = Array.from({ length: width }, (_, i) => `seq + ${i} AS c${i}`);
          const first = await openStream(
            t,
            `SELECT ${columns.join(", ")} FROM seq_1_to_4000 WHERE seq <= ?`,
            { params: [n] },
          );
          let count = 0;
          let sum = 0;
          await drain(t, first, (chunk) => {
            assert.ok(chunk.rows.length <= CHUNK_CAP);
            for (const row of chunk.rows) {
              assert.equal(row.length, width);
              count++;
              sum += Number(row[0]);
            }
          });
          assert.equal(count, n);
          assert.equal(sum, (n * (n + 1)) / 2);
        }),
        RUNS,
      );
      await connectionsFreed(t);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "Property 22: two concurrent streams never see each other's rows",
  ...DB_TEST,
  async fn() {
    const db = await testDatabase();
    const t = await startTestApp({
      source: { databases: `[${JSON.stringify(db.db)}, ${JSON.stringify(db.otherDb)}]` },
    });
    try {
      // Feature: mysql-mcp-multi-datasource, Property 22: For any two concurrent query streams, they should operate independently without interference
      await fc.assert(
        fc.asyncProperty(
          rowCount,
          rowCount,
          fc.boolean(),
          fc.array(fc.constantFrom("a", "b", "both"), { minLength: 1, maxLength: 12 }),
          async (sizeA, sizeB, samePool, schedule) => {
            // Disjoint values: stream A yields 1..n, stream B yields -1..-n.
            const sql = (sign: number, n: number) =>
              `SELECT ${sign} * CAST(seq AS SIGNED) AS v FROM seq_1_to_4000 WHERE seq <= ${n}`;
            const [a, b] = await Promise.all([
              openStream(t, sql(1, sizeA)),
              openStream(t, sql(-1, sizeB), { database: samePool ? db.db : db.otherDb }),
            ]);
            const got = { a: [...a.rows], b: [...b.rows] };
            const more = { a: a.has_more, b: b.has_more };
            const ids = { a: a.stream_id, b: b.stream_id };
            const step = async (name: "a" | "b") => {
              if (!more[name]) return;
              const chunk = await nextChunk(t, ids[name]);
              assert.ok(chunk.rows.length <= CHUNK_CAP);
              got[name].push(...chunk.rows);
              more[name] = chunk.has_more;
            };
            for (let i = 0; more.a || more.b; i++) {
              const turn = schedule[i % schedule.length];
              if (turn === "both") await Promise.all([step("a"), step("b")]);
              else if (more[turn]) await step(turn);
              else await step(turn === "a" ? "b" : "a");
            }
            assert.deepEqual(
              got.a.map((r) => Number(r[0])),
              Array.from({ length: sizeA }, (_, i) => i + 1),
            );
            assert.deepEqual(
              got.b.map((r) => Number(r[0])),
              Array.from({ length: sizeB }, (_, i) => -(i + 1)),
            );
          },
        ),
        RUNS,
      );
      await connectionsFreed(t);
      await connectionsFreed(t, db.otherDb);
    } finally {
      await t.close();
    }
  },
});
