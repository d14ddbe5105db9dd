import type { StopReason } from '../../shared/status.js';
import type { Db, Migration } from '../store/db.js';

/** The Compilers module's tables. Append new migrations; never edit a shipped one. */
export const compilersMigrations: Migration[] = [
  {
    id: 'compilers/001-submissions',
    up: `
      CREATE TABLE compilers_submissions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at INTEGER NOT NULL,
        compiler_id INTEGER NOT NULL,
        version_id INTEGER NOT NULL,
        -- names as they were when the submission was made: the toolchain may be gone later
        compiler_name TEXT NOT NULL,
        version_name TEXT NOT NULL,
        time_limit REAL NOT NULL,
        memory_limit INTEGER NOT NULL,
        source BLOB NOT NULL,
        input BLOB NOT NULL,
        files TEXT,
        status INTEGER NOT NULL DEFAULT 0,
        time REAL,
        memory INTEGER,
        signal INTEGER,
        signal_desc TEXT,
        output BLOB,
        error BLOB,
        cmpinfo BLOB,
        -- the operator's detail of an internal error (host paths etc.); never served
        internal_error TEXT,
        started_at INTEGER,
        finished_at INTEGER
      );
    `,
  },
  {
    // why the engine stopped the program (JSON StopReason; an extension of the spec)
    id: 'compilers/002-reason',
    up: `ALTER TABLE compilers_submissions ADD COLUMN reason TEXT;`,
  },
];

export const STREAMS = ['source', 'input', 'output', 'error', 'cmpinfo'] as const;
export type StreamName = (typeof STREAMS)[number];

/** A submission without its streams' contents (their sizes only). */
export interface SubmissionRow {
  id: number;
  createdAt: number;
  compilerId: number;
  versionId: number;
  compilerName: string;
  versionName: string;
  status: number;
  time: number | null;
  memory: number | null;
  signal: number | null;
  signalDesc: string | null;
  /** JSON StopReason, or null */
  reason: string | null;
  /** bytes of each stream (null: not produced yet) */
  sizes: Record<StreamName, number | null>;
}

/** What a worker needs to run a submission. */
export interface SubmissionJob {
  id: number;
  compilerId: number;
  versionId: number;
  timeLimit: number;
  memoryLimit: number;
  source: Buffer;
  input: Buffer;
  files: string | null;
}

export interface NewSubmission {
  compilerId: number;
  versionId: number;
  compilerName: string;
  versionName: string;
  timeLimitSec: number;
  memoryLimitKb: number;
  source: string;
  input: string;
  files: Record<string, string> | null;
}

/** The final figures and streams of a submission. */
export interface SubmissionResult {
  status: number;
  time: number;
  memory: number;
  signal: number;
  signalDesc: string;
  output: Buffer;
  error: Buffer;
  cmpinfo: Buffer;
  internalError?: string;
  reason?: StopReason;
}

const SUMMARY_COLUMNS = `id, created_at, compiler_id, version_id, compiler_name, version_name,
  status, time, memory, signal, signal_desc, reason,
  length(source) AS source_size, length(input) AS input_size, length(output) AS output_size,
  length(error) AS error_size, length(cmpinfo) AS cmpinfo_size`;

/** A row of SUMMARY_COLUMNS as the columns come. */
interface SummaryColumns {
  id: number;
  created_at: number;
  compiler_id: number;
  version_id: number;
  compiler_name: string;
  version_name: string;
  status: number;
  time: number | null;
  memory: number | null;
  signal: number | null;
  signal_desc: string | null;
  reason: string | null;
  source_size: number | null;
  input_size: number | null;
  output_size: number | null;
  error_size: number | null;
  cmpinfo_size: number | null;
}

/** The one row convention of the engine's stores: camelCase fields. */
function submissionRow(r: SummaryColumns): SubmissionRow {
  return {
    id: r.id,
    createdAt: r.created_at,
    compilerId: r.compiler_id,
    versionId: r.version_id,
    compilerName: r.compiler_name,
    versionName: r.version_name,
    status: r.status,
    time: r.time,
    memory: r.memory,
    signal: r.signal,
    signalDesc: r.signal_desc,
    reason: r.reason,
    sizes: {
      source: r.source_size,
      input: r.input_size,
      output: r.output_size,
      error: r.error_size,
      cmpinfo: r.cmpinfo_size,
    },
  };
}

