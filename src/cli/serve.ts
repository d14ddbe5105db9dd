import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startEngine,
  type ContainersSettings,
  type RunningEngine,
  type SubmissionFinishedEvent,
  type SubmissionStatusEvent,
} from '../engine/index.js';
import {
  type BackendConfig,
  defaultConfig,
  loadConfig,
  type RunningServer,
  startServer,
  type SubmissionEventSource,
  type SubmissionUpdate,
  scrubSecrets,
  WEBHOOK_PATH,
} from '../server/index.js';
import { limitsLine } from '../shared/sandbox-limits.js';
import { configOption, intOption, parseCommand, str, UsageError } from './args.js';
import { untilStopSignal } from './signals.js';
import { containersSettings } from './engine.js';

export const serveHelp = `se-widgets serve [options]

Runs the signing backend: the widget API (/v1), the demo pages and the built bundles. Modules with
no upstream URL use the embedded engine, started on loopback.

Options:
  --port N        port to listen on (env PORT, default 8080)
  --host HOST     address to bind (env HOST, default 127.0.0.1)
  --config FILE   configuration file (JSON; see the README): widgets, limits, upstream
  -h, --help      show this help

Environment:
  SE_SESSION_SECRET       signs session tokens: a secret of 32+ characters, or kid:secret,kid:secret
                          (the first signs); generated per start when unset (refused in production)
  SE_COMPILERS_URL        Compilers API endpoint, with SE_COMPILERS_TOKEN
  SE_PROBLEMS_URL         Problems API endpoint, with SE_PROBLEMS_TOKEN
  SE_CONTAINERS_URL       Containers API endpoint, with SE_CONTAINERS_TOKEN
  SE_ENGINE_ACCESS_TOKEN  the embedded engine's access token (random when unset)
  SE_BACKEND_DATA_DIR     the backend's data folder: which learner has which workspace
                          (default ./.se-backend)
  SE_ENGINE_DATA_DIR      the embedded engine's data folder (default ./.se-engine)
  SE_ENGINE_WORKSPACES, SE_ENGINE_WORKSPACE_DISK_MIB, SE_ENGINE_WORKSPACE_MEMORY_MIB,
  SE_ENGINE_WORKSPACE_LIFETIME_MIN
                          the embedded engine's workspaces (see se-widgets engine --help)`;

type ModuleName = 'compilers' | 'problems' | 'containers';
const MODULES: ModuleName[] = ['compilers', 'problems', 'containers'];
const BASE_PATHS: Record<ModuleName, string> = {
  compilers: '/compilers/api/v4',
  problems: '/problems/api/v4',
  containers: '/containers/api/v1',
};

/** Options of {@link startAll}. Nothing is read from the environment here. */
export interface StartAllOptions {
  /** default 0: any free port */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** a parsed configuration or a file name (default: the built-in demo configuration) */
  config?: BackendConfig | string;
  /** `SE_SESSION_SECRET` format; random when unset */
  sessionSecret?: string;
  /** hosted endpoints per module; they override the configuration's */
  upstream?: Partial<Record<ModuleName, { url: string; token: string }>>;
  /** the backend's data folder (which learner has which workspace); absent: in memory */
  dataDir?: string;
  /** the embedded engine, started when a module has no endpoint */
  engine?: {
    /** data folder (default: a temporary folder removed on close) */
    dataDir?: string;
    /** default: random */
    accessToken?: string;
    workers?: number;
    queueSize?: number;
    /** development only (see `se-widgets engine --help`) */
    unsafeNoSandbox?: boolean;
    /** the Containers module's settings (see `se-widgets engine --help`) */
    containers?: Partial<ContainersSettings>;
  };
  /** one-line messages, scrubbed of secrets (default: stderr) */
  log?: (line: string) => void;
  /** server-sent-event heartbeat interval (default 15000 ms) */
  heartbeatMs?: number;
  /** one log line per API request (default true) */
  accessLog?: boolean;
  /** the folder of pages served at `/` (default: the package's `demo/`) */
  pagesDir?: string;
}

