/**
 * The projects store: a row per project and its folders (template, hidden tests, environment)
 * under `<dataDir>/containers/projects/<id>/`, written by an import and never by a learner.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { removeTreeSync } from '../sandbox/index.js';
import type { Db, Migration } from '../store/db.js';
import { parseProjectConfigText } from './config.js';
import type { ProjectFields, ProjectPackage } from './folder.js';

/**
 * Copies the folder `from` to `to` (new), modes and times kept, symlinks copied as links; a
 * trusted tree only (a project's, never a learner's). Null, or why it failed.
 */
export function copyTree(from: string, to: string): string | null {
  const r = spawnSync('/usr/bin/cp', ['-R', '--preserve=mode,timestamps', '--', from, to], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {},
  });
  return r.status === 0 ? null : `copying ${from}: ${String(r.stderr).trim()}`;
}

export const containersProjectMigrations: Migration[] = [
  {
    id: 'containers/001-projects',
    up: `
      CREATE TABLE containers_projects (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        description TEXT NOT NULL,
        stack TEXT NOT NULL,
        slots INTEGER NOT NULL,
        template INTEGER NOT NULL,
        config TEXT NOT NULL,
        workspace_init TEXT NOT NULL,
        digest TEXT NOT NULL
      );
    `,
  },
];

/** A stored project: what its folder said, with its id and creation date. */
export interface ProjectRow extends ProjectFields {
  /** 32 lowercase hex */
  id: string;
  name: string;
  /** ms */
  createdAt: number;
}

export interface ProjectFiles {
  /** the template files (the learner's /home/user/workspace at creation) */
  workspace: string;
  /** hidden test files (bound read-only at /opt/se/tests in the test stage only) */
  tests: string | null;
  /** the read-only environment folder (bound at /opt/se/env in every stage) */
  env: string | null;
}

type Raw = Record<string, unknown>;

function row(r: Raw): ProjectRow {
  return {
    id: r.id as string,
    name: r.name as string,
    createdAt: r.created_at as number,
    description: r.description as string,
    stack: r.stack as string,
    slots: r.slots as number,
    template: r.template === 1,
    configText: r.config as string,
    config: parseProjectConfigText(r.config as string),
    workspaceInit: r.workspace_init as string,
  };
}

export class ProjectStore {
  private readonly root: string;

  constructor(
    private readonly db: Db,
    dataDir: string,
  ) {
    this.root = join(dataDir, 'containers', 'projects');
  }

  get(id: string): ProjectRow | null {
    const r = this.db.prepare('SELECT * FROM containers_projects WHERE id = ?').get(id) as
      Raw | undefined;
    return r ? row(r) : null;
  }

  findByName(name: string): ProjectRow | null {
    const r = this.db.prepare('SELECT * FROM containers_projects WHERE name = ?').get(name) as
      Raw | undefined;
    return r ? row(r) : null;
  }

  list(offset: number, limit: number): { rows: ProjectRow[]; total: number } {
    const total = (
      this.db.prepare('SELECT count(*) AS n FROM containers_projects').get() as { n: number }
    ).n;
    const rows = (
      this.db
        .prepare('SELECT * FROM containers_projects ORDER BY created_at, id LIMIT ? OFFSET ?')
        .all(limit, offset) as Raw[]
    ).map(row);
    return { rows, total };
  }

  files(id: string): ProjectFiles {
    const dir = join(this.root, id);
    return {
      workspace: join(dir, 'workspace'),
      tests: existsSync(join(dir, 'tests')) ? join(dir, 'tests') : null,
      env: existsSync(join(dir, 'env')) ? join(dir, 'env') : null,
    };
  }

  /**
   * Imports a read folder: a project of the same name keeps its id and creation date; its files
   * are replaced at once (a new folder renamed over the old one). Importing the same folder again
   * changes nothing (`changed: false`).
   */
  importPackage(pkg: ProjectPackage): { id: string; created: boolean; changed: boolean } {
    const old = this.db
      .prepare('SELECT id, digest FROM containers_projects WHERE name = ?')
      .get(pkg.name) as { id: string; digest: string } | undefined;
    if (old && old.digest === pkg.digest && existsSync(join(this.root, old.id)))
      return { id: old.id, created: false, changed: false };
    const id = old?.id ?? randomBytes(16).toString('hex');
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    const fresh = join(this.root, `.new-${id}-${randomBytes(4).toString('hex')}`);
    mkdirSync(fresh, { mode: 0o755 });
    try {
      for (const part of ['workspace', 'tests', 'env'] as const) {
        const from = join(pkg.dir, part);
        if (part !== 'workspace' && !existsSync(from)) continue;
        const to = join(fresh, part);
        if (!existsSync(from)) mkdirSync(to, { mode: 0o755 });
        else {
          const why = copyTree(from, to);
          if (why) throw new Error(why);
        }
      }
      const dest = join(this.root, id);
      const stale = existsSync(dest) ? `${dest}.old-${randomBytes(4).toString('hex')}` : null;
      if (stale) renameSync(dest, stale);
      renameSync(fresh, dest);
      if (stale) removeTreeSync(stale);
    } catch (err) {
      removeTreeSync(fresh);
      throw err;
    }
    const fields = [
      pkg.description,
      pkg.stack,
      pkg.slots,
      pkg.template ? 1 : 0,
      pkg.configText,
      pkg.workspaceInit,
      pkg.digest,
    ];
    if (old)
      this.db
        .prepare(
          `UPDATE containers_projects SET description = ?, stack = ?, slots = ?, template = ?,
             config = ?, workspace_init = ?, digest = ? WHERE id = ?`,
        )
        .run(...fields, id);
    else
      this.db
        .prepare(
          `INSERT INTO containers_projects (description, stack, slots, template, config,
             workspace_init, digest, id, name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(...fields, id, pkg.name, Date.now());
    return { id, created: !old, changed: true };
  }
}

/** The projects of an engine's data folder, opened directly (the `projects` command). */
export function openProjectsData(
  dataDir: string,
  open: (dataDir: string, migrations: Migration[]) => Db,
): { store: ProjectStore; close(): void } {
  const db = open(dataDir, containersProjectMigrations);
  return { store: new ProjectStore(db, dataDir), close: () => db.close() };
}
