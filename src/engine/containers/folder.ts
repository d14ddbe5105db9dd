/**
 * The project folder format (README, "Projects (Containers)"): how Containers projects are
 * authored outside the API, imported into an engine's store (idempotently, by name) and exported
 * back.
 *
 * ```
 * PYTHON-UNITTEST/
 *   project.json        {"name", "description"?, "stack"?, "slots"?, "template"?, "requires"?,
 *                        "config": {...}}
 *   workspace_init.sh   optional: run in the new workspace when it is created
 *   workspace/          the template: the learner's /home/user/workspace at creation
 *   tests/              optional hidden tests: /opt/se/tests, read-only, in the test stage only
 *   env/                optional environment folder: /opt/se/env, read-only, in every stage
 * ```
 *
 * `config` is the scenario configuration (config.ts). Symlinks, devices and FIFOs are refused
 * anywhere in the folder, as are files over 16 MiB, more than 2000 files, or 64 MiB in all.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as v from 'valibot';
import { parseProjectConfig, ProjectConfigError, type ProjectConfig } from './config.js';
import { copyTree, type ProjectStore } from './projects.js';

/** A project folder that cannot be read or imported; the message names the file and the fix. */
export class ProjectFolderError extends Error {
  override name = 'ProjectFolderError';
}

/** What a project folder and a stored project both hold. */
export interface ProjectFields {
  description: string;
  stack: string;
  slots: number;
  template: boolean;
  /** the configuration as JSON text (project.json's `config`) */
  configText: string;
  config: ProjectConfig;
  /** the init script, '' when none */
  workspaceInit: string;
}

/** A project folder, read and checked. */
export interface ProjectPackage extends ProjectFields {
  name: string;
  /** the folder (its workspace/, tests/, env/ are copied at import) */
  dir: string;
  /** a digest of everything above and every file, so an unchanged import changes nothing */
  digest: string;
  /** programs it needs (absolute paths), and those this machine lacks */
  requires: string[];
  missing: string[];
  hasTests: boolean;
  hasEnv: boolean;
}

const PROJECT_FILE = 'project.json';
const INIT_FILE = 'workspace_init.sh';
const LIMITS = { fileBytes: 16 * 1024 * 1024, files: 2000, totalBytes: 64 * 1024 * 1024 };
const NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$/;

const metaSchema = v.object({
  name: v.pipe(
    v.string('must be text'),
    v.regex(NAME, 'must be 1-100 letters, digits, space, _ . or -'),
  ),
  description: v.optional(v.string('must be text'), ''),
  stack: v.optional(v.string('must be text'), ''),
  slots: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)), 10),
  template: v.optional(v.boolean('must be true or false'), false),
  /** programs the project needs (absolute paths): a demo project is not seeded without them */
  requires: v.optional(
    v.array(v.pipe(v.string(), v.startsWith('/', 'must be an absolute path'))),
    [],
  ),
  config: v.unknown(),
});

