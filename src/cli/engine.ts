import { startEngine, type ContainersSettings } from '../engine/index.js';
import { limitsLine } from '../shared/sandbox-limits.js';
import { intOption, parseCommand, str, UsageError } from './args.js';
import { untilStopSignal } from './signals.js';

export const engineHelp = `se-widgets engine [options]

Runs the embedded engine alone: the Sphere Engine Compilers API v4 at /compilers/api/v4 and
Problems API v4 at /problems/api/v4 (with the demo problems), running code in the bubblewrap
sandbox, with submissions and problems kept in SQLite under the data folder.

Options:
  --port N               port to listen on (env SE_ENGINE_PORT, default 3100; 0 = any free port)
  --host HOST            address to bind (default 127.0.0.1)
  --data-dir DIR         data folder (env SE_ENGINE_DATA_DIR, default ./.se-engine)
  --workers N            programs run at once (env SE_ENGINE_WORKERS, default: the number of cores)
  --queue-size N         submissions waiting before new ones get 503 (env SE_ENGINE_QUEUE_SIZE,
                         default 1000)
  --webhook-url URL      POST each finished submission there (env SE_ENGINE_WEBHOOK_URL)
  --webhook-secret S     key of its X-Sphere-Engine-Signature (env SE_ENGINE_WEBHOOK_SECRET)
  --workspaces N         Containers: workspaces running at once (env SE_ENGINE_WORKSPACES,
                         default 20); one more gets 409 with error_code 200611
  --workspace-disk MIB   Containers: the files of one workspace (env SE_ENGINE_WORKSPACE_DISK_MIB,
                         default 256)
  --workspace-memory MIB Containers: memory of one stage or terminal
                         (env SE_ENGINE_WORKSPACE_MEMORY_MIB, default 1024)
  --workspace-lifetime MIN
                         Containers: minutes after which any workspace is removed
                         (env SE_ENGINE_WORKSPACE_LIFETIME_MIN, default 43200: 30 days)
  --unsafe-no-sandbox    development only: run code WITHOUT the sandbox when its self-test
                         fails (env SE_ENGINE_UNSAFE_NO_SANDBOX=1; refused when
                         NODE_ENV=production or CI=true)
  -h, --help             show this help

Environment:
  SE_ENGINE_ACCESS_TOKEN the API access token; generated and printed once when unset
  SE_ENGINE_COMPILE_TIME CPU seconds of a compile stage (default 10; raise on slow machines)
  SE_ENGINE_CGROUPS      auto (default), v1, v2 or none: how runs are limited`;

/**
 * The Containers module's settings from `--workspace*` options (absent for `serve`) and their
 * environment variables; only what is given (the module's defaults fill the rest).
 */
export function containersSettings(
  values: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv,
): Partial<ContainersSettings> {
  const MIB = 1024 * 1024;
  const read = (flag: string, name: string, min: number, max: number) => {
    const text = str(values[flag]) ?? env[name];
    return text ? intOption(`--${flag} (${name})`, text, 0, min, max) : undefined;
  };
  const slots = read('workspaces', 'SE_ENGINE_WORKSPACES', 1, 10_000);
  const disk = read('workspace-disk', 'SE_ENGINE_WORKSPACE_DISK_MIB', 16, 1024 * 1024);
  const memory = read('workspace-memory', 'SE_ENGINE_WORKSPACE_MEMORY_MIB', 64, 1024 * 1024);
  const lifetime = read('workspace-lifetime', 'SE_ENGINE_WORKSPACE_LIFETIME_MIN', 1, 5_256_000);
  return {
    ...(slots !== undefined ? { slots } : {}),
    ...(disk !== undefined ? { diskBytes: disk * MIB } : {}),
    ...(memory !== undefined ? { memoryBytes: memory * MIB } : {}),
    ...(lifetime !== undefined ? { lifetimeMin: lifetime } : {}),
  };
}

/** `se-widgets engine`: runs until SIGTERM or SIGINT, then stops cleanly. */
export async function engine(argv: string[]): Promise<number> {
  const values = parseCommand(
    argv,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      workers: { type: 'string' },
      'queue-size': { type: 'string' },
      'webhook-url': { type: 'string' },
      'webhook-secret': { type: 'string' },
      'unsafe-no-sandbox': { type: 'boolean' },
      workspaces: { type: 'string' },
      'workspace-disk': { type: 'string' },
      'workspace-memory': { type: 'string' },
      'workspace-lifetime': { type: 'string' },
    },
    engineHelp,
  );
  if (!values) return 0;
  const env = process.env;
  const port = intOption('--port', str(values.port) ?? env.SE_ENGINE_PORT, 3100);
  const workersText = str(values.workers) ?? env.SE_ENGINE_WORKERS;
  const workers = workersText ? intOption('--workers', workersText, 1, 1, 256) : undefined;
  const queueSize = intOption(
    '--queue-size',
    str(values['queue-size']) ?? env.SE_ENGINE_QUEUE_SIZE,
    1000,
    1,
    1_000_000,
  );
  const webhookUrl = str(values['webhook-url']) ?? env.SE_ENGINE_WEBHOOK_URL;
  const webhookSecret = str(values['webhook-secret']) ?? env.SE_ENGINE_WEBHOOK_SECRET;
  if (webhookUrl && !webhookSecret) {
    throw new UsageError('--webhook-url needs --webhook-secret (or SE_ENGINE_WEBHOOK_SECRET)');
  }
  if (webhookUrl && !URL.canParse(webhookUrl)) {
    throw new UsageError(`--webhook-url is not a URL: '${webhookUrl}'`);
  }
  const tokenFromEnv = env.SE_ENGINE_ACCESS_TOKEN || undefined;

  const running = await startEngine({
    port,
    host: str(values.host) ?? '127.0.0.1',
    dataDir: str(values['data-dir']) ?? env.SE_ENGINE_DATA_DIR ?? './.se-engine',
    accessToken: tokenFromEnv,
    workers,
    queueSize,
    webhook: webhookUrl && webhookSecret ? { url: webhookUrl, secret: webhookSecret } : undefined,
    unsafeNoSandbox: values['unsafe-no-sandbox'] === true,
    containers: containersSettings(values, env),
  });
  if (!tokenFromEnv) {
    process.stdout.write(
      `se-widgets engine: generated access token (set SE_ENGINE_ACCESS_TOKEN to keep one): ` +
        `${running.accessToken}\n`,
    );
  }
  if (running.selfTest.limits)
    process.stdout.write(`se-widgets engine: ${limitsLine(running.selfTest.limits)}\n`);
  if (!running.selfTest.ok) {
    process.stderr.write(
      `se-widgets engine: the sandbox self-test failed; submissions end with status 20:\n` +
        running.selfTest.problems.map((p) => `  - ${p}\n`).join(''),
    );
  }
  process.stdout.write(`se-widgets engine: serving on ${running.url}/compilers/api/v4\n`);
  await untilStopSignal();
  process.stdout.write('se-widgets engine: stopping (running submissions finish or re-queue)\n');
  await running.close();
  process.stdout.write('se-widgets engine: stopped\n');
  return 0;
}
