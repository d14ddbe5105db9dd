/**
 * The Containers module's behaviour: workspaces (states 1-5, a uid and storage each, a slot
 * limit, the idle sweeper, retention), their files (every operation in the sandbox: runner.ts),
 * and scenario submissions run as jobs on the engine's pool (stages.ts).
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  statSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, posix } from 'node:path';
import type { ContainersStreamName } from '../../shared/containers.js';
import { Status } from '../../shared/status.js';
import { ArchiveError, readTarGz, writeTar, type TarCaps, type TarEntry } from '../archive.js';
import { ApiError } from '../http/errors.js';
import type { EngineContext } from '../module.js';
import type { JobContext } from '../queue.js';
import { mountCapped, removeTree, SLOT_UID_BASE } from '../sandbox/index.js';
import { SubmissionJobs, type FinalResult } from '../submission-jobs.js';
import {
  defaultScenario,
  parseProjectConfigText,
  ProjectConfigError,
  type ProjectConfig,
} from './config.js';
import { WorkspaceDisk } from './disk.js';
import { ContainersError as E, noSlots, workspaceNotFound } from './errors.js';
import { copyTree, ProjectStore, type ProjectRow } from './projects.js';
import { FILE_BYTES, WORKSPACE, WorkspaceRunner, type WorkspaceTarget } from './runner.js';
import { runScenario, type StageCaps } from './stages.js';
import {
  ContainersStore,
  STATE_NAMES,
  WorkspaceState as S,
  type SubmissionRow,
  type WorkspaceRow,
} from './store.js';
import { submissionView } from './views.js';

export const BASE_PATH = '/containers/api/v1';
export const JOB_KIND = 'containers';

/** The module's settings (engine options `containers`). */
export interface ContainersSettings {
  /** workspaces starting or running at once (default 20) */
  slots: number;
  /** bytes of one workspace's files (default 256 MiB) */
  diskBytes: number;
  /** how often the idle sweeper runs, ms (default 30 s) */
  sweepMs: number;
  /** minutes after which any workspace is removed, whatever it asked for (default 30 days) */
  lifetimeMin: number;
  /** memory of one stage (default 1 GiB) */
  memoryBytes: number;
  /**
   * the engine's extensions of the API: file changes, reset, scenario runs on a workspace and
   * terminals (default true); false answers exactly the spec's methods, as the hosted service does
   */
  extensions: boolean;
}

export const CONTAINERS_DEFAULTS: ContainersSettings = {
  slots: 20,
  diskBytes: 256 * 1024 * 1024,
  sweepMs: 30_000,
  lifetimeMin: 43_200,
  memoryBytes: 1024 * 1024 * 1024,
  extensions: true,
};

/** Caps of a `files` or `source` archive. */
const ARCHIVE_CAPS: TarCaps = {
  tarBytes: 64 * 1024 * 1024,
  entries: 5000,
  files: 5000,
  fileBytes: 48 * 1024 * 1024,
  // a `workspace/` folder alone runs the project's template as it is
  allowNoFiles: true,
};

/** Where workspace uids start (as root): workspace n runs as 200000 + n. */
const WORKSPACE_UID_BASE = 200_000;
/** The most a scenario run on a workspace keeps of its files as the submission's source (packed). */
const SOURCE_BYTES = 64 * 1024 * 1024;
/** How long workspace_init may run. */
const INIT_TIMEOUT_SEC = 60;

interface ContainersResult extends FinalResult {
  time: number;
  score: number;
  memory: number;
  signal: number;
  stages: SubmissionRow['stages'];
  streams: Partial<Record<ContainersStreamName, Buffer>>;
}

