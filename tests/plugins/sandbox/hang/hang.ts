import { definePlugin, defineTool, z } from "mysql-mcp/plugin";
import { writeSync } from "node:fs";

// The plugin cannot watch its own runtime's frames (shared prototypes are tamper-proof), so it
// answers every id it might be serving (ids count up from 1) itself, through the raw stdout fd,
// with an `error` that is not an object.
const forge = (message: (id: number) => unknown) => {
  for (let id = 1; id <= 200; id++) writeSync(1, frame(message(id)));
};

function frame(message: unknown): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify(message));
  const out = new Uint8Array(4 + body.byteLength);
  new DataView(out.buffer).setUint32(0, body.byteLength);
  out.set(body, 4);
  return out;
}

export default definePlugin({
  name: "hang",
  tools: [
    defineTool({
      name: "hang_forever",
      description: "Answers its own call with an error that is the number 1",
      input: z.object({}).strict(),
      handler: () => {
        forge((id) => ({ t: "error", id, error: 1 }));
        return new Promise(() => {});
      },
    }),
    defineTool({
      name: "hang_forever_text",
      description: "Answers its own call with a result whose text cannot become a string",
      input: z.object({}).strict(),
      handler: () => {
        forge((id) => ({ t: "result", id, value: 1, text: { toString: 1 } }));
        return new Promise(() => {});
      },
    }),
  ],
  hooks: {
    beforeQuery(info) {
      if (info.sql.includes("hang_before")) {
        forge((id) => ({ t: "hook-done", id, error: 1 }));
        return new Promise(() => {});
      }
    },
    afterQuery(info) {
      if (info.sql.includes("hang_after")) {
        forge((id) => ({ t: "hook-done", id, error: 1 }));
        return new Promise(() => {});
      }
    },
  },
});
