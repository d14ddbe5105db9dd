import type { Executor, LimitsReport } from './exec/types.js';
import type { Sandbox } from './sandbox/index.js';
import type { Router } from './http/router.js';
import type { MountOptions, UpgradeHandler } from './http/server.js';
import type { JobQueue } from './queue.js';
import type { Db, Migration } from './store/db.js';
import type { EngineModuleName } from './webhooks.js';

/** Whether code may run here, from the sandbox's start-up self-test. */
export interface SandboxState {
  ok: boolean;
  problems: string[];
  /** true when running without a sandbox (development flag) */
  unsafe: boolean;
  /** how limits are enforced (cgroup mode), when the sandbox tools were found */
  limits?: LimitsReport;
  /**
   * When code may not run: the message every submission is ended with (names the missing piece
   * and its install command). Empty when `ok`.
   */
  refusal: string;
}

/** What the engine gives each API module at start. */
export interface EngineContext {
  readonly db: Db;
  /** the engine's private data folder (engine.db beside the modules' own folders) */
  readonly dataDir: string;
  /** the shared worker pool; register the module's job kind on it in `setup` */
  readonly queue: JobQueue;
  /** the execution core; null when it could not start (then `sandbox.ok` is false) */
  readonly executor: Executor | null;
  readonly sandbox: SandboxState;
  /**
   * The sandbox itself and a scratch folder its uids can reach, for modules that lay out their
   * own runs (workspaces); null when code may not run in a real sandbox here.
   */
  readonly workspaceSandbox: { sandbox: Sandbox; scratchDir: string } | null;
  /** `http://host:port` of the engine (for webhook `uri`s; requests use their own Host) */
  readonly url: string;
  readonly accessToken: string;
  readonly log: (line: string) => void;
  /** Hands connections that upgrade (WebSocket) under `path` to `handler`. */
  onUpgrade(path: string, handler: UpgradeHandler): void;
  /** Runs `fn` when the engine closes (after the queue has stopped, before the database closes). */
  onClose(fn: () => void): void;
  /** Emits `submission.status` (call on every status change, including creation). */
  statusChanged(module: EngineModuleName, id: number, status: number): void;
  /**
   * Emits `submission.finished` and sends the webhook, whose `submission` is `summary` (the same
   * object as an item of the module's `GET /submissions?ids=`).
   */
  finished(module: EngineModuleName, id: number, status: number, summary: unknown): void;
}

/**
 * An API module of the engine (one spec file). To add one: write its migrations, its router and
 * its job kind, and list it in `engine.ts`'s `MODULES`.
 */
export interface EngineModule {
  name: EngineModuleName;
  /** e.g. `/compilers/api/v4` */
  basePath: string;
  /** its own cap on request bodies and their refusal (default: the engine's) */
  body?: MountOptions;
  /** appended after the core's and earlier modules' migrations */
  migrations: Migration[];
  /**
   * Builds the module's router and registers its job kind(s) on `ctx.queue`; runs before the
   * queue starts (so recovered jobs find their handlers).
   */
  setup(ctx: EngineContext): Router;
}
