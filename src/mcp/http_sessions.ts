import type { Caller } from "../gate/caller_scope.ts";
import type { Logger } from "../log/logger.ts";
import {
  isInitializeRequest,
  type Server,
  WebStandardStreamableHTTPServerTransport,
} from "./sdk.ts";

export interface HttpSessionsOptions {
  /** A fresh MCP server for one client, bounded by its scope. */
  readonly serverFor: (caller: Caller) => InstanceType<typeof Server>;
  readonly maxSessions: number;
  readonly idleTimeoutMs: number;
  readonly log: Logger;
}

interface Session {
  readonly transport: InstanceType<typeof WebStandardStreamableHTTPServerTransport>;
  readonly caller: Caller;
  /** Who may use the session: the token's name, or every anonymous request. */
  readonly owner: string | undefined;
  lastSeen: number;
  busy: number;
}

/**
 * The MCP sessions of the Streamable HTTP transport: one MCP server per session, created at
 * `initialize` for the caller who sent it, and usable only by that caller (another caller's
 * session id is answered 404, as an unknown one). Sessions beyond `maxSessions` are refused
 * and ones unused for `idleTimeoutMs` are closed. Only this folder knows the SDK.
 */
export class HttpSessions {
  readonly #sessions = new Map<string, Session>();
  readonly #sweep: ReturnType<typeof setInterval>;

  constructor(private readonly options: HttpSessionsOptions) {
    this.#sweep = setInterval(
      () => this.#closeIdle(),
      Math.max(50, Math.min(options.idleTimeoutMs / 2, 30_000)),
    );
    Deno.unrefTimer(this.#sweep);
  }

  /** Open sessions. */
  get size(): number {
    return this.#sessions.size;
  }

  /**
   * Answers one request to the MCP endpoint. `body` is the parsed JSON of a POST; `caller`
   * the authenticated caller, undefined when the server has no tokens (loopback only).
   */
  async handle(request: Request, body: unknown, caller: Caller | undefined): Promise<Response> {
    const id = request.headers.get("mcp-session-id");
    if (id !== null) {
      const session = this.#sessions.get(id);
      if (!session || session.owner !== caller?.id) {
        return jsonRpcError(404, -32001, "Session not found");
      }
      session.lastSeen = Date.now();
      session.busy++;
      try {
        return await session.transport.handleRequest(request, { parsedBody: body });
      } finally {
        session.busy--;
        session.lastSeen = Date.now();
      }
    }
    const initializing = request.method === "POST" &&
      (Array.isArray(body) ? body.some(isInitializeRequest) : isInitializeRequest(body));
    if (!initializing) {
      return jsonRpcError(400, -32000, "Bad Request: send initialize first, then Mcp-Session-Id");
    }
    if (this.#sessions.size >= this.options.maxSessions) {
      return jsonRpcError(503, -32000, "Too many open sessions: try again later", {
        "retry-after": "5",
      });
    }
    return await this.#open(request, body, caller);
  }

  /** Closes every session: ends their event streams and MCP servers. */
  async closeAll(): Promise<void> {
    clearInterval(this.#sweep);
    await Promise.all([...this.#sessions.values()].map((s) => s.transport.close()));
    this.#sessions.clear();
  }

  async #open(request: Request, body: unknown, caller: Caller | undefined): Promise<Response> {
    const id = crypto.randomUUID();
    // Without tokens every client is anonymous: each session is a caller of its own, so one
    // client's streams stay its own.
    const sessionCaller = caller ??
      { id: `anonymous-${id.slice(0, 8)}`, scope: {}, client: "anonymous" };
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      // Whole answers, not event streams: tool results are single messages, and a JSON body
      // is cheaper to write and to read.
      enableJsonResponse: true,
    });
    const server = this.options.serverFor(sessionCaller);
    await server.connect(transport);
    const session: Session = {
      transport,
      caller: sessionCaller,
      owner: caller?.id,
      lastSeen: Date.now(),
      busy: 1,
    };
    const onclose = transport.onclose;
    transport.onclose = () => {
      this.#sessions.delete(id);
      onclose?.();
    };
    this.#sessions.set(id, session);
    try {
      const response = await transport.handleRequest(request, { parsedBody: body });
      if (transport.sessionId === undefined || response.status >= 400) {
        await transport.close();
      } else {
        this.options.log.debug("http session opened", { caller: sessionCaller.id });
      }
      return response;
    } finally {
      session.busy--;
    }
  }

  #closeIdle(): void {
    const now = Date.now();
    for (const session of this.#sessions.values()) {
      if (session.busy === 0 && now - session.lastSeen > this.options.idleTimeoutMs) {
        this.options.log.debug("http session expired", { caller: session.caller.id });
        void session.transport.close();
      }
    }
  }
}

/** A JSON-RPC error as the HTTP answer, as the SDK's transport writes its own. */
export function jsonRpcError(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}