const TEXTS = {
  userInternalError: 'internal error: the scenario could not run; try again later.\n',
  noSandboxNote: '',
};

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export class ContainersService extends SubmissionJobs<ContainersResult> {
  readonly projects: ProjectStore;
  readonly rows: ContainersStore;
  private readonly disk: WorkspaceDisk | null;
  private readonly runner: WorkspaceRunner | null;
  private readonly scratch: string | null;
  private readonly starting = new Map<string, Promise<void>>();
  /** per workspace: the tail of its scenario runs and file writes, so they never interleave */
  private readonly chains = new Map<string, Promise<unknown>>();
  /** as root: copies of the projects' folders the workspace uids can reach */
  private readonly reachable = new Map<string, { key: string; root: string }>();
  private sweeper: NodeJS.Timeout | null = null;
  private readonly configs = new Map<string, ProjectConfig>();

  constructor(
    ctx: EngineContext,
    readonly settings: ContainersSettings,
  ) {
    super(ctx, 'containers', TEXTS);
    this.projects = new ProjectStore(ctx.db, ctx.dataDir);
    this.rows = new ContainersStore(ctx.db);
    const ws = ctx.workspaceSandbox;
    if (ws) {
      this.scratch = join(ws.scratchDir, 'containers');
      mkdirSync(this.scratch, { recursive: true, mode: 0o711 });
      chmodSync(this.scratch, 0o711);
      this.disk = new WorkspaceDisk({
        storeDir: join(ctx.dataDir, 'containers', 'workspaces'),
        mountDir: this.scratch,
        capBytes: settings.diskBytes,
        log: ctx.log,
      });
      this.runner = new WorkspaceRunner(ws.sandbox, 64 * 1024 * 1024);
    } else {
      this.scratch = null;
      this.disk = null;
      this.runner = null;
    }
  }

  /** Code runs here only in the real sandbox (the layout of a workspace needs it). */
  protected override canRun(): boolean {
    return this.ctx.workspaceSandbox !== null;
  }

  /** How the disk cap is enforced: by the kernel (`loop`) or measured. */
  get diskMode(): string {
    return this.disk?.mode ?? 'none';
  }

  // ------------------------------------------------------------------ start, sweep, close

  /** After a restart: what was running comes back (resumed when auto_resume, else stopped). */
  recover(): void {
    const now = Date.now();
    for (const w of this.rows.inStates([S.Starting]))
      this.rows.setState(w.id, S.Error, {
        errorReason: 'the engine stopped while the workspace was starting',
      });
    let running = 0;
    for (const w of this.rows.inStates([S.Running])) {
      if (w.autoResume && this.disk && running < this.settings.slots) {
        try {
          this.disk.attach(w.id, this.uidOf(w));
          running++;
          continue;
        } catch (err) {
          this.ctx.log(`containers: workspace ${w.id} could not be resumed: ${String(err)}`);
        }
      }
      this.rows.setState(w.id, S.Stopped, { stoppedAt: now });
    }
    this.sweeper = setInterval(() => void this.sweep(), this.settings.sweepMs);
    this.sweeper.unref();
  }

  /** Stops idle workspaces; removes those past their retention or lifetime. */
  async sweep(now = Date.now()): Promise<void> {
    const min = 60_000;
    for (const w of this.rows.inStates([S.Running, S.Stopped, S.Error])) {
      const age = now - w.createdAt;
      if (
        age > this.settings.lifetimeMin * min ||
        (w.retentionTotal > 0 && age > w.retentionTotal * min)
      ) {
        await this.removeNow(w, now);
        continue;
      }
      if (w.state === S.Running && !this.chains.has(w.id)) {
        const idle = now - (w.lastUsage ?? w.createdAt);
        if (idle > w.inactivityTimeout * min) {
          this.ctx.log(
            `containers: workspace ${w.id} idle for ${Math.round(idle / min)} min: stopped`,
          );
          this.stopNow(w, now);
        }
      } else if (w.state === S.Stopped && now - (w.stoppedAt ?? now) >= w.retentionStopped * min) {
        await this.removeNow(w, now);
      }
    }
  }

  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.disk?.close();
  }

  // ------------------------------------------------------------------ projects

  project(id: string): ProjectRow | null {
    return this.projects.get(id);
  }

  projectRef(id: string): { id: string; name: string } {
    return { id, name: this.projects.get(id)?.name ?? '' };
  }

  /** The terminal's pty relay as the sandbox copied it where workspace uids reach it; null: not built. */
  get ptyHelper(): string | null {
    return this.ctx.workspaceSandbox?.sandbox.ptyHelper ?? null;
  }

  /** The project's folders, reachable by the workspace uids (copied to the scratch as root). */
  private projectFolders(p: ProjectRow): {
    workspace: string;
    tests: string | null;
    env: string | null;
  } {
    const files = this.projects.files(p.id);
    if (process.getuid?.() !== 0 || !this.scratch) return files;
    const st = statSync(files.workspace);
    const key = `${p.configText.length}:${st.ino}:${st.mtimeMs}:${p.createdAt}`;
    let cached = this.reachable.get(p.id);
    if (!cached || cached.key !== key) {
      const root = mkdtempSync(join(this.scratch, 'project-'));
      chmodSync(root, 0o711);
      for (const [name, from] of Object.entries(files)) {
        if (!from) continue;
        const why = copyTree(from, join(root, name));
        if (why) throw new Error(why);
        spawnSync('/usr/bin/chmod', ['-R', 'a+rX', '--', join(root, name)], {
          stdio: 'ignore',
          env: {},
        });
      }
      if (cached) void removeTree(cached.root);
      cached = { key, root };
      this.reachable.set(p.id, cached);
    }
    return {
      workspace: join(cached.root, 'workspace'),
      tests: files.tests ? join(cached.root, 'tests') : null,
      env: files.env ? join(cached.root, 'env') : null,
    };
  }

  /** The project a workspace or submission is created from; 400 / 1003 when there is none. */
  private projectToCreate(id: string): ProjectRow {
    const project = this.projects.get(id);
    if (!project)
      throw new ApiError(400, E.CreationFailed, `creation failed: project ${id} not found`);
    return project;
  }

  /**
   * A stored configuration, parsed once (every file operation and run reads it; workspaces of a
   * project share its text).
   */
  private parsed(text: string): ProjectConfig {
    let c = this.configs.get(text);
    if (!c) {
      if (this.configs.size >= 256) this.configs.clear();
      c = parseProjectConfigText(text);
      this.configs.set(text, c);
    }
    return c;
  }

  /** The effective configuration: the override, or the project's. */
  configOf(p: ProjectRow, override: string | null): { text: string; config: ProjectConfig } {
    if (override === null) return { text: p.configText, config: p.config };
    try {
      return { text: override, config: parseProjectConfigText(override) };
    } catch (err) {
      if (!(err instanceof ProjectConfigError)) throw err;
      throw new ApiError(
        400,
        E.InvalidRequestData,
        `invalid request data: project_config: ${err.message}`,
      );
    }
  }

  // ------------------------------------------------------------------ workspaces

  private uidOf(w: WorkspaceRow): number {
    return WORKSPACE_UID_BASE + w.seq;
  }

  /** Creates a workspace (state 1); it starts in the background. Returns the row and its token. */
  createWorkspace(p: {
    project_id: string;
    project_config: string | null;
    inactivity_timeout: number;
    workspace_token_required: boolean;
    workspace_init: string | null;
    auto_resume: boolean;
    retention_time_stopped: number;
    retention_time_total: number;
    files: Buffer | null;
  }): { row: WorkspaceRow; token: string } {
    const project = this.projectToCreate(p.project_id);
    const { text } = this.configOf(project, p.project_config);
    const entries = p.files ? archiveEntries(p.files, 'files', false) : [];
    if (this.rows.countInStates([S.Starting, S.Running]) >= this.settings.slots)
      throw noSlots('create');
    const token = p.workspace_token_required ? randomUUID() : '';
    const row = this.rows.insertWorkspace(
      {
        id: randomBytes(16).toString('hex'),
        projectId: project.id,
        inactivityTimeout: p.inactivity_timeout,
        tokenHash: token ? sha256(token) : '',
        tokenRequired: p.workspace_token_required,
        autoResume: p.auto_resume,
        retentionStopped: p.retention_time_stopped,
        retentionTotal: p.retention_time_total,
        config: text,
        workspaceInit: p.workspace_init ?? project.workspaceInit,
      },
      Date.now(),
    );
    if (!this.canRun() || !this.disk || !this.runner) {
      this.rows.setState(row.id, S.Error, { errorReason: this.ctx.sandbox.refusal.trim() });
    } else {
      const started = this.startWorkspace(row, project, entries).finally(() =>
        this.starting.delete(row.id),
      );
      this.starting.set(row.id, started);
    }
    return { row: this.rows.workspace(row.id)!, token };
  }

  /** Resolves when a workspace that is starting has started (or failed). */
  async started(id: string): Promise<void> {
    await this.starting.get(id);
  }

  private async startWorkspace(w: WorkspaceRow, p: ProjectRow, files: TarEntry[]): Promise<void> {
    const uid = this.uidOf(w);
    try {
      const folders = this.projectFolders(p);
      this.disk!.create(w.id, uid);
      const path = this.disk!.attach(w.id, uid);
      const target = this.target(w, path, folders);
      must(await this.runner!.copyIn(target, folders.workspace), 'copying the template');
      if (files.length)
        must(await this.runner!.extract(target, writeTar(files)), 'extracting files');
      const init = await this.workspaceInit(target, w.workspaceInit);
      if (init) this.rows.setInit(w.id, init.failed, init.stdout, init.stderr);
      this.rows.setState(w.id, S.Running);
    } catch (err) {
      this.ctx.log(`containers: workspace ${w.id} failed to start: ${String(err)}`);
      this.disk!.detach(w.id);
      this.rows.setState(w.id, S.Error, { errorReason: 'the workspace could not be started' });
    }
  }

  /** Runs a workspace_init script (none: null); throws when the sandbox failed. */
  private async workspaceInit(target: WorkspaceTarget, script: string) {
    if (!script.trim()) return null;
    const out = await this.runner!.run(target, {
      argv: ['/bin/bash', '--norc', '--noprofile', '-c', script],
      env: { SE_STAGE: 'workspace_init' },
      limits: this.stageLimits(INIT_TIMEOUT_SEC),
      outputCapBytes: 1024 * 1024,
    });
    if (out.internalError) throw new Error(out.internalError);
    return {
      failed: out.status !== 0 || out.exitCode !== 0,
      exitCode: out.exitCode,
      stdout: out.stdout,
      stderr: out.stderr,
    };
  }

  private stageLimits(timeoutSec: number) {
    return {
      cpuSec: timeoutSec,
      wallMs: timeoutSec * 1000,
      memoryBytes: this.settings.memoryBytes,
      pids: 256,
      nofile: 1024,
      fsizeBytes: this.settings.diskBytes,
      stackBytes: 64 * 1024 * 1024,
      tmpBytes: 256 * 1024 * 1024,
    };
  }

  private target(
    w: WorkspaceRow | { config: string; seq?: undefined },
    files: string,
    folders: { workspace: string; env: string | null },
    uid?: number,
  ): WorkspaceTarget {
    const config = this.parsed(w.config);
    const readOnly = config.files.read_only
      .map((p) => p.replace(/\/+$/, ''))
      .filter((p) => p !== '' && existsSync(join(folders.workspace, p)))
      .map((p) => ({ path: p, host: join(folders.workspace, p) }));
    return {
      files,
      uid: uid ?? this.uidOf(w as WorkspaceRow),
      env: folders.env,
      readOnly,
    };
  }

  workspace(id: string): WorkspaceRow {
    const w = this.rows.workspace(id);
    if (!w) throw workspaceNotFound();
    return w;
  }

  /** True when `token` is the workspace's (constant time); always true when none is required. */
  checkToken(w: WorkspaceRow, token: string): boolean {
    if (!w.tokenRequired) return true;
    const a = Buffer.from(sha256(token), 'hex');
    const b = Buffer.from(w.tokenHash, 'hex');
    return a.length === b.length && timingSafeEqual(a, b);
  }

  stop(id: string): void {
    const w = this.workspace(id);
    if (w.state !== S.Running)
      throw new ApiError(
        400,
        E.WrongState,
        `the workspace cannot be stopped: it is ${stateWord(w)}`,
      );
    this.stopNow(w, Date.now());
  }

  private stopNow(w: WorkspaceRow, now: number): void {
    this.gone(w.id, 'stopped');
    this.disk?.detach(w.id);
    this.rows.setState(w.id, S.Stopped, { stoppedAt: now });
  }

  async resume(id: string): Promise<void> {
    const w = this.workspace(id);
    if (w.state !== S.Stopped)
      throw new ApiError(400, E.WrongState, `the workspace is not stopped: it is ${stateWord(w)}`);
    if (w.retentionStopped === 0)
      throw new ApiError(
        400,
        E.CannotResume,
        'the workspace cannot be resumed: it was created with retention_time_stopped 0, so its ' +
          'files were not kept',
      );
    if (this.rows.countInStates([S.Starting, S.Running]) >= this.settings.slots)
      throw noSlots('resume');
    if (!this.disk)
      throw new ApiError(500, E.CreationFailed, 'the workspace cannot be resumed: no sandbox');
    try {
      this.disk.attach(w.id, this.uidOf(w));
    } catch (err) {
      this.ctx.log(`containers: workspace ${w.id} could not be resumed: ${String(err)}`);
      throw new ApiError(
        500,
        E.CreationFailed,
        'the workspace cannot be resumed due to an internal error',
      );
    }
    this.rows.setState(w.id, S.Running);
    this.rows.touch(w.id, Date.now());
  }

  async remove(id: string): Promise<void> {
    let w = this.workspace(id);
    if (w.state === S.Removed)
      throw new ApiError(
        400,
        E.WrongState,
        'the workspace cannot be removed: it is removed already',
      );
    await this.starting.get(id);
    await this.chains.get(id)?.catch(() => undefined);
    w = this.workspace(id);
    await this.removeNow(w, Date.now());
  }

  private async removeNow(w: WorkspaceRow, now: number): Promise<void> {
    this.gone(w.id, 'removed');
    const why = (await this.disk?.remove(w.id)) ?? null;
    if (why) this.ctx.log(`containers: workspace ${w.id}'s files were not all removed: ${why}`);
    this.rows.setState(w.id, S.Removed, { terminatedAt: now });
  }

  // ------------------------------------------------------------------ terminals (terminal.ts)

  private readonly goneListeners = new Set<(id: string, state: 'stopped' | 'removed') => void>();

  /** Calls `fn` when a workspace stops or is removed, before its files are detached. */
  onWorkspaceGone(fn: (id: string, state: 'stopped' | 'removed') => void): () => void {
    this.goneListeners.add(fn);
    return () => this.goneListeners.delete(fn);
  }

  private gone(id: string, state: 'stopped' | 'removed'): void {
    for (const fn of this.goneListeners)
      try {
        fn(id, state);
      } catch (err) {
        this.ctx.log(`containers: a listener of workspace ${id}'s end threw: ${String(err)}`);
      }
  }

  /** A running workspace as a terminal needs it (its runner and layout), or null. */
  terminalTarget(id: string): { runner: WorkspaceRunner; target: WorkspaceTarget } | null {
    try {
      return { runner: this.runner!, target: this.live(id, E.NotAvailable).target };
    } catch {
      return null;
    }
  }

  /** Learner activity (terminal input): the idle sweeper counts from here. */
  touch(id: string): void {
    this.rows.touch(id, Date.now());
  }

  // ------------------------------------------------------------------ files

  /** A running workspace as file operations need it; 404 with `code` when not running. */
  private live(id: string, code: number): { w: WorkspaceRow; target: WorkspaceTarget } {
    const w = this.workspace(id);
    if (w.state !== S.Running) {
      const why =
        w.state === S.Stopped
          ? 'workspace is stopped'
          : w.state === S.Starting
            ? 'workspace is starting'
            : 'workspace not available';
      throw new ApiError(404, code, why);
    }
    const project = this.projects.get(w.projectId);
    const path = this.disk?.path(w.id);
    if (!project || !path || !this.runner) throw new ApiError(404, code, 'workspace not available');
    this.rows.touch(w.id, Date.now());
    return { w, target: this.target(w, path, this.projectFolders(project)) };
  }

  /** Runs `fn` after the workspace's earlier writes and runs. */
  private serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(id) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    const tail = next.catch(() => undefined);
    this.chains.set(id, tail);
    void tail.then(() => {
      if (this.chains.get(id) === tail) this.chains.delete(id);
    });
    return next;
  }

  async upload(id: string, filepath: string, data: Buffer): Promise<string> {
    const { w, target } = this.live(id, E.NotAvailable);
    const rel = relativePath(filepath);
    if (rel === null || rel === '')
      throw new ApiError(
        400,
        E.FilepathNotFound,
        'filepath not found: give a path inside the workspace, e.g. src/main.py',
      );
    if (data.length > FILE_BYTES) throw fileTooLarge();
    if (isReadOnly(this.parsed(w.config), rel))
      throw new ApiError(
        400,
        E.FilepathDenied,
        `permission denied to upload a file to ${rel}: the project makes it read-only`,
      );
    return this.serial(id, async () => {
      if (!this.disk!.enforced) {
        const kb = await this.runner!.usageKb(target);
        if (kb !== null && kb * 1024 + data.length > this.settings.diskBytes)
          throw new ApiError(
            400,
            E.FileFailed,
            `unable to upload file: the workspace's disk cap of ${mib(this.settings.diskBytes)} MiB would be exceeded`,
          );
      }
      const r = await this.runner!.writeFile(target, rel, data);
      if (r.ok) return `${WORKSPACE}/${rel}`;
      if (r.error === 'no-parent')
        throw new ApiError(
          400,
          E.FilepathNotFound,
          `filepath not found: the folder of ${rel} does not exist (create it first)`,
        );
      if (r.error === 'not-file')
        throw new ApiError(400, E.FilepathNotFile, `filepath exists and is not a file: ${rel}`);
      if (r.error === 'sandbox') this.ctx.log(`containers: upload to ${id}: ${r.detail}`);
      if (r.detail && /No space left|File too large/.test(r.detail))
        throw new ApiError(
          400,
          E.FileFailed,
          `unable to upload file: the workspace's disk cap of ${mib(this.settings.diskBytes)} MiB is reached`,
        );
      throw new ApiError(500, E.FileFailed, 'unable to upload file');
    });
  }

  /** A path a change names: inside the workspace, not the workspace itself, not read-only. */
  private changeable(config: ProjectConfig, filepath: string, what: string): string {
    const rel = relativePath(filepath);
    if (rel === null || rel === '')
      throw new ApiError(
        400,
        E.FilepathNotFound,
        `filepath not found: give a path inside the workspace, e.g. src/main.py`,
      );
    // a read-only path, or a folder holding one
    if (isReadOnly(config, rel) || config.files.read_only.some((e) => e.startsWith(`${rel}/`)))
      throw new ApiError(
        400,
        E.FilepathDenied,
        `permission denied to ${what} ${rel}: the project makes it (or something in it) read-only`,
      );
    return rel;
  }

  /** The answer to a failed create, remove or rename. */
  private changeError(id: string, r: { error?: string; detail?: string }, rel: string): ApiError {
    if (r.error === 'no-parent')
      return new ApiError(
        400,
        E.FilepathNotFound,
        `filepath not found: the folder of ${rel} does not exist (create it first)`,
      );
    if (r.error === 'not-found') return new ApiError(400, E.FileNotFound, `file not found: ${rel}`);
    if (r.error === 'exists')
      return new ApiError(400, E.FilepathDenied, `a file or folder already exists at ${rel}`);
    if (r.error === 'denied')
      return new ApiError(400, E.FilepathDenied, `a folder cannot be moved into itself: ${rel}`);
    if (r.error === 'sandbox') this.ctx.log(`containers: a file operation on ${id}: ${r.detail}`);
    return new ApiError(500, E.FileFailed, 'the file operation failed');
  }

  /** `POST /workspaces/:id/files/create` (an extension): an empty file or a folder. */
  async createEntry(id: string, filepath: string, dir: boolean): Promise<string> {
    const { w, target } = this.live(id, E.NotAvailable);
    const rel = this.changeable(this.parsed(w.config), filepath, 'create');
    return this.serial(id, async () => {
      const r = await this.runner!.create(target, rel, dir);
      if (!r.ok) throw this.changeError(id, r, rel);
      return `${WORKSPACE}/${rel}`;
    });
  }

  /** `POST /workspaces/:id/files/remove` (an extension): a file, link or folder. */
  async removeEntry(id: string, filepath: string): Promise<void> {
    const { w, target } = this.live(id, E.NotAvailable);
    const rel = this.changeable(this.parsed(w.config), filepath, 'remove');
    await this.serial(id, async () => {
      const r = await this.runner!.remove(target, rel);
      if (!r.ok) throw this.changeError(id, r, rel);
    });
  }

  /** `POST /workspaces/:id/files/rename` (an extension). */
  async renameEntry(id: string, from: string, to: string): Promise<string> {
    const { w, target } = this.live(id, E.NotAvailable);
    const config = this.parsed(w.config);
    const a = this.changeable(config, from, 'move');
    const b = this.changeable(config, to, 'move a file to');
    return this.serial(id, async () => {
      const r = await this.runner!.rename(target, a, b);
      if (!r.ok)
        throw this.changeError(id, r, r.error === 'no-parent' || r.error === 'exists' ? b : a);
      return `${WORKSPACE}/${b}`;
    });
  }

  /**
   * `POST /workspaces/:id/reset` (an extension): the whole workspace, or one path, back to the
   * project's template. A path the template does not have is refused (nothing is removed).
   */
  async reset(id: string, filepath: string | null): Promise<void> {
    const { w, target } = this.live(id, E.NotAvailable);
    const project = this.projects.get(w.projectId)!;
    const template = this.projectFolders(project).workspace;
    let rel: string | null = null;
    if (filepath !== null) {
      rel = relativePath(filepath);
      if (rel === null || rel === '')
        throw new ApiError(
          400,
          E.FilepathNotFound,
          'filepath not found: give a path inside the workspace',
        );
      // the template is the project's (the engine's files, never the learner's): a host path is safe
      let there = false;
      try {
        lstatSync(join(template, rel));
        there = true;
      } catch {
        there = false;
      }
      if (!there)
        throw new ApiError(400, E.FileNotFound, `file not found in the project's template: ${rel}`);
    }
    await this.serial(id, async () => {
      if (rel === null) must(await this.runner!.clear(target), 'clearing the workspace');
      must(
        await this.runner!.copyIn(target, template, rel === null ? undefined : [rel]),
        'copying the template',
      );
    });
  }

  async readFile(id: string, encoded: string): Promise<Buffer> {
    const rel = decodePath(encoded);
    const { target } = this.live(id, E.NotAvailableRead);
    if (rel === null || rel === '') throw new ApiError(400, E.FileNotFound, 'file not found');
    const r = await this.runner!.readFile(target, rel);
    if (r.ok) return r.data!;
    throw readError(r.error, 'provided path is not a file', 'unable to read file');
  }

  async list(id: string, encoded: string | null) {
    const rel = encoded === null ? '' : decodePath(encoded);
    const { target } = this.live(id, E.NotAvailable);
    if (rel === null) throw new ApiError(400, E.FileNotFound, 'file not found');
    const r = await this.runner!.list(target, rel);
    if (r.ok) return { listed: rel ? `${WORKSPACE}/${rel}` : WORKSPACE, entries: r.entries! };
    throw readError(r.error, 'provided path is not a directory', 'could not list files');
  }

  initStream(id: string, which: 'output' | 'error'): Buffer | null {
    this.workspace(id);
    return this.rows.initStream(id, which);
  }

  // ------------------------------------------------------------------ submissions

  /** `POST /submissions`: a transient workspace from the project and the archive. */
  submit(p: {
    project_id: string;
    source: Buffer;
    scenario: string;
    project_config: string | null;
    workspace_init: string | null;
  }): number {
    const project = this.projectToCreate(p.project_id);
    const { text, config } = this.configOf(project, p.project_config);
    scenarioOf(config, p.scenario);
    archiveEntries(p.source, 'source', true);
    return this.queue(() =>
      this.rows.insertSubmission(
        {
          projectId: project.id,
          workspaceId: null,
          scenario: p.scenario,
          config: text,
          workspaceInit: p.workspace_init ?? project.workspaceInit,
          source: p.source,
        },
        Date.now(),
      ),
    );
  }

  /** A scenario run on a running workspace's files (an extension): a submission row too. */
  async runOnWorkspace(id: string, scenario: string | null): Promise<number> {
    const { w } = this.live(id, E.NotAvailable);
    const config = this.parsed(w.config);
    const name = scenario ?? defaultScenario(config);
    scenarioOf(config, name);
    // the source is the files the first stage finds, taken in its sandbox (runInWorkspace)
    return this.queue(() =>
      this.rows.insertSubmission(
        {
          projectId: w.projectId,
          workspaceId: w.id,
          scenario: name,
          config: w.config,
          workspaceInit: '',
          source: Buffer.alloc(0),
        },
        Date.now(),
      ),
    );
  }

  submission(id: number): SubmissionRow | null {
    return this.rows.submission(id);
  }

  // --- the job kind

  async run(id: number, job: JobContext): Promise<void> {
    const s = this.rows.submission(id);
    if (!s) return;
    if (!this.canRun() || !this.runner || !this.scratch) {
      this.end(id, job.finish, this.internal(this.ctx.sandbox.refusal, 'sandbox unavailable'));
      return;
    }
    const project = this.projects.get(s.projectId);
    if (!project) {
      this.end(id, job.finish, this.projectError('the project was removed', 'project gone'));
      return;
    }
    this.setStatus(id, Status.Compiling, job);
    this.rows.setStatus(id, Status.Compiling, Date.now());
    if (s.workspaceId) {
      await this.serial(s.workspaceId, () => this.runInWorkspace(s, project, job));
      return;
    }
    const uid = SLOT_UID_BASE + job.slot;
    const dir = mkdtempSync(join(this.scratch, 'sub-'));
    try {
      chmodSync(dir, 0o711);
      mountCapped(dir, this.settings.diskBytes, 100_000);
      if (process.getuid?.() === 0) chownSync(dir, uid, uid);
      chmodSync(dir, 0o755);
      const folders = this.projectFolders(project);
      const target = this.target({ config: s.config }, dir, folders, uid);
      const streams: ContainersResult['streams'] = {};
      const debug: string[] = [];
      must(await this.runner.copyIn(target, folders.workspace), 'copying the template');
      const entries = archiveEntries(
        this.rows.stream(id, 'source') ?? Buffer.alloc(0),
        'source',
        true,
      );
      must(await this.runner.extract(target, writeTar(entries)), 'extracting the source');
      const init = await this.workspaceInit(target, s.workspaceInit);
      if (init) {
        streams.workspace_init_output = init.stdout;
        streams.workspace_init_error = init.stderr;
        if (init.failed) debug.push(`workspace_init failed (exit code ${init.exitCode})`);
      }
      await this.execute(id, s, target, folders.tests, job, streams, debug);
    } catch (err) {
      this.end(id, job.finish, this.internal(TEXTS.userInternalError, String(err)));
    } finally {
      const why = await removeTree(dir);
      if (why) this.ctx.log(`containers: submission ${id}'s folder was not removed: ${why}`);
    }
  }

  private async runInWorkspace(
    s: SubmissionRow,
    project: ProjectRow,
    job: JobContext,
  ): Promise<void> {
    const w = this.rows.workspace(s.workspaceId!);
    const path = w && w.state === S.Running ? this.disk?.path(w.id) : null;
    if (!w || !path) {
      this.end(
        s.id,
        job.finish,
        this.projectError('the workspace is not running any more', 'workspace gone'),
      );
      return;
    }
    try {
      const folders = this.projectFolders(project);
      await this.execute(s.id, s, this.target(w, path, folders), folders.tests, job, {}, [], true);
      this.rows.touch(w.id, Date.now());
    } catch (err) {
      this.end(s.id, job.finish, this.internal(TEXTS.userInternalError, String(err)));
    }
  }

  /** The stages, auxdata and the final write. */
  private async execute(
    id: number,
    s: SubmissionRow,
    target: WorkspaceTarget,
    tests: string | null,
    job: JobContext,
    streams: ContainersResult['streams'],
    debug: string[],
    keepSource = false,
  ): Promise<void> {
    const config = this.parsed(s.config);
    const scenario = config.scenarios[s.scenario];
    if (!scenario) {
      this.end(
        id,
        job.finish,
        this.projectError(`the scenario ${s.scenario} is not in the configuration`, 'no scenario'),
      );
      return;
    }
    this.setStatus(id, Status.Executing, job);
    const out = await runScenario(
      this.runner!,
      target,
      {
        name: s.scenario,
        scenario,
        tests,
        scratch: this.scratch!,
        ...(keepSource ? { snapshotBytes: SOURCE_BYTES } : {}),
      },
      this.caps(),
    );
    if (out.snapshot && 'data' in out.snapshot) streams.source = out.snapshot.data;
    else if (out.snapshot?.error === 'too-large')
      debug.push(
        `source: the workspace's files are over ${SOURCE_BYTES >> 20} MiB packed: not kept`,
      );
    else if (out.snapshot?.error === 'failed')
      debug.push('source: the workspace could not be packed');
    else if (out.snapshot?.error === 'not-taken') {
      // no stage ran, so the files are as they were
      const packed = await this.runner!.pack(target, [''], SOURCE_BYTES);
      if (packed.ok) streams.source = packed.data!;
    }
    if (out.internalError) this.ctx.log(`containers: submission ${id}: ${out.internalError}`);
    Object.assign(streams, out.streams);
    debug.push(...out.debugLog);
    const aux = Object.entries(scenario.auxdata);
    if (aux.length && out.status !== Status.InternalError) {
      const packed = await this.runner!.packAs(target, aux, this.caps().auxdataBytes);
      if (packed.ok) streams.auxdata = packed.data!;
      else debug.push(`auxdata: not packed (${packed.error})`);
    }
    if (debug.length) streams.debug_log = Buffer.from(debug.join('\n') + '\n');
    this.end(id, job.finish, {
      status: out.status,
      time: out.time,
      score: out.score,
      memory: out.memoryKb,
      signal: out.signal,
      stages: out.stages,
      streams,
      ...(out.internalError ? { internalError: out.internalError } : {}),
    });
  }

  private caps(): StageCaps {
    return {
      memoryBytes: this.settings.memoryBytes,
      pids: 256,
      fileBytes: this.settings.diskBytes,
      outputBytes: 1024 * 1024,
      auxdataBytes: 16 * 1024 * 1024,
    };
  }

  /** Status 22 (project error) with `message` in the debug log. */
  private projectError(message: string, detail: string): ContainersResult {
    this.ctx.log(`containers: a submission ended with a project error: ${detail}`);
    return { ...this.empty(22), streams: { debug_log: Buffer.from(`${message}\n`) } };
  }

  private empty(status: number): ContainersResult {
    return { status, time: 0, score: 0, memory: 0, signal: 0, stages: null, streams: {} };
  }

  protected internal(userMessage: string, operatorDetail: string): ContainersResult {
    return {
      ...this.empty(Status.InternalError),
      streams: { debug_log: Buffer.from(userMessage) },
      internalError: operatorDetail,
    };
  }

  protected store(id: number, r: ContainersResult): void {
    this.rows.finishSubmission(id, {
      status: r.status,
      time: r.time,
      score: r.score,
      memory: r.memory,
      signal: r.signal,
      stages: r.stages,
      internalError: r.internalError ?? null,
      streams: r.streams,
    });
  }

  protected storeStatus(id: number, status: number): void {
    this.rows.setStatus(id, status);
  }

  protected override currentStatus(id: number): number | null {
    return this.rows.submission(id)?.status ?? null;
  }

  protected summary(id: number): unknown {
    const s = this.rows.submission(id);
    return s
      ? submissionView(s, this.projectRef(s.projectId), `${this.ctx.url}${BASE_PATH}`)
      : null;
  }

  protected orphans(): number[] {
    const queued = new Set(
      (
        this.ctx.db.prepare('SELECT ref FROM jobs WHERE kind = ?').all(JOB_KIND) as Array<{
          ref: number;
        }>
      ).map((r) => r.ref),
    );
    return this.rows.executing().filter((id) => !queued.has(id));
  }
}

