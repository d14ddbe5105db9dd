/**
 * `/v1/workspace`: a workspace widget's session works on its own upstream workspace (one per
 * widget and subject, created from the widget's project on first use, resumed when stopped, the
 * mapping kept in the backend's store). Every path is checked against the widget's policy: hidden
 * paths do not exist for the page, read-only ones (the project's and the widget's) are not
 * written. Shapes: src/shared/v1-workspace.ts.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ContainersSubmission, StageName, Workspace } from '../shared/containers.js';
import {
  CreateFileBody,
  RenameBody,
  ResetBody,
  RunScenarioBody,
  WriteFileBody,
  type V1FileEntry,
  type V1File,
  type V1ScenarioResult,
  type V1ScenarioStageEvent,
  type V1ScenarioStatusEvent,
  type V1TestCase,
  type V1Workspace,
} from '../shared/v1-workspace.js';
import { UpstreamHttpError } from '../upstream/index.js';
import type { Backend, Session } from './backend.js';
import type { WorkspacePolicy } from './config.js';
import { packWorkspace } from './workspace-pack.js';
import {
  ApiError,
  badRequest,
  forbidden,
  fromUpstream,
  notFound,
  rateLimited,
  tooLarge,
} from './errors.js';
import { MAX_STREAMS_PER_SUBJECT, type EventStreamOptions } from './events.js';
import { apiHeaders, parseBody, readJson, sendJson } from './http.js';
import type { WorkspaceStore } from './workspace-store.js';

/** Workspace states of the Containers API. */
const STATE = { starting: 1, running: 2, stopped: 3, removed: 4, error: 5 } as const;
const STATE_NAME: Record<number, string> = {
  1: 'starting',
  2: 'running',
  3: 'stopped',
  4: 'removed',
  5: 'error',
};
/** How long opening a workspace may wait for it to run. */
const OPEN_WAIT_MS = 30_000;
/** The tree the page gets: at most this many entries, this deep. */
const TREE_ENTRIES = 1000;
const TREE_DEPTH = 12;
/** A stopped workspace is kept this long (minutes) before the upstream may remove it. */
const RETENTION_STOPPED_MIN = 30 * 24 * 60;
const STAGES: StageName[] = ['init', 'build', 'run', 'test', 'post'];

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * How often a scenario's event stream reads the run while it goes on: at first often (a run on
 * the embedded engine, on loopback, takes a second or two), then less, to every 2 s (the hosted
 * service's polling floor). The engine's `submission.finished` webhook cuts the wait short.
 */
const SCENARIO_READ_FIRST_MS = 100;
const SCENARIO_READ_MAX_MS = 2000;
const stateCode = (w: Workspace) => Number(w.state.code);

/** A relative path as the page sends it: `/`-separated, no `.`/`..` parts, no NUL. */
function cleanPath(path: string): string {
  const p = path.replace(/^\.\/+/, '').replace(/\/+$/, '');
  if (
    p === '' ||
    p.length > 1024 ||
    p.startsWith('/') ||
    p.includes('\0') ||
    p.split('/').some((part) => part === '' || part === '.' || part === '..')
  )
    throw badRequest(`'${path.slice(0, 200)}' is not a relative path inside the workspace.`);
  return p;
}

const under = (path: string, list: readonly string[]) =>
  list.some((x) => path === x || path.startsWith(`${x}/`));

/** What the widget's policy and the project's configuration say about paths. */
class PathRules {
  constructor(
    private readonly policy: WorkspacePolicy,
    private readonly projectReadOnly: string[],
  ) {}
  hidden(path: string): boolean {
    return under(path, this.policy.hidden);
  }
  readOnly(path: string): boolean {
    return under(path, this.policy.readOnly) || under(path, this.projectReadOnly);
  }
}

interface ParsedConfig {
  scenarios: Array<{ name: string; default: boolean }>;
  readOnly: string[];
}

function parseConfig(text: string): ParsedConfig {
  let c: { scenarios?: Record<string, { default?: boolean }>; files?: { read_only?: string[] } };
  try {
    c = JSON.parse(text) as typeof c;
  } catch {
    c = {};
  }
  const scenarios = Object.entries(c.scenarios ?? {}).map(([name, s]) => ({
    name,
    default: s?.default === true,
  }));
  return {
    scenarios,
    readOnly: (c.files?.read_only ?? []).filter((p) => typeof p === 'string'),
  };
}

const version = (data: string) =>
  createHash('sha256').update(data, 'utf8').digest('base64url').slice(0, 22);

/** The workspaces of workspace widgets' sessions. */
export class Workspaces {
  /** opens in flight per owner, so two tabs opening at once share one workspace */
  private readonly opening = new Map<string, Promise<{ workspace: Workspace }>>();
  /** the tail of each owner's writes, so a conflict check and its write are not interleaved */
  private readonly writes = new Map<string, Promise<unknown>>();
  /** whether the upstream runs a scenario on a workspace itself (null: not yet known) */
  private scenarioExtension: boolean | null = null;
  private projectIds = new Map<string, { at: number; id: string }>();
  /** scenario runs' event streams waiting for their upstream submission, by its id */
  private readonly waiting = new Map<number, Set<() => void>>();
  private warnedMemory = false;

  constructor(
    private readonly b: Backend,
    readonly store: WorkspaceStore,
  ) {}

  /** The session's workspace policy (403 for a session of another kind of widget). */
  policy(session: Session): WorkspacePolicy {
    const p = session.widget.workspace;
    if (!p || !session.actions.includes('workspace'))
      throw forbidden('This session is not for a workspace widget.');
    return p;
  }

  private client() {
    return this.b.module('containers');
  }

  /** The terminal's availability: null when the session may open one, else why not. */
  terminalRefusal(session: Session): string | null {
    if (!this.policy(session).terminal) return 'This widget has no terminal.';
    if (!this.b.link.embedded?.includes('containers'))
      return 'The terminal needs the embedded engine; this backend uses a hosted Containers service.';
    return null;
  }

  private async projectId(ref: string): Promise<string> {
    const hit = this.projectIds.get(ref);
    if (hit && Date.now() - hit.at < 60_000) return hit.id;
    let page: string | undefined;
    for (let i = 0; i < 50; i++) {
      const list = await this.client().projects({ limit: 20, page_token: page });
      const p = list.items.find((x) => x.id === ref || x.name === ref);
      if (p) {
        this.projectIds.set(ref, { at: Date.now(), id: p.id });
        return p.id;
      }
      page = list.paging.next_page_token ?? undefined;
      if (!page) break;
    }
    throw new ApiError(
      502,
      'upstream_error',
      `The widget's project '${ref}' does not exist upstream.`,
    );
  }

  /** The session's workspace, running: created on first use, resumed when stopped. */
  async open(session: Session): Promise<{ workspace: Workspace }> {
    this.policy(session);
    const running = this.opening.get(session.owner);
    if (running) return running;
    const p = this.openNow(session).finally(() => this.opening.delete(session.owner));
    this.opening.set(session.owner, p);
    return p;
  }

  private async openNow(session: Session): Promise<{ workspace: Workspace }> {
    const policy = this.policy(session);
    const c = this.client();
    try {
      const link = this.store.get(session.widget.id, session.sub);
      let w: Workspace | null = null;
      if (link) {
        try {
          w = await c.workspace(link.workspaceId);
        } catch (err) {
          if (!(err instanceof UpstreamHttpError && err.status === 404)) throw err;
        }
        if (w && (stateCode(w) === STATE.removed || stateCode(w) === STATE.error)) w = null;
      }
      if (!w) {
        const created = await c.createWorkspace({
          project_id: await this.projectId(policy.project),
          retention_time_stopped: RETENTION_STOPPED_MIN,
          auto_resume: false,
        });
        w = created.workspace;
        if (!this.store.dir && !this.warnedMemory) {
          this.warnedMemory = true;
          this.b.log(
            'se-widgets: warning: no data folder: which learner has which workspace is kept in memory only (lost on restart)',
          );
        }
        this.store.put({
          widget: session.widget.id,
          subject: session.sub,
          workspaceId: w.id,
          project: policy.project,
          createdAt: Date.now(),
        });
      }
      if (stateCode(w) === STATE.stopped) await c.resumeWorkspace(w.id);
      const until = Date.now() + OPEN_WAIT_MS;
      while (stateCode(w) !== STATE.running) {
        if (Date.now() > until)
          throw new ApiError(504, 'upstream_timeout', 'The workspace did not start in time.');
        if (stateCode(w) === STATE.error || stateCode(w) === STATE.removed)
          throw new ApiError(
            502,
            'upstream_error',
            `The workspace could not start (${w.state.error_reason ?? STATE_NAME[stateCode(w)]}).`,
          );
        await delay(50);
        w = await c.workspace(w.id);
      }
      return { workspace: w };
    } catch (err) {
      // the engine's slots are all taken (409 / 200611): a wait, not a failure
      if (err instanceof UpstreamHttpError && err.status === 409)
        throw new ApiError(
          503,
          'unavailable',
          'Every workspace slot is in use right now; try again in a minute.',
          { 'Retry-After': '30' },
          { retryAfter: 30 },
        );
      throw fromUpstream(err, 'The workspace');
    }
  }

  private rules(session: Session, w: Workspace): { rules: PathRules; config: ParsedConfig } {
    const config = parseConfig(w.config);
    return { rules: new PathRules(this.policy(session), config.readOnly), config };
  }

  /** The scenarios the widget offers, the default first. */
  private scenarios(session: Session, config: ParsedConfig): V1Workspace['scenarios'] {
    const offered = this.policy(session).scenarios;
    const list = config.scenarios.filter((s) => offered === null || offered.includes(s.name));
    if (offered) list.sort((a, b) => offered.indexOf(a.name) - offered.indexOf(b.name));
    const def = list.find((s) => s.default) ?? list[0];
    return list
      .map((s) => ({ name: s.name, default: s === def }))
      .sort((a, b) => Number(b.default) - Number(a.default));
  }

  /** `POST /v1/workspace` */
  async openRoute(session: Session, res: ServerResponse): Promise<void> {
    const { workspace: w } = await this.open(session);
    sendJson(res, 200, await this.describe(session, w));
  }

  /** The workspace as the page sees it: its tree (policy applied), scenarios, terminal. */
  private async describe(session: Session, w: Workspace): Promise<V1Workspace> {
    const { rules, config } = this.rules(session, w);
    const files: V1FileEntry[] = [];
    let truncated = false;
    const c = this.client();
    const walk = async (dir: string, depth: number): Promise<void> => {
      if (depth > TREE_DEPTH) {
        truncated = true;
        return;
      }
      let listing;
      try {
        listing = await c.listFiles(w.id, dir === '' ? undefined : `${dir}/`);
      } catch (err) {
        throw fromUpstream(err);
      }
      const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
      // folders first (each followed by what it holds), then files, each by name
      const entries = [
        ...[...listing.dirs].sort(byName).map((e) => ({ e, dir: true })),
        ...[...listing.files].sort(byName).map((e) => ({ e, dir: false })),
      ];
      for (const { e, dir: isDir } of entries) {
        const path = dir ? `${dir}/${e.name}` : e.name;
        if (rules.hidden(path)) continue;
        if (files.length >= TREE_ENTRIES) {
          truncated = true;
          return;
        }
        files.push({
          path,
          type: isDir ? 'dir' : 'file',
          size: isDir ? 0 : Number(e.size),
          readOnly: rules.readOnly(path),
        });
        if (isDir) await walk(path, depth + 1);
      }
    };
    await walk('', 0);
    const refusal = this.terminalRefusal(session);
    const answer: V1Workspace = {
      state: STATE_NAME[stateCode(w)] ?? String(w.state.code),
      files,
      truncated,
      scenarios: this.scenarios(session, config),
      terminal: refusal === null,
      terminalUnavailable: this.policy(session).terminal ? refusal : null,
    };
    return answer;
  }

  private async readText(session: Session, w: Workspace, path: string): Promise<string> {
    const cap = this.policy(session).fileBytes;
    let text;
    try {
      text = await this.client().file(w.id, path, cap);
    } catch (err) {
      if (err instanceof UpstreamHttpError && err.status === 400)
        throw notFound(`No file '${path}'.`);
      throw fromUpstream(err, `The file '${path}'`);
    }
    if (!text.complete)
      throw tooLarge(`'${path}' is over the ${cap} bytes this widget opens.`, {
        what: 'file',
        limit: cap,
      });
    return text.text;
  }

  /** `GET /v1/workspace/file?path=` */
  async readRoute(session: Session, url: URL, res: ServerResponse): Promise<void> {
    const path = cleanPath(url.searchParams.get('path') ?? '');
    const { workspace: w } = await this.open(session);
    const { rules } = this.rules(session, w);
    if (rules.hidden(path)) throw notFound(`No file '${path}'.`);
    const content = await this.readText(session, w, path);
    const answer: V1File = {
      path,
      content,
      version: version(content),
      readOnly: rules.readOnly(path),
    };
    sendJson(res, 200, answer);
  }

  /** `PUT /v1/workspace/file` */
  async writeRoute(session: Session, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const policy = this.policy(session);
    const body = parseBody(WriteFileBody, await readJson(req, policy.fileBytes * 2 + 4096));
    const path = cleanPath(body.path);
    const size = Buffer.byteLength(body.content);
    if (size > policy.fileBytes)
      throw tooLarge(`The file is ${size} bytes; this widget accepts ${policy.fileBytes}.`, {
        what: 'file',
        size,
        limit: policy.fileBytes,
      });
    this.b.rateLimit([{ key: `write:sub:${session.owner}`, perMinute: 600 }], 'file saves');
    const { workspace: w } = await this.open(session);
    const { rules } = this.rules(session, w);
    if (rules.hidden(path)) throw notFound(`No file '${path}'.`);
    if (rules.readOnly(path)) throw forbidden(`'${path}' is read-only.`);
    const previous = this.writes.get(session.owner) ?? Promise.resolve();
    const write = previous
      .catch(() => undefined)
      .then(async () => {
        if (body.baseVersion !== undefined) {
          let current: string | null = null;
          try {
            current = await this.readText(session, w, path);
          } catch (err) {
            if (!(err instanceof ApiError && err.status === 404)) throw err;
          }
          // The file already holding this very text is no conflict: the same edit sent twice
          // (the pagehide save and the reloaded page's resend of its kept copy) would otherwise
          // refuse the second one.
          if (current === body.content) return;
          if (current !== null && version(current) !== body.baseVersion)
            throw new ApiError(
              409,
              'conflict',
              `'${path}' changed since this edit started (another tab or a scenario wrote it).`,
            );
        }
        try {
          await this.client().uploadFile(w.id, path, body.content);
        } catch (err) {
          throw fromUpstream(err);
        }
      });
    this.writes.set(session.owner, write);
    try {
      await write;
    } finally {
      if (this.writes.get(session.owner) === write) this.writes.delete(session.owner);
    }
    const answer: V1File = {
      path,
      content: body.content,
      version: version(body.content),
      readOnly: false,
    };
    sendJson(res, 200, answer);
  }

  /**
   * A path the page may change: not hidden (404), not read-only, and for a folder nothing hidden
   * or read-only inside it (403: the learner would change what they cannot see or may not touch).
   */
  private changeable(rules: PathRules, path: string, policy: WorkspacePolicy): void {
    if (rules.hidden(path)) throw notFound(`No file '${path}'.`);
    if (rules.readOnly(path)) throw forbidden(`'${path}' is read-only.`);
    if ([...policy.hidden, ...policy.readOnly].some((x) => x.startsWith(`${path}/`)))
      throw forbidden(`'${path}' holds files this widget does not let you change.`);
  }

  /** A change the embedded engine's extension makes; the hosted service has none. */
  private async change<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (noSuchCall(err))
        throw new ApiError(503, 'unavailable', `${what} needs the embedded engine.`);
      if (err instanceof UpstreamHttpError && err.errorCode === 202602)
        throw new ApiError(409, 'conflict', `${what}: something is already there.`);
      if (err instanceof UpstreamHttpError && (err.errorCode === 1101 || err.errorCode === 202601))
        throw notFound(`${what}: no such file or folder (or its folder does not exist).`);
      throw fromUpstream(err);
    }
  }

  /** `POST /v1/workspace/files`: an empty file or a folder. */
  async createRoute(session: Session, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const policy = this.policy(session);
    const body = parseBody(CreateFileBody, await readJson(req, 4096));
    const path = cleanPath(body.path);
    const { workspace: w } = await this.open(session);
    const { rules } = this.rules(session, w);
    this.changeable(rules, path, policy);
    await this.change('Creating a file', () => this.client().createEntry(w.id, path, body.type));
    const entry: V1FileEntry = { path, type: body.type, size: 0, readOnly: false };
    sendJson(res, 201, entry);
  }

  /** `POST /v1/workspace/rename` */
  async renameRoute(session: Session, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const policy = this.policy(session);
    const body = parseBody(RenameBody, await readJson(req, 4096));
    const from = cleanPath(body.from);
    const to = cleanPath(body.to);
    const { workspace: w } = await this.open(session);
    const { rules } = this.rules(session, w);
    this.changeable(rules, from, policy);
    this.changeable(rules, to, policy);
    await this.change('Renaming', () => this.client().renameEntry(w.id, from, to));
    const listing = await this.client()
      .listFiles(w.id, to.includes('/') ? `${to.slice(0, to.lastIndexOf('/'))}/` : undefined)
      .catch(() => null);
    const name = to.slice(to.lastIndexOf('/') + 1);
    const file = listing?.files.find((f) => f.name === name);
    const entry: V1FileEntry = {
      path: to,
      type: file || !listing?.dirs.some((d) => d.name === name) ? 'file' : 'dir',
      size: file ? Number(file.size) : 0,
      readOnly: false,
    };
    sendJson(res, 200, entry);
  }

  /** `DELETE /v1/workspace/file?path=`: a file, or a folder with what is in it. */
  async deleteRoute(session: Session, url: URL, res: ServerResponse): Promise<void> {
    const policy = this.policy(session);
    const path = cleanPath(url.searchParams.get('path') ?? '');
    const { workspace: w } = await this.open(session);
    const { rules } = this.rules(session, w);
    this.changeable(rules, path, policy);
    await this.change('Deleting', () => this.client().removeEntry(w.id, path));
    res.writeHead(204);
    res.end();
  }

  /** `POST /v1/workspace/reset`: one path, or the whole workspace, back to the template. */
  async resetRoute(session: Session, req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.policy(session);
    const body = parseBody(ResetBody, await readJson(req, 4096));
    const path = body.path === undefined ? undefined : cleanPath(body.path);
    const { workspace: w } = await this.open(session);
    const { rules } = this.rules(session, w);
    if (path !== undefined && rules.hidden(path)) throw notFound(`No file '${path}'.`);
    await this.change('Resetting', () => this.client().resetWorkspace(w.id, path));
    sendJson(res, 200, await this.describe(session, w));
  }

  /** `POST /v1/workspace/runs` */
  async runRoute(session: Session, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const policy = this.policy(session);
    const { scenario: asked } = parseBody(RunScenarioBody, await readJson(req, 4096));
    const { workspace: w } = await this.open(session);
    const { config } = this.rules(session, w);
    const offered = this.scenarios(session, config);
    const scenario = asked ?? offered[0]?.name;
    if (!scenario || !offered.some((s) => s.name === scenario))
      throw forbidden(
        `This widget offers the scenarios ${offered.map((s) => s.name).join(', ') || '(none)'}, not '${asked}'.`,
      );
    this.b.rateLimit(
      [
        { key: `scenario:sub:${session.owner}`, perMinute: policy.runsPerMinute.subject },
        { key: `scenario:ip:${this.b.ip(req)}`, perMinute: policy.runsPerMinute.ip },
      ],
      'scenario runs',
    );
    let id: number;
    try {
      // let a save in flight land first: the run takes the files as they are when it starts
      await this.writes.get(session.owner)?.catch(() => undefined);
      id = await this.startScenario(w, scenario);
    } catch (err) {
      throw fromUpstream(err);
    }
    this.b.log(`se-widgets: scenario ${scenario} started (widget ${session.widget.id})`);
    sendJson(res, 201, {
      id: this.b.sealer.seal({
        kind: 'scenario',
        upstreamId: id,
        widget: session.widget.id,
        sub: session.sub,
      }),
    });
  }

  /**
   * Starts `scenario` on the workspace's files: with the embedded engine's extension when the
   * upstream has it, else (the hosted service answers 404) as a submission of the workspace's
   * project with its files packed (workspace-pack.ts). Which one worked is remembered.
   */
  private async startScenario(w: Workspace, scenario: string): Promise<number> {
    const c = this.client();
    if (this.scenarioExtension !== false) {
      try {
        const { id } = await c.runScenario(w.id, scenario);
        this.scenarioExtension = true;
        return id;
      } catch (err) {
        if (!noSuchCall(err)) throw err;
        this.scenarioExtension = false;
      }
    }
    const source = await packWorkspace(c, w.id);
    const { id } = await c.createSubmission({ project_id: w.project.id, source, scenario });
    return id;
  }

  /** The upstream submission of a scenario run id the session owns. */
  private scenarioRef(session: Session, id: string): number {
    this.policy(session);
    const ref = this.b.sealer.open(id, 'scenario');
    if (!ref) throw notFound('No such scenario run.');
    if (ref.sub !== session.sub || ref.widget !== session.widget.id)
      throw forbidden('This scenario run belongs to another session.');
    return ref.upstreamId;
  }

  private async submission(upstreamId: number): Promise<ContainersSubmission> {
    try {
      return await this.client().submission(upstreamId);
    } catch (err) {
      throw fromUpstream(err, 'The scenario run');
    }
  }

  /** `GET /v1/workspace/runs/:id` */
  async resultRoute(session: Session, id: string, res: ServerResponse): Promise<void> {
    const s = await this.submission(this.scenarioRef(session, id));
    sendJson(res, 200, await this.result(session, id, s));
  }

  /** The upstream told (a webhook) that a Containers submission finished. */
  scenarioFinished(upstreamId: number): void {
    for (const wake of this.waiting.get(upstreamId) ?? []) wake();
  }

  /**
   * `GET /v1/workspace/runs/:id/events`: the run's progress pushed as server-sent events, as
   * `/v1/runs/:id/events` does for `<se-solve>`: `status` (`V1ScenarioStatusEvent`) on each
   * change, then one `stage` (`V1ScenarioStageEvent`) per stage once it is known, then `result`
   * (`V1ScenarioResult`) and the end of the stream; `error` (`V1Error`) when it fails.
   */
  async eventsRoute(
    session: Session,
    id: string,
    res: ServerResponse,
    cors: Record<string, string>,
    options: EventStreamOptions,
  ): Promise<void> {
    const upstreamId = this.scenarioRef(session, id);
    const b = this.b;
    const open = b.openStreams.get(session.owner) ?? 0;
    if (open >= MAX_STREAMS_PER_SUBJECT)
      throw rateLimited(
        `At most ${MAX_STREAMS_PER_SUBJECT} result streams may be open at once.`,
        5,
      );
    b.openStreams.set(session.owner, open + 1);
    let closed = false;
    let wake: (() => void) | null = null;
    const wakers = this.waiting.get(upstreamId) ?? new Set<() => void>();
    this.waiting.set(upstreamId, wakers);
    // told while reading: the next wait is skipped
    let told = false;
    const onFinished = () => {
      told = true;
      wake?.();
    };
    wakers.add(onFinished);
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      if (closed) return;
      closed = true;
      const n = (b.openStreams.get(session.owner) ?? 1) - 1;
      if (n > 0) b.openStreams.set(session.owner, n);
      else b.openStreams.delete(session.owner);
      wakers.delete(onFinished);
      if (wakers.size === 0 && this.waiting.get(upstreamId) === wakers)
        this.waiting.delete(upstreamId);
      timers.forEach((t) => clearInterval(t));
      wake?.();
      res.off('close', finish);
      if (res.headersSent) res.end();
    };
    res.on('close', finish);
    const send = (event: string, data: unknown) => {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    let s: ContainersSubmission;
    try {
      s = await this.submission(upstreamId);
    } catch (err) {
      finish();
      throw err;
    }
    if (closed) return;
    res.writeHead(200, {
      ...apiHeaders,
      ...cors,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    });
    res.flushHeaders();
    const heartbeat = setInterval(() => {
      if (!closed) res.write(': heartbeat\n\n');
    }, options.heartbeatMs);
    heartbeat.unref();
    timers.push(heartbeat);
    const deadline = Date.now() + options.maxMs;
    let lastCode: number | null = null;
    let wait = SCENARIO_READ_FIRST_MS;
    try {
      for (;;) {
        if (s.result.status.code !== lastCode) {
          lastCode = s.result.status.code;
          const event: V1ScenarioStatusEvent = {
            id,
            executing: s.executing,
            status: { code: s.result.status.code, name: s.result.status.name },
          };
          send('status', event);
        }
        if (!s.executing) {
          const result = await this.result(session, id, s);
          for (const stage of result.stages) {
            const event: V1ScenarioStageEvent = { id, scenario: result.scenario, stage };
            send('stage', event);
          }
          send('result', result);
          break;
        }
        if (Date.now() > deadline)
          throw new ApiError(
            504,
            'upstream_timeout',
            `No result after ${Math.round(options.maxMs / 1000)} s.`,
          );
        if (!told)
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, wait);
            t.unref();
            wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
        wake = null;
        told = false;
        if (closed) return;
        wait = Math.min(wait * 1.5, SCENARIO_READ_MAX_MS);
        s = await this.submission(upstreamId);
      }
    } catch (err) {
      const e = fromUpstream(err);
      send('error', { error: { code: e.code, message: e.message } });
    } finally {
      finish();
    }
  }

  private async result(
    session: Session,
    id: string,
    s: ContainersSubmission,
  ): Promise<V1ScenarioResult> {
    const cap = session.limits.streamBytes;
    const c = this.client();
    const stream = async (name: Parameters<typeof c.stream>[1]) => {
      if (s.executing || !s.streams[name]) return '';
      try {
        return (await c.stream(s.id, name, cap)).text;
      } catch {
        return '';
      }
    };
    const stages = await Promise.all(
      STAGES.map(async (name) => {
        const r = s.stages?.[name];
        return {
          name,
          skipped: r?.skipped ?? true,
          time: r?.time ?? 0,
          exitCode: r?.exit_code ?? null,
          statusChangedTo: r?.status_changed_to
            ? { code: r.status_changed_to.code, name: r.status_changed_to.name }
            : null,
          output: r && !r.skipped ? await stream(`stage_${name}_output`) : '',
          error: r && !r.skipped ? await stream(`stage_${name}_error`) : '',
        };
      }),
    );
    let tests: V1TestCase[] | null = null;
    const report = await stream('tests_report');
    if (report) {
      try {
        const entries = JSON.parse(report) as Array<Record<string, unknown>>;
        tests = entries.map((e) => ({
          name: String(e.name ?? ''),
          classname: String(e.classname ?? ''),
          status: e.status === 'ok' || e.status === 'failure' ? e.status : 'error',
          time: Number(e.time) || 0,
          message: String(e.failure ?? e.error ?? ''),
        }));
      } catch {
        tests = null;
      }
    }
    return {
      id,
      scenario: s.scenario,
      executing: s.executing,
      status: { code: s.result.status.code, name: s.result.status.name },
      score: s.result.score ?? 0,
      time: s.result.time ?? 0,
      stages,
      tests,
    };
  }
}

/**
 * Whether the upstream has no such method (an extension of the embedded engine, asked of the
 * hosted service): 404 without the workspace's own codes (1001 not found, 1008 not available), or
 * 405 (the path matches a method of another verb).
 */
function noSuchCall(err: unknown): boolean {
  if (!(err instanceof UpstreamHttpError)) return false;
  if (err.status === 405) return true;
  return err.status === 404 && err.errorCode !== 1001 && err.errorCode !== 1008;
}
