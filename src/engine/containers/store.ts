/**
 * The Containers module's workspaces, submissions and streams (SQLite, camelCase rows). Projects
 * live in projects.ts.
 */
import type { ContainersStreamName, StageName, StageResult } from '../../shared/containers.js';
import type { Db, Migration } from '../store/db.js';

export const containersMigrations: Migration[] = [
  {
    id: 'containers/002-workspaces',
    up: `
      CREATE TABLE containers_workspaces (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        project_id TEXT NOT NULL,
        state INTEGER NOT NULL,
        error_reason TEXT,
        created_at INTEGER NOT NULL,
        terminated_at INTEGER,
        last_usage INTEGER,
        stopped_at INTEGER,
        inactivity_timeout INTEGER NOT NULL,
        token_hash TEXT NOT NULL,
        token_required INTEGER NOT NULL,
        auto_resume INTEGER NOT NULL,
        retention_stopped INTEGER NOT NULL,
        retention_total INTEGER NOT NULL,
        config TEXT NOT NULL,
        workspace_init TEXT NOT NULL,
        init_failed INTEGER NOT NULL DEFAULT 0,
        init_output BLOB,
        init_error BLOB
      );
      CREATE INDEX containers_workspaces_state ON containers_workspaces (state);
    `,
  },
  {
    id: 'containers/003-submissions',
    up: `
      CREATE TABLE containers_submissions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project_id TEXT NOT NULL,
        workspace_id TEXT,
        scenario TEXT NOT NULL,
        config TEXT NOT NULL,
        workspace_init TEXT NOT NULL,
        status INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        time REAL,
        score REAL,
        memory INTEGER,
        signal INTEGER,
        stages TEXT,
        internal_error TEXT
      );
      CREATE TABLE containers_streams (
        submission_id INTEGER NOT NULL REFERENCES containers_submissions (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (submission_id, name)
      );
    `,
  },
];

export const WorkspaceState = {
  Starting: 1,
  Running: 2,
  Stopped: 3,
  Removed: 4,
  Error: 5,
} as const;
export const STATE_NAMES: Record<number, string> = {
  1: 'starting',
  2: 'running',
  3: 'stopped',
  4: 'removed',
  5: 'error',
};

export interface WorkspaceRow {
  seq: number;
  id: string;
  projectId: string;
  state: number;
  errorReason: string | null;
  createdAt: number;
  terminatedAt: number | null;
  lastUsage: number | null;
  stoppedAt: number | null;
  /** minutes */
  inactivityTimeout: number;
  tokenHash: string;
  tokenRequired: boolean;
  autoResume: boolean;
  /** minutes */
  retentionStopped: number;
  /** minutes */
  retentionTotal: number;
  config: string;
  workspaceInit: string;
  initFailed: boolean;
  initOutputSize: number | null;
  initErrorSize: number | null;
}

export interface SubmissionRow {
  id: number;
  projectId: string;
  workspaceId: string | null;
  scenario: string;
  config: string;
  workspaceInit: string;
  status: number;
  createdAt: number;
  startedAt: number | null;
  time: number | null;
  score: number | null;
  memory: number | null;
  signal: number | null;
  stages: Record<StageName, StageResult> | null;
  internalError: string | null;
  /** stream sizes by name (only the streams stored) */
  streams: Partial<Record<ContainersStreamName, number>>;
}

/** What a finished submission stores. */
export interface SubmissionResult {
  status: number;
  time: number;
  score: number;
  memory: number;
  signal: number;
  stages: Record<StageName, StageResult> | null;
  internalError: string | null;
  streams: Partial<Record<ContainersStreamName, Buffer>>;
}

const WS_COLUMNS = `seq, id, project_id, state, error_reason, created_at, terminated_at, last_usage,
  stopped_at, inactivity_timeout, token_hash, token_required, auto_resume, retention_stopped,
  retention_total, config, workspace_init, init_failed, length(init_output) AS init_output_size,
  length(init_error) AS init_error_size`;

type Raw = Record<string, unknown>;

function workspaceRow(r: Raw): WorkspaceRow {
  return {
    seq: r.seq as number,
    id: r.id as string,
    projectId: r.project_id as string,
    state: r.state as number,
    errorReason: r.error_reason as string | null,
    createdAt: r.created_at as number,
    terminatedAt: r.terminated_at as number | null,
    lastUsage: r.last_usage as number | null,
    stoppedAt: r.stopped_at as number | null,
    inactivityTimeout: r.inactivity_timeout as number,
    tokenHash: r.token_hash as string,
    tokenRequired: r.token_required === 1,
    autoResume: r.auto_resume === 1,
    retentionStopped: r.retention_stopped as number,
    retentionTotal: r.retention_total as number,
    config: r.config as string,
    workspaceInit: r.workspace_init as string,
    initFailed: r.init_failed === 1,
    initOutputSize: (r.init_output_size as number | null) ?? null,
    initErrorSize: (r.init_error_size as number | null) ?? null,
  };
}