// ------------------------------------------------------------------ helpers

function must(r: { ok: boolean; error?: string; detail?: string }, what: string): void {
  if (!r.ok) throw new Error(`${what} failed: ${r.error}${r.detail ? ` (${r.detail})` : ''}`);
}

/** The answer to a failed read or listing (the spec gives both the same codes). */
function readError(error: string, wrongKind: string, failed: string): ApiError {
  switch (error) {
    case 'not-found':
      return new ApiError(400, E.FileNotFound, 'file not found');
    case 'not-file':
    case 'not-dir':
      return new ApiError(400, E.FileNotFound, wrongKind);
    case 'denied':
      return new ApiError(400, E.FileDenied, 'permission denied to read the file');
    case 'too-large':
      return new ApiError(
        413,
        E.FileTooLargeRead,
        'file size limit exceeded (max file size is 16MiB)',
      );
    default:
      return new ApiError(500, E.FileFailed, failed);
  }
}

const mib = (b: number) => Math.round(b / 1024 / 1024);

const fileTooLarge = () =>
  new ApiError(413, E.FileTooLarge, 'file size limit exceeded (max file size is 16MiB)');

function stateWord(w: WorkspaceRow): string {
  return w.state === S.Error ? 'in error' : (STATE_NAMES[w.state] ?? 'unknown');
}