/** The Compilers module's submissions table. */
export class SubmissionStore {
  private readonly stmt;

  constructor(private readonly db: Db) {
    this.stmt = {
      insert: db.prepare(`INSERT INTO compilers_submissions
        (created_at, compiler_id, version_id, compiler_name, version_name, time_limit,
         memory_limit, source, input, files, status)
        VALUES (@createdAt, @compilerId, @versionId, @compilerName, @versionName, @timeLimitSec,
         @memoryLimitKb, @source, @input, @files, @status)`),
      get: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM compilers_submissions WHERE id = ?`),
      job: db.prepare(`SELECT id, compiler_id AS compilerId, version_id AS versionId,
        time_limit AS timeLimit, memory_limit AS memoryLimit, source, input, files
        FROM compilers_submissions WHERE id = ?`),
      status: db.prepare(
        'UPDATE compilers_submissions SET status = ?, started_at = coalesce(started_at, ?) WHERE id = ?',
      ),
      finish: db.prepare(`UPDATE compilers_submissions SET status = @status, time = @time,
        memory = @memory, signal = @signal, signal_desc = @signalDesc, output = @output,
        error = @error, cmpinfo = @cmpinfo, internal_error = @internalError,
        reason = @reason, finished_at = @finishedAt WHERE id = @id`),
      orphans: db.prepare(`SELECT id FROM compilers_submissions WHERE status < 10
        AND id NOT IN (SELECT ref FROM jobs WHERE kind = 'compilers')`),
    };
  }

  /** Inserts a submission with `status` (0 waiting, or final when it will not run); its id. */
  insert(s: NewSubmission, status = 0): number {
    return Number(
      this.stmt.insert.run({
        ...s,
        source: Buffer.from(s.source),
        input: Buffer.from(s.input),
        files: s.files ? JSON.stringify(s.files) : null,
        createdAt: Date.now(),
        status,
      }).lastInsertRowid,
    );
  }

  get(id: number): SubmissionRow | undefined {
    const r = this.stmt.get.get(id) as SummaryColumns | undefined;
    return r && submissionRow(r);
  }

  /** The submissions among `ids` that exist, ascending by id. */
  list(ids: number[]): SubmissionRow[] {
    if (!ids.length) return [];
    return this.db
      .prepare(
        `SELECT ${SUMMARY_COLUMNS} FROM compilers_submissions
         WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY id`,
      )
      .all(...ids)
      .map((r) => submissionRow(r as SummaryColumns));
  }

  /** A stream's bytes; null when the submission does not exist. */
  stream(id: number, name: StreamName): { data: Buffer | null } | null {
    // `name` is one of STREAMS (checked by the caller), never user text, so it may be a column.
    const row = this.db
      .prepare(`SELECT ${name} AS data FROM compilers_submissions WHERE id = ?`)
      .get(id) as { data: Buffer | null } | undefined;
    return row ?? null;
  }

  job(id: number): SubmissionJob | undefined {
    return this.stmt.job.get(id) as SubmissionJob | undefined;
  }

  setStatus(id: number, status: number): void {
    this.stmt.status.run(status, Date.now(), id);
  }

  finish(id: number, r: SubmissionResult): void {
    this.stmt.finish.run({
      id,
      status: r.status,
      time: r.time,
      memory: r.memory,
      signal: r.signal,
      signalDesc: r.signalDesc,
      output: r.output,
      error: r.error,
      cmpinfo: r.cmpinfo,
      internalError: r.internalError ?? null,
      reason: r.reason ? JSON.stringify(r.reason) : null,
      finishedAt: Date.now(),
    });
  }

  /** Ids of submissions still "executing" with no job left to run them (should be none). */
  orphans(): number[] {
    return (this.stmt.orphans.all() as Array<{ id: number }>).map((r) => r.id);
  }
}