/** Everything {@link startAll} started. */
export interface StartedAll {
  /** the backend, `http://host:port` */
  url: string;
  /** the embedded engine's URL, or null when every module is hosted */
  engineUrl: string | null;
  /** the secret that signs sessions (to mint host-signed tokens in tests) */
  sessionSecret: string;
  /** modules served by the embedded engine */
  embedded: ModuleName[];
  /** stops the backend, then the engine, then removes a temporary data folder */
  close(): Promise<void>;
}

function engineEvents(engine: RunningEngine): SubmissionEventSource {
  return {
    subscribe(listener: (u: SubmissionUpdate) => void) {
      // the widgets' runs are Compilers and Problems submissions; Containers ones are not tracked
      const onStatus = (e: SubmissionStatusEvent) => {
        if (e.module !== 'containers') listener({ ...e, module: e.module });
      };
      const onFinished = (e: SubmissionFinishedEvent) => {
        if (e.module !== 'containers') listener({ ...e, module: e.module, executing: false });
      };
      engine.events.on('submission.status', onStatus);
      engine.events.on('submission.finished', onFinished);
      return () => {
        engine.events.off('submission.status', onStatus);
        engine.events.off('submission.finished', onFinished);
      };
    },
  };
}

/**
 * Starts the signing backend and, for modules without an upstream endpoint, the embedded engine on
 * loopback with its webhook pointing back at the backend. Used by `se-widgets serve` and by tests.
 */
