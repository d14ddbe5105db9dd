import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** The engine's SQLite database (better-sqlite3, synchronous). */
export type Db = Database.Database;

/**
 * One schema change. `id` is unique across the engine and never changes once shipped (e.g.
 * `compilers/001-submissions`); `up` runs once, inside a transaction, in list order.
 */
export interface Migration {
  id: string;
  up: string | ((db: Db) => void);
}

/** The engine core's own tables: the schema log and the job queue. */
export const coreMigrations: Migration[] = [
  {
    id: 'core/001-jobs',
    up: `
      CREATE TABLE jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        ref INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running')),
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        started_at INTEGER
      );
      CREATE INDEX jobs_state ON jobs (state, id);
    `,
  },
];

/**
 * Opens (creating when needed) `engine.db` in `dataDir` with WAL journaling, then applies the
 * migrations not applied yet, in order.
 */
export function openDb(dataDir: string, migrations: Migration[]): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(join(dataDir, 'engine.db'));
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL with WAL: a commit survives a crash of the engine process (not of the machine), at a
    // fraction of FULL's cost per submission.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function migrate(db: Db, migrations: Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id TEXT PRIMARY KEY,
    applied_at INTEGER NOT NULL
  )`);
  const seen = new Set<string>();
  for (const m of migrations) {
    if (seen.has(m.id)) throw new Error(`duplicate migration id '${m.id}'`);
    seen.add(m.id);
  }
  const applied = new Set(
    (db.prepare('SELECT id FROM schema_migrations').all() as Array<{ id: string }>).map(
      (r) => r.id,
    ),
  );
  const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
  for (const m of migrations) {
    if (applied.has(m.id)) continue;
    db.transaction(() => {
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      record.run(m.id, Date.now());
    })();
  }
}
