import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { statusName, isTransient } from '../shared/status.js';
import { compilersModule } from './compilers/index.js';
import { problemsModule } from './problems/index.js';
import { containersModule, type ContainersSettings } from './containers/index.js';
import { createExecutor, type EngineExecutor } from './exec/index.js';
import { ApiServer } from './http/server.js';
import { LIMITS, QUEUE_DEFAULTS } from './limits.js';
import type { LimitsReport } from './exec/types.js';
import type { EngineContext, EngineModule, SandboxState } from './module.js';
import { JobQueue } from './queue.js';
import { coreMigrations, openDb, type Db } from './store/db.js';
import {
  WebhookSender,
  type EngineEventMap,
  type EngineEvents,
  type WebhookSetting,
} from './webhooks.js';

/** Options of {@link startEngine}. */
export interface EngineOptions {
  /** port to listen on; 0 picks a free one (default 3100) */
  port?: number;
  /** address to bind (default 127.0.0.1) */
  host?: string;
  /** folder of `engine.db` and the submissions' scratch folders (created when missing) */
  dataDir: string;
  /** the API access token; generated when unset (read it from `RunningEngine.accessToken`) */
  accessToken?: string;
  /** size of the worker pool (default: the number of cores) */
  workers?: number;
  /** most submissions waiting to run before POST answers 503 (default 1000) */
  queueSize?: number;
  /** POSTs every finished submission there, signed with the secret */
  webhook?: WebhookSetting;
  /**
   * Development only: run code without the sandbox. Refused when NODE_ENV=production or CI=true;
   * every result is marked.
   */
  unsafeNoSandbox?: boolean;
  /** one-line messages for the operator (default: stderr) */
  log?: (line: string) => void;
  /** the Containers module's settings (slots, disk cap per workspace, idle sweep) */
  containers?: Partial<ContainersSettings>;
}

/** A started engine. */
export interface RunningEngine {
  /** `http://host:port`, no trailing slash */
  url: string;
  accessToken: string;
  /** the sandbox's start-up self-test; when not ok, every submission ends with status 20 */
  selfTest: { ok: boolean; problems: string[]; limits?: LimitsReport };
  /** `submission.status` and `submission.finished` (see {@link EngineEventMap}) */
  events: EngineEvents;
  /** Stops accepting requests, lets running submissions finish (or re-queues them), closes. */
  close(): Promise<void>;
}

/** The API modules, in the order their migrations apply. Add a module here. */
function modules(options: EngineOptions): EngineModule[] {
  return [compilersModule, problemsModule, containersModule(options.containers)];
}

/** How long `close` waits for running submissions before re-queueing them. */
const CLOSE_GRACE_MS = 10_000;