/** What a new workspace is given; the rest starts empty. */
export type NewWorkspace = Pick<
  WorkspaceRow,
  | 'id'
  | 'projectId'
  | 'inactivityTimeout'
  | 'tokenHash'
  | 'tokenRequired'
  | 'autoResume'
  | 'retentionStopped'
  | 'retentionTotal'
  | 'config'
  | 'workspaceInit'
>;

export interface NewSubmission {
  projectId: string;
  workspaceId: string | null;
  scenario: string;
  config: string;
  workspaceInit: string;
  source: Buffer;
}

export class ContainersStore {
  constructor(private readonly db: Db) {}

  // --- workspaces ---

  insertWorkspace(w: NewWorkspace, now: number): WorkspaceRow {
    this.db
      .prepare(
        `INSERT INTO containers_workspaces (id, project_id, state, created_at, inactivity_timeout,
          token_hash, token_required, auto_resume, retention_stopped, retention_total, config,
          workspace_init)
         VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        w.id,
        w.projectId,
        now,
        w.inactivityTimeout,
        w.tokenHash,
        w.tokenRequired ? 1 : 0,
        w.autoResume ? 1 : 0,
        w.retentionStopped,
        w.retentionTotal,
        w.config,
        w.workspaceInit,
      );
    return this.workspace(w.id)!;
  }

  workspace(id: string): WorkspaceRow | null {
    const r = this.db
      .prepare(`SELECT ${WS_COLUMNS} FROM containers_workspaces WHERE id = ?`)
      .get(id) as Raw | undefined;
    return r ? workspaceRow(r) : null;
  }

  /** Workspaces by creation, newest first, filtered. */
  workspaces(
    f: { projectId?: string; states?: number[] },
    offset: number,
    limit: number,
  ): { rows: WorkspaceRow[]; total: number } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.projectId !== undefined) {
      where.push('project_id = ?');
      args.push(f.projectId);
    }
    if (f.states?.length) {
      where.push(`state IN (${f.states.map(() => '?').join(', ')})`);
      args.push(...f.states);
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.db.prepare(`SELECT count(*) AS n FROM containers_workspaces ${w}`).get(...args) as {
        n: number;
      }
    ).n;
    const rows = (
      this.db
        .prepare(
          `SELECT ${WS_COLUMNS} FROM containers_workspaces ${w} ORDER BY seq DESC LIMIT ? OFFSET ?`,
        )
        .all(...args, limit, offset) as Raw[]
    ).map(workspaceRow);
    return { rows, total };
  }

  /** Workspaces in the given states (the sweeper, the slot count, recovery). */
  inStates(states: number[]): WorkspaceRow[] {
    return (
      this.db
        .prepare(
          `SELECT ${WS_COLUMNS} FROM containers_workspaces
           WHERE state IN (${states.map(() => '?').join(', ')}) ORDER BY seq`,
        )
        .all(...states) as Raw[]
    ).map(workspaceRow);
  }

  countInStates(states: number[]): number {
    return (
      this.db
        .prepare(
          `SELECT count(*) AS n FROM containers_workspaces
           WHERE state IN (${states.map(() => '?').join(', ')})`,
        )
        .get(...states) as { n: number }
    ).n;
  }

  setState(
    id: string,
    state: number,
    extra: { errorReason?: string | null; stoppedAt?: number | null; terminatedAt?: number } = {},
  ): void {
    this.db
      .prepare(
        `UPDATE containers_workspaces SET state = ?,
           error_reason = coalesce(?, CASE WHEN ? = 5 THEN error_reason ELSE NULL END),
           stopped_at = CASE WHEN ? THEN ? ELSE stopped_at END,
           terminated_at = coalesce(?, terminated_at)
         WHERE id = ?`,
      )
      .run(
        state,
        extra.errorReason ?? null,
        state,
        extra.stoppedAt !== undefined ? 1 : 0,
        extra.stoppedAt ?? null,
        extra.terminatedAt ?? null,
        id,
      );
  }

  setInit(id: string, failed: boolean, output: Buffer, error: Buffer): void {
    this.db
      .prepare(
        `UPDATE containers_workspaces SET init_failed = ?, init_output = ?, init_error = ?
         WHERE id = ?`,
      )
      .run(failed ? 1 : 0, output.length ? output : null, error.length ? error : null, id);
  }

  initStream(id: string, which: 'output' | 'error'): Buffer | null {
    const r = this.db
      .prepare(`SELECT init_${which} AS data FROM containers_workspaces WHERE id = ?`)
      .get(id) as { data: Buffer | null } | undefined;
    return r?.data ?? null;
  }

  touch(id: string, now: number): void {
    this.db.prepare('UPDATE containers_workspaces SET last_usage = ? WHERE id = ?').run(now, id);
  }

  // --- submissions ---

  insertSubmission(s: NewSubmission, now: number): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO containers_submissions (project_id, workspace_id, scenario, config,
              workspace_init, status, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)`,
          )
          .run(s.projectId, s.workspaceId, s.scenario, s.config, s.workspaceInit, now)
          .lastInsertRowid,
      );
      this.db
        .prepare('INSERT INTO containers_streams (submission_id, name, data) VALUES (?, ?, ?)')
        .run(id, 'source', s.source);
      return id;
    })();
  }

  submission(id: number): SubmissionRow | null {
    const r = this.db.prepare('SELECT * FROM containers_submissions WHERE id = ?').get(id) as
      Raw | undefined;
    if (!r) return null;
    const streams = Object.fromEntries(
      (
        this.db
          .prepare(
            'SELECT name, length(data) AS size FROM containers_streams WHERE submission_id = ?',
          )
          .all(id) as Array<{ name: ContainersStreamName; size: number }>
      ).map((s) => [s.name, s.size]),
    );
    return {
      id: r.id as number,
      projectId: r.project_id as string,
      workspaceId: r.workspace_id as string | null,
      scenario: r.scenario as string,
      config: r.config as string,
      workspaceInit: r.workspace_init as string,
      status: r.status as number,
      createdAt: r.created_at as number,
      startedAt: r.started_at as number | null,
      time: r.time as number | null,
      score: r.score as number | null,
      memory: r.memory as number | null,
      signal: r.signal as number | null,
      stages: r.stages ? (JSON.parse(r.stages as string) as SubmissionRow['stages']) : null,
      internalError: r.internal_error as string | null,
      streams,
    };
  }

  /** Submission ids, newest first. */
  submissionIds(offset: number, limit: number): { ids: number[]; total: number } {
    const total = (
      this.db.prepare('SELECT count(*) AS n FROM containers_submissions').get() as { n: number }
    ).n;
    const ids = (
      this.db
        .prepare('SELECT id FROM containers_submissions ORDER BY id DESC LIMIT ? OFFSET ?')
        .all(limit, offset) as Array<{ id: number }>
    ).map((r) => r.id);
    return { ids, total };
  }

  stream(id: number, name: ContainersStreamName): Buffer | null {
    const r = this.db
      .prepare('SELECT data FROM containers_streams WHERE submission_id = ? AND name = ?')
      .get(id, name) as { data: Buffer } | undefined;
    return r?.data ?? null;
  }

  setStatus(id: number, status: number, startedAt?: number): void {
    this.db
      .prepare(
        `UPDATE containers_submissions SET status = ?, started_at = coalesce(?, started_at)
         WHERE id = ?`,
      )
      .run(status, startedAt ?? null, id);
  }

  /** Writes a final result and its streams (call inside the job's `finish`). */
  finishSubmission(id: number, r: SubmissionResult): void {
    this.db
      .prepare(
        `UPDATE containers_submissions SET status = ?, time = ?, score = ?, memory = ?,
           signal = ?, stages = ?, internal_error = ? WHERE id = ?`,
      )
      .run(
        r.status,
        r.time,
        r.score,
        r.memory,
        r.signal,
        r.stages ? JSON.stringify(r.stages) : null,
        r.internalError,
        id,
      );
    const put = this.db.prepare(
      'INSERT OR REPLACE INTO containers_streams (submission_id, name, data) VALUES (?, ?, ?)',
    );
    for (const [name, data] of Object.entries(r.streams))
      if (data && data.length) put.run(id, name, data);
  }

  /** Submissions still executing (status < 10). */
  executing(): number[] {
    return (
      this.db.prepare('SELECT id FROM containers_submissions WHERE status < 10').all() as Array<{
        id: number;
      }>
    ).map((r) => r.id);
  }
}
