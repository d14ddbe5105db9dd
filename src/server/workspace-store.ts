/**
 * Which upstream workspace belongs to which learner: one per widget and subject, kept in SQLite
 * (`backend.db` in the backend's data folder) so a restart of the backend finds every learner's
 * files again. Without a data folder the mapping lives in memory and the backend says so once.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface WorkspaceLink {
  widget: string;
  subject: string;
  /** the upstream workspace's id */
  workspaceId: string;
  project: string;
  createdAt: number;
}

export class WorkspaceStore {
  private readonly db: Database.Database;

  /** `dir`: the backend's data folder (created 0700), or null for an in-memory store. */
  constructor(readonly dir: string | null) {
    if (dir) mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.db = new Database(dir ? join(dir, 'backend.db') : ':memory:');
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS workspace_links (
      widget TEXT NOT NULL,
      subject TEXT NOT NULL,
      workspace_id TEXT NOT NULL,
      project TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (widget, subject)
    )`);
  }

  get(widget: string, subject: string): WorkspaceLink | null {
    const r = this.db
      .prepare('SELECT * FROM workspace_links WHERE widget = ? AND subject = ?')
      .get(widget, subject) as Record<string, unknown> | undefined;
    return r
      ? {
          widget: r.widget as string,
          subject: r.subject as string,
          workspaceId: r.workspace_id as string,
          project: r.project as string,
          createdAt: r.created_at as number,
        }
      : null;
  }

  /** Records (or replaces: the old workspace was removed upstream) the subject's workspace. */
  put(link: WorkspaceLink): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO workspace_links (widget, subject, workspace_id, project, created_at)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(link.widget, link.subject, link.workspaceId, link.project, link.createdAt);
  }

  close(): void {
    this.db.close();
  }
}