function scenarioOf(config: ProjectConfig, name: string): void {
  if (!config.scenarios[name])
    throw new ApiError(
      400,
      E.CreationFailed,
      `creation failed: the project has no scenario '${name}'; it has: ${Object.keys(config.scenarios).join(', ')}`,
    );
}

/**
 * The entries of a `files` or `source` archive; `source` must hold a single folder `workspace/`
 * at its root (its prefix is dropped). Refusals are 400/1003 (10 for a workspace's `files`).
 */
function archiveEntries(
  data: Buffer,
  name: 'files' | 'source',
  underWorkspace: boolean,
): TarEntry[] {
  const code = name === 'files' ? E.InvalidRequestData : E.CreationFailed;
  const word = name === 'files' ? 'invalid request data' : 'creation failed';
  let entries: TarEntry[];
  try {
    entries = readTarGz(data, ARCHIVE_CAPS);
  } catch (err) {
    if (!(err instanceof ArchiveError)) throw err;
    throw new ApiError(
      400,
      code,
      `${word}: ${err.message.replace('the source archive', `the ${name} archive`)}`,
    );
  }
  if (!underWorkspace) return entries;
  const outside = entries.find((e) => e.name !== 'workspace' && !e.name.startsWith('workspace/'));
  if (!entries.length)
    throw new ApiError(
      400,
      code,
      `${word}: the source archive must hold a single folder workspace/ at its root; it is empty`,
    );
  if (outside)
    throw new ApiError(
      400,
      code,
      `${word}: the source archive must hold a single folder workspace/ at its root; it holds ${outside.name}`,
    );
  return entries
    .filter((e) => e.name !== 'workspace')
    .map((e) => ({ ...e, name: e.name.slice('workspace/'.length) }));
}

