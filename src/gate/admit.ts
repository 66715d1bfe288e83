import type { Catalog, TableInfo } from "../datasources/catalog.ts";
import type { Datasources } from "../datasources/datasources.ts";
import { ToolError } from "../errors/tool_error.ts";
import { classifySql, type Flavor, MAX_SQL_LENGTH, type SqlAnalysis } from "../sql/classify.ts";
import type { QueryHooks, StatementInfo } from "./hooks.ts";
import { type CallerScope, checkScope } from "./caller_scope.ts";
import { type Admission, checkTableEngines, checkViews, decide, isBuiltin } from "./policy.ts";
import type { TrustedSql } from "./trusted_sql.ts";
import { foldKeys, keysFor, objectKey, type ViewReach, viewReach } from "./view_reach.ts";

export interface GateRequest {
  datasource: string;
  database: string;
  sql: string;
  params?: readonly unknown[];
  signal?: AbortSignal;
  /** Lower than the source's max_rows to return fewer rows; never higher. */
  maxRows?: number;
  requestId?: string;
  tool?: string;
  /** The caller's scope; absent is the full scope (stdio). */
  scope?: CallerScope;
}

/** A statement that passed every check and may run. */
export interface AdmittedStatement {
  readonly info: StatementInfo;
  readonly analysis: SqlAnalysis;
  readonly admission: Admission;
  readonly warnings: string[];
}

/** Statements up to this long have their analysis remembered, this many at a time. */
const MEMO_MAX_SQL = 4096;
const MEMO_ENTRIES = 512;

/** One database's tables and views by exact key, and the exact keys by case-folded key. */
interface KnownObjects {
  exact: Map<string, TableInfo>;
  folded: Map<string, string[]>;
}

/**
 * Every check before a statement may run: source, database, allow-list, statement
 * class, refusals, the objects it names, parameters and the before-query hooks.
 */
export class Admitter {
  /** Reach of each view-definitions map the catalog hands out, built once per map. */
  readonly #reach = new WeakMap<ReadonlyMap<string, string>, ViewReach>();
  /** Each table list the catalog hands out, by exact and case-folded key, built once per list. */
  readonly #objects = new WeakMap<readonly TableInfo[], KnownObjects>();
  /** classifySql() of recent short statements, by flavour and text (#classify). */
  readonly #analyses = new Map<string, SqlAnalysis>();

  constructor(
    private readonly datasources: Datasources,
    private readonly catalog: Catalog,
    private readonly trusted: TrustedSql,
    private readonly hooks: readonly QueryHooks[],
  ) {}

  async admit(req: GateRequest, kind: StatementInfo["kind"]): Promise<AdmittedStatement> {
    const source = this.datasources.get(req.datasource);
    // Before the catalog connects: a caller outside its scope reaches no database at all.
    checkScope(req.scope ?? {}, { datasource: source.key, write: kind === "execute" });
    if (typeof req.sql !== "string" || req.sql.trim() === "") {
      throw new ToolError("INVALID_ARGUMENT", "The SQL text is empty");
    }
    if (req.sql.length > MAX_SQL_LENGTH) {
      throw new ToolError(
        "INVALID_ARGUMENT",
        `The SQL text is ${req.sql.length} characters long; the gate analyses at most ${MAX_SQL_LENGTH}: send smaller statements`,
      );
    }
    await this.catalog.requireDatabase(req.datasource, req.database);
    // The catalog check above has connected: the server's reserved words apply.
    const analysis = this.#classify(req.sql, this.datasources.flavor(req.datasource));
    const verb = analysis.verb || "(empty)";
    if (analysis.firstStatement.trim() === "") {
      throw new ToolError("INVALID_ARGUMENT", "The SQL text holds no statement");
    }
    let admission: Admission;
    try {
      admission = decide(
        analysis,
        source,
        req.database,
        kind === "execute" ? "execute" : "query",
        req.scope,
      );
      if (analysis.tables.length > 0) await this.#checkObjects(req, analysis);
    } catch (refusal) {
      // Outside the grammar is refused; when the server agrees it is not even valid SQL, its
      // syntax error (with the position) helps the agent more than ours.
      if (analysis.notUnderstood && analysis.category !== "other") {
        const syntax = await this.trusted.syntaxError(
          req.datasource,
          req.database,
          analysis.firstStatement,
        );
        if (syntax !== undefined) throw syntax;
      }
      throw refusal;
    }
    const paramCount = req.params?.length ?? 0;
    if (paramCount !== analysis.positionalParams) {
      throw new ToolError(
        "INVALID_ARGUMENT",
        `The statement has ${analysis.positionalParams} ? placeholder(s) but ${paramCount} param(s) were given`,
      );
    }
    const warnings: string[] = [];
    if (analysis.ignoredStatements > 0) {
      warnings.push(
        `Only the first statement was executed; ${analysis.ignoredStatements} more statement(s) were ignored.`,
      );
    }
    const info: StatementInfo = {
      requestId: req.requestId ?? "",
      tool: req.tool ?? "",
      datasource: req.datasource,
      database: req.database,
      kind,
      sql: analysis.firstStatement,
      verb,
      paramCount,
    };
    for (const hooks of this.hooks) {
      const refusal = await hooks.beforeQuery?.(info);
      if (typeof refusal === "string") {
        throw new ToolError("STATEMENT_NOT_ALLOWED", `Refused by a query hook: ${refusal}`);
      }
    }
    return { info, analysis, admission, warnings };
  }

