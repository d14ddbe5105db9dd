// Shared by the Containers module's tests: a real engine (real sandbox, real SQLite file in a temp
// folder), a client of /containers/api/v1 over real HTTP, and tar.gz archives made by tar(1).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startEngine, type EngineOptions } from '../../../src/engine/index.js';
import type { ContainersSubmission } from '../../../src/shared/containers.js';
import {
  finalAnswer,
  moduleHttp,
  reply,
  streamText,
  withToken,
  type ModuleUnderTest,
  type Reply,
} from '../helpers.js';

export const BASE = '/containers/api/v1';

/** A multipart field: text, or a file part with bytes. */
export type Part = string | { file: Buffer; name?: string };

export interface ContainersEngine extends ModuleUnderTest<ContainersSubmission> {
  /** POST or PUT a multipart body with file parts */
  multipart(method: string, path: string, parts: Record<string, Part>): Promise<Reply>;
  /** the id of the seeded project named `name` */
  projectId(name: string): Promise<string>;
  /** POST /workspaces (JSON) expecting 201, then waits until it runs; the workspace */
  workspace(fields: Record<string, unknown>): Promise<Record<string, unknown> & { id: string }>;
  /** waits until workspace `id` is no longer starting; its state code */
  settled(id: string): Promise<number>;
  /** POST /submissions (multipart, `source` from `files`) expecting 201, then the final result */
  runFiles(
    project: string,
    scenario: string,
    files: Record<string, string>,
  ): Promise<ContainersSubmission>;
}

export async function startContainersEngine(
  options: Partial<EngineOptions> = {},
): Promise<ContainersEngine> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'se-containers-test-')));
  const engine = await startEngine({ port: 0, workers: 2, log: () => {}, ...options, dataDir });
  const api = engine.url + BASE;
  const http = moduleHttp(engine, api);
  const t: ContainersEngine = {
    engine,
    dataDir,
    api,
    ...http,
    async multipart(method, path, parts) {
      const fd = new FormData();
      for (const [k, v] of Object.entries(parts))
        if (typeof v === 'string') fd.append(k, v);
        else fd.append(k, new Blob([v.file]), v.name ?? 'file');
      return reply(
        await fetch(withToken(api + path, undefined, engine.accessToken), { method, body: fd }),
      );
    },
    async projectId(name) {
      const r = await t.get('/projects?limit=20');
      assert.equal(r.status, 200, r.text);
      const p = (r.json.items as Array<{ id: string; name: string }>).find((x) => x.name === name);
      assert.ok(p, `no project ${name}: ${r.text}`);
      return p.id;
    },
    async workspace(fields) {
      const r = await t.post('/workspaces', { json: fields });
      assert.equal(r.status, 201, `POST /workspaces: ${r.status} ${r.text}`);
      const id = r.json.workspace.id as string;
      assert.equal(await t.settled(id), 2, `workspace ${id} did not start`);
      return { ...(r.json.workspace as Record<string, unknown>), id };
    },
    async settled(id) {
      for (let i = 0; i < 300; i++) {
        const r = await t.get(`/workspaces/${id}`);
        if (r.json?.state?.code !== 1) return r.json.state.code as number;
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error(`workspace ${id} is still starting`);
    },
    async runFiles(project, scenario, files) {
      const r = await t.multipart('POST', '/submissions', {
        project_id: await t.projectId(project),
        scenario,
        source: { file: tarGz({ workspace: files }), name: 'source.tar.gz' },
      });
      assert.equal(r.status, 201, `POST /submissions: ${r.status} ${r.text}`);
      return t.final(r.json.id as number, 120_000);
    },
    final: (id, timeoutMs = 120_000) =>
      finalAnswer<ContainersSubmission>(engine, 'containers', http, id, timeoutMs),
    stream: (id, name) => streamText(http, id, name),
    async close() {
      await engine.close();
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

/** A tree of files: a name maps to text, or to a folder's tree; `{link}` makes a symlink. */
export interface Tree {
  [name: string]: string | Tree | { link: string };
}

function writeTree(dir: string, tree: Tree): void {
  for (const [name, x] of Object.entries(tree)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    if (typeof x === 'string') writeFileSync(p, x);
    else if ('link' in x && typeof x.link === 'string') symlinkSync(x.link, p);
    else {
      mkdirSync(p, { recursive: true });
      writeTree(p, x as Tree);
    }
  }
}

/** A tar.gz of `tree` made by tar(1), as a client would (`tar -czf`); extra tar args allowed. */
export function tarGz(tree: Tree, args: string[] = []): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'se-tar-'));
  try {
    mkdirSync(join(dir, 'root'));
    writeTree(join(dir, 'root'), tree);
    execFileSync('tar', ['-czf', join(dir, 'out.tgz'), ...args, '-C', join(dir, 'root'), '.']);
    return readFileSync(join(dir, 'out.tgz'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const b64 = (s: string): string => Buffer.from(s).toString('base64');

const FIXTURE = fileURLToPath(new URL('../../fixtures/containers/FIXTURE/', import.meta.url));
const CLI = fileURLToPath(new URL('../../helpers/cli-entry.ts', import.meta.url));

/** Imports the fixture project with the command an author uses, then starts the engine. */
export async function engineWithFixture(
  options: Partial<EngineOptions> = {},
): Promise<ContainersEngine> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'se-containers-test-')));
  execFileSync(
    process.execPath,
    ['--import', 'tsx', CLI, 'projects', 'import', FIXTURE, '--data-dir', dataDir],
    { stdio: 'pipe' },
  );
  const t = await startContainersEngine({ ...options, dataDir });
  if (options.dataDir === undefined) {
    const close = t.close;
    t.close = async () => {
      await close();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  return t;
}

/**
 * Registers this file's hooks: before its tests, an engine with the fixture project (`use` gets
 * it and the project's id); after them, the engine closed.
 */
export function useFixtureEngine(
  use: (t: ContainersEngine, project: string) => void,
  options: Partial<EngineOptions> = {},
): void {
  let engine: ContainersEngine | undefined;
  before(async () => {
    engine = await engineWithFixture(options);
    use(engine, await engine.projectId('FIXTURE'));
  });
  after(() => engine?.close());
}

/**
 * Registers the enclosing suite's hooks: a workspace of `project` made before its tests (`use`
 * gets its id), removed after them.
 */
export function useWorkspace(
  engine: () => { t: ContainersEngine; project: string },
  use: (id: string) => void,
): void {
  let id = '';
  before(async () => {
    const { t, project } = engine();
    id = (await t.workspace({ project_id: project })).id;
    use(id);
  });
  after(() => engine().t.put(`/workspaces/${id}/remove`, { json: {} }));
}