/** A path relative to the workspace, normalized; null when it leaves the workspace. */
export function relativePath(p: string): string | null {
  if (p.includes('\0')) return null;
  let x = p.trim();
  if (x.startsWith(`${WORKSPACE}/`) || x === WORKSPACE) x = x.slice(WORKSPACE.length);
  else if (x.startsWith('/')) return null;
  const parts = x.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.includes('..')) return null;
  return posix.join(...(parts.length ? parts : ['.'])).replace(/^\.$/, '');
}

/** A path parameter: base64 (standard or URL-safe) of a UTF-8 path; 400/1105 otherwise. */
export function decodePath(encoded: string): string | null {
  const b64 = encoded.trim();
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(b64) || b64.replace(/=+$/, '').length % 4 === 1)
    throw new ApiError(400, E.BadPath, 'failed to decode the file path from Base64');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(b64, 'base64'));
  } catch {
    throw new ApiError(400, E.BadPath, 'failed to decode the file path from UTF-8 format');
  }
  if (text.includes('\0'))
    throw new ApiError(400, E.BadPath, 'failed to decode the file path: it holds NUL');
  return relativePath(text);
}

/** Whether `rel` is covered by `files.read_only` (a folder entry covers what is inside it). */
export function isReadOnly(config: ProjectConfig, rel: string): boolean {
  return config.files.read_only.some((entry) => {
    const e = entry.replace(/\/+$/, '');
    return rel === e || rel.startsWith(`${e}/`);
  });
}