/** Starts the embedded engine: the HTTP API of every module on one port, the queue and pool. */
export async function startEngine(options: EngineOptions): Promise<RunningEngine> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const workers = options.workers ?? availableParallelism();
  const queueSize = options.queueSize ?? QUEUE_DEFAULTS.queueSize;
  if (!Number.isInteger(workers) || workers < 1) throw new Error('workers must be at least 1');
  if (!Number.isInteger(queueSize) || queueSize < 1) {
    throw new Error('queueSize must be at least 1');
  }
  const unsafe = options.unsafeNoSandbox === true;
  if (unsafe && (process.env.NODE_ENV === 'production' || process.env.CI === 'true')) {
    throw new Error('running without a sandbox is refused when NODE_ENV=production or CI=true');
  }
  if (options.webhook) new URL(options.webhook.url); // throws on a malformed URL
  const accessToken = options.accessToken || randomBytes(24).toString('base64url');
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const MODULES = modules(options);
  const closers: Array<() => void> = [];
  const { executor, sandbox } = await startExecutor(dataDir, workers, unsafe, log);
  if (!sandbox.ok && !sandbox.unsafe) log(`se-engine: ${sandbox.refusal}`);

  let db: Db;
  try {
    db = openDb(dataDir, [...coreMigrations, ...MODULES.flatMap((m) => m.migrations)]);
  } catch (err) {
    await closeExecutor(executor, log);
    throw err;
  }
  const queue = new JobQueue(db, { workers, queueSize, log });
  const events: EngineEvents = new EventEmitter<EngineEventMap>();
  const webhooks = new WebhookSender(options.webhook, log);
  const server = new ApiServer({ accessToken, maxBodyBytes: LIMITS.bodyBytes, log });
  const emit = <K extends keyof EngineEventMap>(name: K, ...args: EngineEventMap[K]) => {
    try {
      (events.emit as (n: K, ...a: EngineEventMap[K]) => boolean)(name, ...args);
    } catch (err) {
      log(`se-engine: a '${name}' listener threw: ${String(err)}`);
    }
  };

  let url = '';
  const ctx: EngineContext = {
    db,
    dataDir,
    queue,
    executor,
    sandbox,
    workspaceSandbox:
      executor?.sandbox && sandbox.ok && !sandbox.unsafe
        ? { sandbox: executor.sandbox, scratchDir: executor.scratchDir }
        : null,
    get url() {
      return url;
    },
    accessToken,
    log,
    onClose(fn) {
      closers.push(fn);
    },
    onUpgrade(path, handler) {
      server.upgrade(path, handler);
    },
    statusChanged(module, id, status) {
      emit('submission.status', {
        module,
        id,
        executing: isTransient(status),
        status: { code: status, name: statusName(status) },
      });
    },
    finished(module, id, status, summary) {
      emit('submission.finished', {
        module,
        id,
        status: { code: status, name: statusName(status) },
      });
      webhooks.send({ event: 'submission.finished', module, submission: summary });
    },
  };

  try {
    for (const m of MODULES) server.mount(m.basePath, m.setup(ctx), m.body);
    url = await server.listen(options.port ?? 3100, options.host ?? '127.0.0.1');
  } catch (err) {
    db.close();
    await closeExecutor(executor, log);
    throw err;
  }
  queue.start();

  let closing: Promise<void> | undefined;
  return {
    url,
    accessToken,
    selfTest: { ok: sandbox.ok, problems: [...sandbox.problems], limits: sandbox.limits },
    events,
    close: () =>
      (closing ??= (async () => {
        await server.close();
        await queue.close(CLOSE_GRACE_MS);
        for (const fn of closers) fn();
        await webhooks.close();
        await closeExecutor(executor, log);
        db.close();
      })()),
  };
}

async function startExecutor(
  dataDir: string,
  workers: number,
  unsafe: boolean,
  log: (line: string) => void,
): Promise<{ executor: EngineExecutor | null; sandbox: SandboxState }> {
  try {
    const executor = await createExecutor({
      // The data folder stays private (0700), so sandboxes (other uids) could not reach program
      // folders below it: those go to the system temp folder.
      workDir: tmpdir(),
      workers,
      unsafeNoSandbox: unsafe,
      outputCapBytes: LIMITS.outputBytes,
      log,
    });
    const { ok, problems } = executor.selfTest;
    return {
      executor,
      sandbox: {
        ok,
        problems: [...problems],
        unsafe: executor.unsandboxed,
        limits: executor.selfTest.limits,
        refusal: ok ? '' : refusal(problems),
      },
    };
  } catch (err) {
    const problems = [
      `the execution core did not start: ${err instanceof Error ? err.message : String(err)}`,
    ];
    return {
      executor: null,
      sandbox: { ok: false, problems, unsafe: false, refusal: refusal(problems) },
    };
  }
}

async function closeExecutor(
  executor: EngineExecutor | null,
  log: (line: string) => void,
): Promise<void> {
  try {
    await executor?.close();
  } catch (err) {
    log(`se-engine: closing the execution core failed: ${String(err)}`);
  }
}

function refusal(problems: string[]): string {
  return (
    'internal error: this engine runs no code because its sandbox is not available: ' +
    problems.join('; ') +
    '. The operator must fix this (see SANDBOX.md) and restart the engine.\n'
  );
}