/** Reads and checks a project folder. */
export function readProjectFolder(dir: string): ProjectPackage {
  const root = resolve(dir);
  if (!existsSync(root) || !lstatSync(root).isDirectory())
    throw new ProjectFolderError(`${dir}: not a folder`);
  const file = join(root, PROJECT_FILE);
  if (!existsSync(file)) throw new ProjectFolderError(`${dir}: no ${PROJECT_FILE}`);
  let meta: v.InferOutput<typeof metaSchema>;
  try {
    const r = v.safeParse(metaSchema, JSON.parse(readFileSync(file, 'utf8')));
    if (!r.success)
      throw new Error(`${v.getDotPath(r.issues[0]) ?? 'the file'}: ${r.issues[0].message}`);
    meta = r.output;
  } catch (err) {
    throw new ProjectFolderError(`${file}: ${(err as Error).message}`);
  }
  let config: ProjectConfig;
  try {
    config = parseProjectConfig(meta.config);
  } catch (err) {
    if (err instanceof ProjectConfigError)
      throw new ProjectFolderError(`${file}: config.${err.message}`);
    throw err;
  }
  if (!existsSync(join(root, 'workspace')))
    throw new ProjectFolderError(
      `${dir}: no workspace/ folder (the template files; it may be empty)`,
    );
  const hash = createHash('sha256');
  const configText = JSON.stringify(meta.config, null, 2);
  const init = join(root, INIT_FILE);
  const workspaceInit = existsSync(init) ? readFileSync(init, 'utf8') : '';
  hash.update(
    JSON.stringify([
      meta.name,
      meta.description,
      meta.stack,
      meta.slots,
      meta.template,
      configText,
      workspaceInit,
    ]),
  );
  let files = 0;
  let total = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const rel = relative(root, p);
      const st = lstatSync(p);
      if (st.isSymbolicLink())
        throw new ProjectFolderError(
          `${rel}: symlinks are not allowed in a project folder (copy the file instead)`,
        );
      if (st.isDirectory()) {
        hash.update(`d:${rel}:${st.mode & 0o777}\n`);
        walk(p);
      } else if (st.isFile()) {
        if (st.size > LIMITS.fileBytes)
          throw new ProjectFolderError(`${rel}: over ${LIMITS.fileBytes / 1024 / 1024} MiB`);
        if (++files > LIMITS.files)
          throw new ProjectFolderError(`${dir}: more than ${LIMITS.files} files`);
        total += st.size;
        if (total > LIMITS.totalBytes)
          throw new ProjectFolderError(
            `${dir}: more than ${LIMITS.totalBytes / 1024 / 1024} MiB of files`,
          );
        hash.update(`f:${rel}:${st.mode & 0o777}:`);
        hash.update(readFileSync(p));
        hash.update('\n');
      } else
        throw new ProjectFolderError(
          `${rel}: only files and folders are allowed (a device, FIFO or socket)`,
        );
    }
  };
  for (const part of ['workspace', 'tests', 'env'])
    if (existsSync(join(root, part))) walk(join(root, part));
  return {
    name: meta.name,
    description: meta.description,
    stack: meta.stack,
    slots: meta.slots,
    template: meta.template,
    configText,
    workspaceInit,
    dir: root,
    digest: hash.digest('hex'),
    config,
    requires: meta.requires,
    missing: meta.requires.filter((p) => !existsSync(p)),
    hasTests: existsSync(join(root, 'tests')),
    hasEnv: existsSync(join(root, 'env')),
  };
}

export interface ImportResult {
  name: string;
  id: string;
  action: 'imported' | 'updated' | 'unchanged';
}

/** Reads and imports `dir`: a project folder, or a folder of them. */
export function importProjectFolder(store: ProjectStore, dir: string): ImportResult[] {
  const folders = existsSync(join(dir, PROJECT_FILE))
    ? [dir]
    : readdirSync(dir)
        .sort()
        .map((n) => join(dir, n))
        .filter((p) => existsSync(join(p, PROJECT_FILE)));
  if (!folders.length)
    throw new ProjectFolderError(`${dir}: no ${PROJECT_FILE} here or in its folders`);
  return folders.map((f) => {
    const pkg = readProjectFolder(f);
    const r = store.importPackage(pkg);
    return {
      name: pkg.name,
      id: r.id,
      action: r.created ? 'imported' : r.changed ? 'updated' : 'unchanged',
    };
  });
}

/** Writes project `idOrName` as a folder at `dir` (new or empty); importing it gives the same project. */
export function exportProjectFolder(store: ProjectStore, idOrName: string, dir: string): string {
  const p = store.get(idOrName) ?? store.findByName(idOrName);
  if (!p) throw new ProjectFolderError(`no project ${idOrName}`);
  if (existsSync(dir) && readdirSync(dir).length)
    throw new ProjectFolderError(`${dir}: not empty (export into a new or empty folder)`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, PROJECT_FILE),
    JSON.stringify(
      {
        name: p.name,
        description: p.description,
        stack: p.stack,
        slots: p.slots,
        template: p.template,
        config: JSON.parse(p.configText) as unknown,
      },
      null,
      2,
    ) + '\n',
  );
  if (p.workspaceInit) writeFileSync(join(dir, INIT_FILE), p.workspaceInit);
  const files = store.files(p.id);
  for (const [part, from] of Object.entries(files)) {
    if (!from) continue;
    const why = copyTree(from, join(dir, part));
    if (why) throw new ProjectFolderError(why);
  }
  return p.id;
}