  /**
   * The parser's facts, remembered for short statements: agents repeat the same text with
   * other parameters (a PK lookup's analysis is ~5-13 µs of its ~0.5 ms). The facts depend
   * on the text and the flavour only, and nothing changes them after classifySql().
   */
  #classify(sql: string, flavor: Flavor | undefined): SqlAnalysis {
    if (sql.length > MEMO_MAX_SQL) return classifySql(sql, { flavor });
    const key = `${flavor ?? ""}\u0000${sql}`;
    let analysis = this.#analyses.get(key);
    if (analysis === undefined) {
      analysis = classifySql(sql, { flavor });
      if (this.#analyses.size >= MEMO_ENTRIES) this.#analyses.clear();
      this.#analyses.set(key, analysis);
    }
    return analysis;
  }

  /**
   * What the tables a statement names really are: views are followed to what they read, and
   * tables of engines that read other tables are refused (metadata cached by the catalog).
   */
  async #checkObjects(req: GateRequest, analysis: SqlAnalysis, fresh = false): Promise<void> {
    const source = this.datasources.get(req.datasource);
    const views = await this.catalog.viewDefinitions(req.datasource, fresh);
    let reach = this.#reach.get(views);
    if (reach === undefined) {
      reach = viewReach(views, isBuiltin, this.datasources.flavor(req.datasource));
      this.#reach.set(views, reach);
    }
    checkViews(analysis, source, req.database, reach);
    // The base tables reached, through views too: their engines must not reach further.
    const tables = analysis.tables.flatMap((t) => reach(t.db ?? req.database, t.name)!.tables);
    const objects = new Map<string, KnownObjects>();
    for (const db of new Set(tables.map((t) => t.db))) {
      // A database that does not exist has no tables to worry about; any other failure to
      // look is an error, never a pass.
      const list = await this.catalog.tables(req.datasource, db, fresh).catch((error) => {
        if (error instanceof ToolError && error.code === "DATABASE_NOT_FOUND") return [];
        throw error;
      });
      let known = this.#objects.get(list);
      if (known === undefined) {
        const exact = new Map(list.map((t) => [objectKey(db, t.name), t]));
        this.#objects.set(list, known = { exact, folded: foldKeys(exact.keys()) });
      }
      objects.set(db, known);
    }
    const found = (db: string, name: string): TableInfo[] => {
      const known = objects.get(db);
      if (known === undefined) return [];
      return keysFor(known.exact, known.folded, db, name).map((key) => known.exact.get(key)!);
    };
    // An object the cached metadata does not know (or a view the definitions do not know) is
    // newer than it: read both again, once, before deciding.
    const ctes = new Set(analysis.cteNames);
    const stale = tables.some((t) => {
      const objects = found(t.db, t.name);
      return objects.some((o) => o.type === "view") ||
        (objects.length === 0 && !ctes.has(t.name.toLowerCase()));
    });
    if (stale && !fresh) return await this.#checkObjects(req, analysis, true);
    // A table that fails to open has no engine: unknown, so checked as if it reached further.
    checkTableEngines(
      tables,
      (db, name) => found(db, name).map((o) => o.type === "view" ? "VIEW" : o.engine ?? "MERGE"),
    );
  }
}
