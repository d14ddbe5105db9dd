/**
 * The Problems module's tables and every query on them. Problems, test cases, custom judges,
 * judged submissions and widgets; built-in judges live in code (judges/catalog.ts).
 */
import type { Statement } from 'better-sqlite3';
import type { StopReason } from '../../shared/status.js';
import type { Db, Migration } from '../store/db.js';
import { FIRST_CUSTOM_JUDGE_ID } from './judges/catalog.js';

/** The module's schema changes, appended to the engine's migration list. */
export const problemsMigrations: Migration[] = [
  {
    id: 'problems/001-schema',
    up: `
      CREATE TABLE problems (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        body TEXT NOT NULL DEFAULT '',
        type_id INTEGER NOT NULL DEFAULT 0,
        interactive INTEGER NOT NULL DEFAULT 0,
        masterjudge_id INTEGER NOT NULL,
        body_modified INTEGER NOT NULL,
        settings_modified INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE problem_testcases (
        problem_id INTEGER NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        input BLOB NOT NULL,
        output BLOB NOT NULL,
        time_limit REAL NOT NULL,
        judge_id INTEGER NOT NULL,
        active INTEGER NOT NULL,
        PRIMARY KEY (problem_id, number)
      );
      CREATE TABLE problem_judges (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        type_id INTEGER NOT NULL,
        compiler_id INTEGER NOT NULL,
        compiler_version_id INTEGER NOT NULL,
        source BLOB NOT NULL,
        shared INTEGER NOT NULL DEFAULT 0,
        version INTEGER NOT NULL DEFAULT 1,
        import_key TEXT UNIQUE,
        created_at INTEGER NOT NULL
      );
      INSERT INTO sqlite_sequence (name, seq) VALUES ('problem_judges', ${FIRST_CUSTOM_JUDGE_ID - 1});
      CREATE TABLE problem_submissions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        problem_id INTEGER NOT NULL,
        problem_code TEXT NOT NULL,
        problem_name TEXT NOT NULL,
        compiler_id INTEGER NOT NULL,
        compiler_version_id INTEGER NOT NULL,
        -- names as they were when the submission was made: the toolchain may be gone later
        compiler_name TEXT NOT NULL,
        version_name TEXT NOT NULL,
        source BLOB NOT NULL,
        files TEXT,
        tests TEXT,
        created_at INTEGER NOT NULL,
        status INTEGER NOT NULL DEFAULT 0,
        score REAL,
        time REAL,
        memory INTEGER,
        signal INTEGER,
        output BLOB,
        error BLOB,
        cmpinfo BLOB,
        debug BLOB,
        testcases TEXT NOT NULL DEFAULT '[]',
        -- the operator's detail of an internal or judge error (host paths etc.); never served
        internal_error TEXT,
        finished_at INTEGER
      );
      CREATE TABLE problem_widgets (
        hash TEXT PRIMARY KEY,
        shared_secret TEXT NOT NULL,
        name TEXT NOT NULL,
        problem_id INTEGER NOT NULL,
        settings TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
];

export interface ProblemRow {
  id: number;
  code: string;
  name: string;
  body: string;
  typeId: number;
  interactive: boolean;
  masterjudgeId: number;
  /** unix seconds */
  bodyModified: number;
  settingsModified: number;
}

export interface TestcaseRow {
  problemId: number;
  number: number;
  input: Buffer;
  output: Buffer;
  /** seconds */
  timeLimit: number;
  judgeId: number;
  active: boolean;
}

/** A test case without its data (lists). */
export type TestcaseMeta = Omit<TestcaseRow, 'input' | 'output'> & {
  inputSize: number;
  outputSize: number;
};

export interface JudgeRow {
  id: number;
  name: string;
  typeId: number;
  compilerId: number;
  compilerVersionId: number;
  source: Buffer;
  shared: boolean;
  /** bumped by every update of the compiler or the source: the compile cache's key */
  version: number;
  importKey: string | null;
}

/** One test case's result as stored and as `result.testcases[]` needs it. */
export interface TestcaseResultRow {
  number: number;
  status: number;
  score: number;
  time: number;
  memory: number;
  signal: number;
  reason?: StopReason;
}

export interface SubmissionRow {
  id: number;
  problemId: number;
  problemCode: string;
  problemName: string;
  compilerId: number;
  compilerVersionId: number;
  compilerName: string;
  versionName: string;
  source: Buffer;
  files: Record<string, string> | null;
  tests: number[] | null;
  /** ms since the epoch */
  createdAt: number;
  status: number;
  score: number | null;
  time: number | null;
  memory: number | null;
  signal: number | null;
  testcases: TestcaseResultRow[];
  /** stream sizes in bytes (null: no stream) */
  sizes: Record<StreamName, number | null>;
}

/** A widget of a problem (`POST /widgets`), as stored. */
export interface WidgetRow {
  hash: string;
  sharedSecret: string;
  name: string;
  problemId: number;
  settings: Record<string, unknown>;
}

export type StreamName = 'output' | 'error' | 'cmpinfo' | 'debug';

/** What a new submission is created with: its problem, and its compiler and code. */
export type NewSubmission = { problem: ProblemRow } & Pick<
  SubmissionRow,
  'compilerId' | 'compilerVersionId' | 'compilerName' | 'versionName' | 'source' | 'files' | 'tests'
>;

/** The final state a judged submission is written with: its figures and its streams. */
export type SubmissionResult = Pick<
  SubmissionRow,
  'status' | 'score' | 'time' | 'memory' | 'signal' | 'testcases'
> &
  Record<StreamName, Buffer | null> & {
    /** for the operator only: what failed (status 20 or 21) */
    internalError?: string;
  };

/** `row` with the fields `changes` gives a value (an update's new state). */
function patched<T extends object>(row: T, changes: Partial<T>): T {
  const next = { ...row };
  for (const key of Object.keys(changes) as Array<keyof T>) {
    const value = changes[key];
    if (value !== undefined) next[key] = value as T[keyof T];
  }
  return next;
}

const nowSec = (): number => Math.floor(Date.now() / 1000);
const bool = (x: unknown): boolean => x === 1 || x === true;

/* eslint-disable @typescript-eslint/no-explicit-any -- rows come untyped from better-sqlite3 */
const problemRow = (r: any): ProblemRow => ({
  id: r.id,
  code: r.code,
  name: r.name,
  body: r.body,
  typeId: r.type_id,
  interactive: bool(r.interactive),
  masterjudgeId: r.masterjudge_id,
  bodyModified: r.body_modified,
  settingsModified: r.settings_modified,
});

const judgeRow = (r: any): JudgeRow => ({
  id: r.id,
  name: r.name,
  typeId: r.type_id,
  compilerId: r.compiler_id,
  compilerVersionId: r.compiler_version_id,
  source: r.source,
  shared: bool(r.shared),
  version: r.version,
  importKey: r.import_key,
});

const testcaseRow = (r: any): TestcaseRow => ({
  problemId: r.problem_id,
  number: r.number,
  input: r.input,
  output: r.output,
  timeLimit: r.time_limit,
  judgeId: r.judge_id,
  active: bool(r.active),
});

const testcaseMeta = (r: any): TestcaseMeta => ({
  problemId: r.problem_id,
  number: r.number,
  timeLimit: r.time_limit,
  judgeId: r.judge_id,
  active: bool(r.active),
  inputSize: r.input_size,
  outputSize: r.output_size,
});

const submissionRow = (r: any): SubmissionRow => ({
  id: r.id,
  problemId: r.problem_id,
  problemCode: r.problem_code,
  problemName: r.problem_name,
  compilerId: r.compiler_id,
  compilerVersionId: r.compiler_version_id,
  compilerName: r.compiler_name,
  versionName: r.version_name,
  source: r.source,
  files: r.files === null ? null : JSON.parse(r.files),
  tests: r.tests === null ? null : JSON.parse(r.tests),
  createdAt: r.created_at,
  status: r.status,
  score: r.score,
  time: r.time,
  memory: r.memory,
  signal: r.signal,
  testcases: JSON.parse(r.testcases),
  sizes: {
    output: r.output_size,
    error: r.error_size,
    cmpinfo: r.cmpinfo_size,
    debug: r.debug_size,
  },
});

const widgetRow = (r: any): WidgetRow => ({
  hash: r.hash,
  sharedSecret: r.shared_secret,
  name: r.name,
  problemId: r.problem_id,
  settings: JSON.parse(r.settings) as Record<string, unknown>,
});
/* eslint-enable @typescript-eslint/no-explicit-any */

const SUBMISSION_COLUMNS = `id, problem_id, problem_code, problem_name, compiler_id,
  compiler_version_id, compiler_name, version_name, source, files, tests, created_at, status, score, time, memory, signal,
  testcases, length(output) AS output_size, length(error) AS error_size,
  length(cmpinfo) AS cmpinfo_size, length(debug) AS debug_size`;

const TESTCASE_META = `problem_id, number, time_limit, judge_id, active,
  length(input) AS input_size, length(output) AS output_size`;

/** Problems' data access over the engine's database. Every method is synchronous. */
export class ProblemsStore {
  private readonly statements = new Map<string, Statement>();

  constructor(readonly db: Db) {}

  /** `sql`, prepared on its first use only (preparing costs several times a run). */
  private prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  /** Runs `fn` in one transaction. */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // --- problems

  /** A problem by numeric id or by code (`/problems/:id` accepts both). */
  findProblem(idOrCode: string | number): ProblemRow | null {
    const s = String(idOrCode);
    const row = /^\d+$/.test(s)
      ? this.prepare('SELECT * FROM problems WHERE id = ?').get(Number(s))
      : this.prepare('SELECT * FROM problems WHERE code = ?').get(s);
    return row ? problemRow(row) : null;
  }

  codeTaken(code: string): boolean {
    return this.prepare('SELECT 1 FROM problems WHERE code = ?').get(code) !== undefined;
  }

  /** Inserts a problem; without a code it gets `P<id>` (or the first free variant). */
  createProblem(p: {
    code?: string;
    name: string;
    body: string;
    typeId: number;
    interactive: boolean;
    masterjudgeId: number;
  }): ProblemRow {
    return this.tx(() => {
      const t = nowSec();
      const placeholder = `\u0000pending-${process.pid}-${Date.now()}-${Math.random()}`;
      const id = Number(
        this.prepare(
          `INSERT INTO problems (code, name, body, type_id, interactive, masterjudge_id,
              body_modified, settings_modified, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          p.code ?? placeholder,
          p.name,
          p.body,
          p.typeId,
          p.interactive ? 1 : 0,
          p.masterjudgeId,
          t,
          t,
          t,
        ).lastInsertRowid,
      );
      if (p.code === undefined) {
        let code = `P${id}`;
        for (let n = 2; this.codeTaken(code); n++) code = `P${id}_${n}`;
        this.prepare('UPDATE problems SET code = ? WHERE id = ?').run(code, id);
      }
      return this.findProblem(id)!;
    });
  }

  countProblems(): number {
    return (this.prepare('SELECT count(*) AS n FROM problems').get() as { n: number }).n;
  }

  listProblems(limit: number, offset: number): ProblemRow[] {
    return this.prepare('SELECT * FROM problems ORDER BY id LIMIT ? OFFSET ?')
      .all(limit, offset)
      .map(problemRow);
  }

  /**
   * Updates the given fields; `activeTestcases` (numbers) makes exactly those test cases active.
   * Bumps `lastModified.body` for name or body changes and `.settings` for the rest.
   */
  updateProblem(
    id: number,
    p: {
      name?: string;
      body?: string;
      typeId?: number;
      interactive?: boolean;
      masterjudgeId?: number;
      activeTestcases?: number[];
    },
  ): void {
    this.tx(() => {
      const cur = this.findProblem(id);
      if (!cur) return;
      const t = nowSec();
      const bodyChanged =
        (p.name !== undefined && p.name !== cur.name) ||
        (p.body !== undefined && p.body !== cur.body);
      let settingsChanged =
        (p.typeId !== undefined && p.typeId !== cur.typeId) ||
        (p.interactive !== undefined && p.interactive !== cur.interactive) ||
        (p.masterjudgeId !== undefined && p.masterjudgeId !== cur.masterjudgeId);
      if (p.activeTestcases) {
        const want = new Set(p.activeTestcases);
        for (const tc of this.listTestcases(id)) {
          if (tc.active !== want.has(tc.number)) {
            settingsChanged = true;
            this.prepare(
              'UPDATE problem_testcases SET active = ? WHERE problem_id = ? AND number = ?',
            ).run(want.has(tc.number) ? 1 : 0, id, tc.number);
          }
        }
      }
      const n = patched(cur, p);
      this.prepare(
        `UPDATE problems SET name = ?, body = ?, type_id = ?, interactive = ?, masterjudge_id = ?,
            body_modified = ?, settings_modified = ? WHERE id = ?`,
      ).run(
        n.name,
        n.body,
        n.typeId,
        n.interactive ? 1 : 0,
        n.masterjudgeId,
        bodyChanged ? t : cur.bodyModified,
        settingsChanged ? t : cur.settingsModified,
        id,
      );
    });
  }

  /** Deletes a problem and its test cases; its submissions stay readable. */
  deleteProblem(id: number): boolean {
    return this.prepare('DELETE FROM problems WHERE id = ?').run(id).changes > 0;
  }

  /** Marks the problem's settings as modified now (`lastModified.settings`). */
  touchSettings(problemId: number): void {
    this.prepare('UPDATE problems SET settings_modified = ? WHERE id = ?').run(nowSec(), problemId);
  }

  // --- test cases

  listTestcases(problemId: number): TestcaseMeta[] {
    return this.prepare(
      `SELECT ${TESTCASE_META} FROM problem_testcases WHERE problem_id = ? ORDER BY number`,
    )
      .all(problemId)
      .map(testcaseMeta);
  }

  countTestcases(problemId: number): number {
    return (
      this.prepare('SELECT count(*) AS n FROM problem_testcases WHERE problem_id = ?').get(
        problemId,
      ) as { n: number }
    ).n;
  }

  getTestcaseMeta(problemId: number, number: number): TestcaseMeta | null {
    const r = this.prepare(
      `SELECT ${TESTCASE_META} FROM problem_testcases WHERE problem_id = ? AND number = ?`,
    ).get(problemId, number);
    return r ? testcaseMeta(r) : null;
  }

  /** A test case with its input and expected output. */
  getTestcase(problemId: number, number: number): TestcaseRow | null {
    const r = this.prepare(
      'SELECT * FROM problem_testcases WHERE problem_id = ? AND number = ?',
    ).get(problemId, number);
    return r ? testcaseRow(r) : null;
  }

  /** Appends a test case with the next number (0, 1, ...). */
  createTestcase(
    problemId: number,
    t: { input: Buffer; output: Buffer; timeLimit: number; judgeId: number; active: boolean },
  ): number {
    return this.tx(() => {
      const next = this.prepare(
        'SELECT coalesce(max(number) + 1, 0) AS n FROM problem_testcases WHERE problem_id = ?',
      ).get(problemId) as { n: number };
      this.prepare(
        `INSERT INTO problem_testcases (problem_id, number, input, output, time_limit, judge_id,
            active) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(problemId, next.n, t.input, t.output, t.timeLimit, t.judgeId, t.active ? 1 : 0);
      this.touchSettings(problemId);
      return next.n;
    });
  }

  updateTestcase(
    problemId: number,
    number: number,
    t: { input?: Buffer; output?: Buffer; timeLimit?: number; judgeId?: number; active?: boolean },
  ): void {
    this.tx(() => {
      const cur = this.getTestcase(problemId, number);
      if (!cur) return;
      const n = patched(cur, t);
      this.prepare(
        `UPDATE problem_testcases SET input = ?, output = ?, time_limit = ?, judge_id = ?,
            active = ? WHERE problem_id = ? AND number = ?`,
      ).run(n.input, n.output, n.timeLimit, n.judgeId, n.active ? 1 : 0, problemId, number);
      this.touchSettings(problemId);
    });
  }

  /**
   * Deletes test case `number` and renumbers the ones after it down by one, as the hosted service
   * does, so a problem's test cases stay numbered 0..n-1 (the folder format relies on it). False
   * when there was no such test case.
   */
  deleteTestcase(problemId: number, number: number): boolean {
    return this.tx(() => {
      const gone =
        this.prepare('DELETE FROM problem_testcases WHERE problem_id = ? AND number = ?').run(
          problemId,
          number,
        ).changes > 0;
      if (!gone) return false;
      // Two steps through negative numbers: SQLite checks the key row by row, in no set order.
      this.prepare(
        'UPDATE problem_testcases SET number = -number WHERE problem_id = ? AND number > ?',
      ).run(problemId, number);
      this.prepare(
        'UPDATE problem_testcases SET number = -number - 1 WHERE problem_id = ? AND number < 0',
      ).run(problemId);
      this.touchSettings(problemId);
      return true;
    });
  }

  /** Removes test cases numbered `from` and above (folder import). */
  deleteTestcasesFrom(problemId: number, from: number): number {
    return this.prepare('DELETE FROM problem_testcases WHERE problem_id = ? AND number >= ?').run(
      problemId,
      from,
    ).changes;
  }

  // --- custom judges

  getJudge(id: number): JudgeRow | null {
    const r = this.prepare('SELECT * FROM problem_judges WHERE id = ?').get(id);
    return r ? judgeRow(r) : null;
  }

  findJudgeByImportKey(key: string): JudgeRow | null {
    const r = this.prepare('SELECT * FROM problem_judges WHERE import_key = ?').get(key);
    return r ? judgeRow(r) : null;
  }

  countJudges(typeId: number): number {
    return (
      this.prepare('SELECT count(*) AS n FROM problem_judges WHERE type_id = ?').get(typeId) as {
        n: number;
      }
    ).n;
  }

  listJudges(typeId: number, limit: number, offset: number): JudgeRow[] {
    return this.prepare(
      'SELECT * FROM problem_judges WHERE type_id = ? ORDER BY id LIMIT ? OFFSET ?',
    )
      .all(typeId, limit, offset)
      .map(judgeRow);
  }

  createJudge(
    j: Pick<
      JudgeRow,
      'name' | 'typeId' | 'compilerId' | 'compilerVersionId' | 'source' | 'shared'
    > & {
      importKey?: string;
    },
  ): number {
    return Number(
      this.prepare(
        `INSERT INTO problem_judges (name, type_id, compiler_id, compiler_version_id, source,
            shared, import_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        j.name,
        j.typeId,
        j.compilerId,
        j.compilerVersionId,
        j.source,
        j.shared ? 1 : 0,
        j.importKey ?? null,
        Date.now(),
      ).lastInsertRowid,
    );
  }

  /** Updates a judge; a new compiler or source bumps its version (its compiled form is stale). */
  updateJudge(
    id: number,
    j: Partial<Pick<JudgeRow, 'name' | 'compilerId' | 'compilerVersionId' | 'source' | 'shared'>>,
  ): void {
    this.tx(() => {
      const cur = this.getJudge(id);
      if (!cur) return;
      const code =
        (j.compilerId !== undefined && j.compilerId !== cur.compilerId) ||
        (j.compilerVersionId !== undefined && j.compilerVersionId !== cur.compilerVersionId) ||
        (j.source !== undefined && !j.source.equals(cur.source));
      const n = patched(cur, j);
      this.prepare(
        `UPDATE problem_judges SET name = ?, compiler_id = ?, compiler_version_id = ?, source = ?,
            shared = ?, version = version + ? WHERE id = ?`,
      ).run(
        n.name,
        n.compilerId,
        n.compilerVersionId,
        n.source,
        n.shared ? 1 : 0,
        code ? 1 : 0,
        id,
      );
    });
  }

  // --- submissions

  createSubmission(s: NewSubmission): number {
    return Number(
      this.prepare(
        `INSERT INTO problem_submissions (problem_id, problem_code, problem_name, compiler_id,
            compiler_version_id, compiler_name, version_name, source, files, tests, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        s.problem.id,
        s.problem.code,
        s.problem.name,
        s.compilerId,
        s.compilerVersionId,
        s.compilerName,
        s.versionName,
        s.source,
        s.files ? JSON.stringify(s.files) : null,
        s.tests ? JSON.stringify(s.tests) : null,
        Date.now(),
      ).lastInsertRowid,
    );
  }

  getSubmission(id: number): SubmissionRow | null {
    const r = this.prepare(
      `SELECT ${SUBMISSION_COLUMNS} FROM problem_submissions WHERE id = ?`,
    ).get(id);
    return r ? submissionRow(r) : null;
  }

  /** The submissions among `ids` that exist, ascending by id. */
  getSubmissions(ids: number[]): SubmissionRow[] {
    if (ids.length === 0) return [];
    return this.prepare(
      `SELECT ${SUBMISSION_COLUMNS} FROM problem_submissions WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY id`,
    )
      .all(...ids)
      .map(submissionRow);
  }

  /** A raw stream; null when the submission has none of that kind (or does not exist). */
  getStream(id: number, stream: StreamName | 'source'): Buffer | null {
    const r = this.prepare(`SELECT ${stream} AS data FROM problem_submissions WHERE id = ?`).get(
      id,
    ) as { data: Buffer | null } | undefined;
    return r?.data ?? null;
  }

  getStatus(id: number): number | null {
    const r = this.prepare('SELECT status FROM problem_submissions WHERE id = ?').get(id) as
      { status: number } | undefined;
    return r ? r.status : null;
  }

  /** Submissions still "executing" with no job of `kind` in the queue. */
  orphans(kind: string): number[] {
    return (
      this.prepare(
        `SELECT id FROM problem_submissions WHERE status < 10
            AND id NOT IN (SELECT ref FROM jobs WHERE kind = ?)`,
      ).all(kind) as Array<{ id: number }>
    ).map((r) => r.id);
  }

  setSubmissionStatus(id: number, status: number): void {
    this.prepare('UPDATE problem_submissions SET status = ? WHERE id = ?').run(status, id);
  }

  /** Puts a finished submission back to "waiting" with no result (to be judged again). */
  resetSubmission(id: number): void {
    this.prepare(
      `UPDATE problem_submissions SET status = 0, score = NULL, time = NULL, memory = NULL,
          signal = NULL, testcases = '[]', output = NULL, error = NULL, cmpinfo = NULL,
          debug = NULL, internal_error = NULL, finished_at = NULL WHERE id = ?`,
    ).run(id);
  }

  finishSubmission(id: number, r: SubmissionResult): void {
    this.prepare(
      `UPDATE problem_submissions SET status = ?, score = ?, time = ?, memory = ?, signal = ?,
          testcases = ?, output = ?, error = ?, cmpinfo = ?, debug = ?, internal_error = ?,
          finished_at = ? WHERE id = ?`,
    ).run(
      r.status,
      r.score,
      r.time,
      r.memory,
      r.signal,
      JSON.stringify(r.testcases),
      r.output,
      r.error,
      r.cmpinfo,
      r.debug,
      r.internalError ?? null,
      Date.now(),
      id,
    );
  }

  // --- widgets

  createWidget(w: WidgetRow): void {
    this.prepare(
      `INSERT INTO problem_widgets (hash, shared_secret, name, problem_id, settings, created_at)
          VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(w.hash, w.sharedSecret, w.name, w.problemId, JSON.stringify(w.settings), Date.now());
  }

  getWidget(hash: string): WidgetRow | null {
    const r = this.prepare('SELECT * FROM problem_widgets WHERE hash = ?').get(hash);
    return r ? widgetRow(r) : null;
  }
}