export async function startAll(options: StartAllOptions = {}): Promise<StartedAll> {
  const stderr = (line: string) => process.stderr.write(line + '\n');
  const config =
    typeof options.config === 'string'
      ? await loadConfig(options.config)
      : (options.config ?? defaultConfig());
  const hosted = { ...config.upstream.endpoints, ...options.upstream };
  const embedded = MODULES.filter((m) => !hosted[m]);
  const sessionSecret = options.sessionSecret ?? randomBytes(32).toString('base64url');
  if (!options.sessionSecret && process.env.NODE_ENV === 'production') {
    throw new Error('SE_SESSION_SECRET must be set when NODE_ENV=production');
  }
  const secrets = [
    sessionSecret,
    ...Object.values(hosted).map((e) => e.token),
    ...(options.engine?.accessToken ? [options.engine.accessToken] : []),
  ];
  const rawLog = options.log ?? stderr;
  const log = (line: string) => rawLog(scrubSecrets(line, secrets));
  if (!options.sessionSecret) {
    log(
      'se-widgets: warning: SE_SESSION_SECRET is not set; using a random secret (sessions end when the server stops)',
    );
  }

  const host = options.host ?? '127.0.0.1';
  // Modules that push completion: the engine's (webhook + in-process events), and hosted ones when
  // the configuration has a webhook secret (the hosted service's webhooks are configured there).
  const webhookSecret = config.upstream.webhookSecret ?? randomBytes(32).toString('base64url');
  secrets.push(webhookSecret);
  const hostedPush = config.upstream.webhookSecret ? MODULES.filter((m) => hosted[m]) : [];
  const server: RunningServer = await startServer({
    port: options.port ?? 0,
    host,
    config,
    sessionSecret,
    log,
    heartbeatMs: options.heartbeatMs,
    accessLog: options.accessLog,
    pagesDir: options.pagesDir,
    dataDir: options.dataDir,
    upstream: {
      endpoints: hosted,
      webhookSecret: config.upstream.webhookSecret,
      pushModules: hostedPush,
    },
  });

  let engine: RunningEngine | null = null;
  let tempDir: string | null = null;
  const stop = async () => {
    await server.close();
    await engine?.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  };
  try {
    if (embedded.length > 0) {
      let dataDir = options.engine?.dataDir;
      if (!dataDir) dataDir = tempDir = await mkdtemp(join(tmpdir(), 'se-engine-'));
      // The webhook goes to the backend over loopback, whatever address the backend listens on.
      const selfHost =
        host === '0.0.0.0'
          ? '127.0.0.1'
          : host === '::'
            ? '[::1]'
            : host.includes(':')
              ? `[${host}]`
              : host;
      engine = await startEngine({
        port: 0,
        host: '127.0.0.1',
        dataDir,
        accessToken: options.engine?.accessToken,
        workers: options.engine?.workers,
        queueSize: options.engine?.queueSize,
        unsafeNoSandbox: options.engine?.unsafeNoSandbox,
        containers: options.engine?.containers,
        webhook: { url: `http://${selfHost}:${server.port}${WEBHOOK_PATH}`, secret: webhookSecret },
        log,
      });
      secrets.push(engine.accessToken);
      const running = engine;
      const endpoints = { ...hosted };
      for (const m of embedded) {
        endpoints[m] = { url: running.url + BASE_PATHS[m], token: running.accessToken };
      }
      server.setUpstream({
        endpoints,
        embedded,
        webhookSecret,
        pushModules: [...hostedPush, ...embedded],
        events: engineEvents(running),
        sandbox: () => running.selfTest,
      });
      if (running.selfTest.limits) log(`se-widgets: ${limitsLine(running.selfTest.limits)}`);
      if (!running.selfTest.ok) {
        log(
          `se-widgets: the embedded engine's sandbox self-test failed; runs end with status 20: ` +
            running.selfTest.problems.join('; '),
        );
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    engineUrl: engine?.url ?? null,
    sessionSecret,
    embedded,
    close: () => (closing ??= stop()),
  };
}

function endpointFromEnv(
  env: NodeJS.ProcessEnv,
  m: ModuleName,
): { url: string; token: string } | undefined {
  const prefix = `SE_${m.toUpperCase()}`;
  const url = env[`${prefix}_URL`];
  const token = env[`${prefix}_TOKEN`];
  if (!url && !token) return undefined;
  if (!url) throw new UsageError(`${prefix}_TOKEN is set but ${prefix}_URL is not`);
  if (!token) throw new UsageError(`${prefix}_URL needs ${prefix}_TOKEN`);
  if (!URL.canParse(url)) throw new UsageError(`${prefix}_URL is not a URL`);
  return { url, token };
}

/** `se-widgets serve`: runs until SIGTERM or SIGINT, then stops cleanly. */
export async function serve(argv: string[]): Promise<number> {
  const values = parseCommand(
    argv,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      config: { type: 'string' },
    },
    serveHelp,
  );
  if (!values) return 0;
  const env = process.env;
  const port = intOption('--port', str(values.port) ?? env.PORT, 8080);
  const host = str(values.host) ?? env.HOST ?? '127.0.0.1';
  const upstream: StartAllOptions['upstream'] = {};
  for (const m of MODULES) {
    const e = endpointFromEnv(env, m);
    if (e) upstream[m] = e;
  }
  const config = await configOption(str(values.config));
  // startAll refuses a missing SE_SESSION_SECRET when NODE_ENV=production.
  const running = await startAll({
    port,
    host,
    config,
    sessionSecret: env.SE_SESSION_SECRET || undefined,
    upstream,
    dataDir: env.SE_BACKEND_DATA_DIR || './.se-backend',
    engine: {
      dataDir: env.SE_ENGINE_DATA_DIR || './.se-engine',
      accessToken: env.SE_ENGINE_ACCESS_TOKEN || undefined,
      containers: containersSettings({}, env),
    },
  });
  process.stdout.write(`se-widgets: serving on ${running.url}/\n`);
  await untilStopSignal();
  await running.close();
  process.stdout.write('se-widgets: stopped\n');
  return 0;
}
