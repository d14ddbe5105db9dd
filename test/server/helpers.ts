import assert from 'node:assert/strict';
import {
  V1FileEntrySchema,
  V1FileSchema,
  V1ScenarioResultSchema,
  V1TerminalTicketSchema,
  V1WorkspaceSchema,
} from '../../src/shared/v1-workspace.js';
import {
  parseConfig,
  startServer,
  type RunningServer,
  type UpstreamLink,
} from '../../src/server/index.js';
import * as v from 'valibot';
import {
  CreatedResponseSchema,
  HealthResponseSchema,
  LanguagesResponseSchema,
  SessionResponseSchema,
  V1ErrorSchema,
  V1ProblemSchema,
  V1ResultSchema,
  V1StatusEventSchema,
} from '../../src/shared/v1.js';
import { startStandin, type Module, type Standin, type StandinOptions } from './standin.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { startAll, type StartedAll } from '../../src/cli/serve.js';
import { signSession } from '../../src/server/sessions.js';
import { startEngine, type RunningEngine } from '../../src/engine/index.js';

export const SECRET =
  'k1:test-secret-one-0123456789abcdefghijklmnop,k2:test-secret-two-0123456789abcdefghijklmnop';
export const TOKENS: Record<Module, string> = {
  compilers: 'compilers-access-token-5f3a9c1e7b',
  problems: 'problems-access-token-8d2b6e4f0a',
  containers: 'containers-access-token-1c7e9a3b5d',
};

/** A parsed JSON answer, read loosely by tests (each assertion says what it expects). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type Loose = any;

/**
 * The schema (src/shared/v1.ts) of the JSON answer to `method path` with `status`, or null for
 * what is not a `/v1` answer (pages, a preflight's empty 204).
 */
export function answerSchema(method: string, path: string, status: number): v.GenericSchema | null {
  const p = path.replace(/\?.*$/, '');
  if (p === '/healthz') return HealthResponseSchema;
  if (p !== '/v1' && !p.startsWith('/v1/')) return null;
  if (status >= 400) return V1ErrorSchema;
  if (method === 'POST' && (p === '/v1/sessions' || p === '/v1/sessions/refresh'))
    return SessionResponseSchema;
  if (
    method === 'POST' &&
    (p === '/v1/runs' || p === '/v1/submissions' || p === '/v1/workspace/runs')
  )
    return CreatedResponseSchema;
  if (method === 'POST' && (p === '/v1/workspace' || p === '/v1/workspace/reset'))
    return V1WorkspaceSchema;
  if (method === 'POST' && (p === '/v1/workspace/files' || p === '/v1/workspace/rename'))
    return V1FileEntrySchema;
  if (method === 'POST' && p === '/v1/workspace/terminal') return V1TerminalTicketSchema;
  if ((method === 'GET' || method === 'PUT') && p === '/v1/workspace/file') return V1FileSchema;
  if (method !== 'GET') return null;
  if (/^\/v1\/workspace\/runs\/[^/]+$/.test(p)) return V1ScenarioResultSchema;
  if (p === '/v1/languages') return LanguagesResponseSchema;
  if (/^\/v1\/problems\/[^/]+$/.test(p)) return V1ProblemSchema;
  if (/^\/v1\/(runs|submissions)\/[^/]+$/.test(p)) return V1ResultSchema;
  return null;
}

/** The schema of a server-sent event's data, by its name. */
const eventSchemas: Record<string, v.GenericSchema> = {
  status: V1StatusEventSchema,
  result: V1ResultSchema,
  error: V1ErrorSchema,
};

/** Throws when `data` is not what `schema` says the backend answers (the test then fails). */
export function assertAnswer(schema: v.GenericSchema, data: unknown, what: string): void {
  const r = v.safeParse(schema, data);
  if (r.success) return;
  const issue = r.issues[0];
  throw new Error(
    `${what}: the answer is not as src/shared/v1.ts says: ${v.getDotPath(issue) ?? '(root)'}: ` +
      `${issue.message} in ${JSON.stringify(data).slice(0, 400)}`,
  );
}

/** Everything a browser would have received in a test: for leak checks. */
export class Recorder {
  readonly seen: string[] = [];

  /** A fetch that records the status line, every header and the whole body. */
  async fetch(
    url: string,
    init: RequestInit = {},
  ): Promise<{ status: number; headers: Headers; text: string; json: () => Loose }> {
    const res = await fetch(url, init);
    const text = await res.text();
    this.seen.push(
      `${res.status} ${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${text}`,
    );
    // Every JSON answer of the backend is held to its schema, in every test that reads one.
    const method = init.method ?? 'GET';
    const schema = answerSchema(method, new URL(url).pathname, res.status);
    if (schema && text && res.headers.get('content-type')?.startsWith('application/json')) {
      assertAnswer(schema, JSON.parse(text), `${method} ${new URL(url).pathname} ${res.status}`);
    }
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  }

  /** The first recorded text containing one of `needles`, or null. */
  leak(needles: string[]): string | null {
    for (const s of this.seen)
      for (const n of needles) if (s.includes(n)) return `${n} in: ${s.slice(0, 400)}`;
    return null;
  }
}

export interface TestBackend {
  url: string;
  server: RunningServer;
  standin: Standin | null;
  log: string[];
  rec: Recorder;
  /** POST/GET with a session token and JSON */
  call(
    path: string,
    opts?: {
      token?: string;
      method?: string;
      body?: unknown;
      origin?: string;
      headers?: Record<string, string>;
    },
  ): ReturnType<Recorder['fetch']>;
  /** a public session for `widget` */
  session(widget: string, origin?: string): Promise<string>;
  close(): Promise<void>;
}

/** The widgets most tests use: public run and problem widgets, and a host-signed one. */
export const testConfig = {
  widgets: [
    {
      id: 'run',
      mode: 'run',
      compilers: [1, 116],
      defaultCompiler: 116,
      origins: ['https://lms.example.org', 'self'],
      public: true,
    },
    {
      id: 'problem',
      mode: 'problem',
      problem: 43,
      compilers: 'all',
      display: { perTestResults: true, output: true, expectedVsGot: true },
      origins: ['https://lms.example.org'],
      public: true,
    },
    {
      id: 'private',
      mode: 'run',
      compilers: 'all',
      origins: ['https://school.example.com'],
      public: false,
    },
  ],
};

export async function startTestBackend(
  options: {
    config?: unknown;
    standin?: Partial<StandinOptions> | false;
    link?: (s: Standin | null) => UpstreamLink;
    heartbeatMs?: number;
  } = {},
): Promise<TestBackend> {
  const standin =
    options.standin === false ? null : await startStandin({ tokens: TOKENS, ...options.standin });
  const log: string[] = [];
  const config = parseConfig(options.config ?? testConfig);
  const server = await startServer({
    port: 0,
    config,
    sessionSecret: SECRET,
    log: (l) => log.push(l),
    heartbeatMs: options.heartbeatMs,
    upstream: options.link
      ? options.link(standin)
      : {
          endpoints: standin
            ? {
                compilers: standin.endpoint('compilers'),
                problems: standin.endpoint('problems'),
                containers: standin.endpoint('containers'),
              }
            : {},
          // the production default: a loaded machine must not turn a slow answer into a 504
          timeoutMs: 10000,
          retries: 1,
        },
  });
  const rec = new Recorder();
  const call: TestBackend['call'] = (path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.origin) headers.origin = opts.origin;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    return rec.fetch(server.url + path, {
      method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'),
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  };
  return {
    url: server.url,
    server,
    standin,
    log,
    rec,
    call,
    async session(widget, origin) {
      const r = await call('/v1/sessions', { body: { widget }, origin });
      if (r.status !== 201) throw new Error(`session: ${r.status} ${r.text}`);
      return r.json().token as string;
    },
    async close() {
      await server.close();
      await standin?.close();
    },
  };
}

/** Runs `fn` on a fresh test backend and closes the backend after, also when `fn` throws. */
export async function withBackend(
  options: Parameters<typeof startTestBackend>[0],
  fn: (t: TestBackend) => Promise<void>,
): Promise<void> {
  const t = await startTestBackend(options);
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

/** Reads a server-sent-event stream to its end: the events in order. */
export async function readEvents(
  url: string,
  token: string,
  rec?: Recorder,
): Promise<{ status: number; events: Array<{ event: string; data: Loose }>; raw: string }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const raw = await res.text();
  rec?.seen.push(raw);
  const events = raw
    .split('\n\n')
    .filter((b) => b.startsWith('event:'))
    .map((b) => {
      const event = /^event: (.*)$/m.exec(b)![1]!;
      const data = JSON.parse(/^data: (.*)$/m.exec(b)![1]!);
      const schema = eventSchemas[event];
      if (schema) assertAnswer(schema, data, `event ${event} of ${new URL(url).pathname}`);
      return { event, data };
    });
  return { status: res.status, events, raw };
}

/**
 * A backend with the embedded engine for workspace widgets, for the length of a `describe`: temp
 * data folders (removed after), `call` as a page on `origin` would, `tokenFor` a host-signed
 * workspace session, `restart` of the backend and engine on the same folders.
 */
export function useWorkspaceBackend(o: {
  config: unknown;
  secret: string;
  origin: string;
  engineToken?: string;
  /** workspaces the engine runs at once (default 20) */
  slots?: number;
  /**
   * the Containers module as the hosted service offers it: a second engine with only the spec's
   * methods (no extensions, no terminals), given to the backend as a hosted endpoint
   */
  hosted?: boolean;
}) {
  const rec = new Recorder();
  const state = {
    all: null as StartedAll | null,
    hosted: null as RunningEngine | null,
    engineDir: '',
    backendDir: '',
  };
  const start = async () => {
    const containers = o.slots ? { slots: o.slots } : {};
    if (o.hosted && !state.hosted)
      state.hosted = await startEngine({
        port: 0,
        dataDir: join(state.engineDir, 'hosted'),
        workers: 2,
        log: () => {},
        containers: { ...containers, extensions: false },
      });
    const hosted = state.hosted;
    return startAll({
      config: parseConfig(o.config),
      sessionSecret: o.secret,
      dataDir: state.backendDir,
      ...(hosted
        ? {
            upstream: {
              containers: { url: `${hosted.url}/containers/api/v1`, token: hosted.accessToken },
            },
          }
        : {}),
      engine: {
        dataDir: state.engineDir,
        workers: hosted ? 1 : 2,
        accessToken: o.engineToken,
        containers,
      },
      log: () => {},
    });
  };
  before(async () => {
    state.engineDir = await mkdtemp(join(tmpdir(), 'se-ws-engine-'));
    state.backendDir = await mkdtemp(join(tmpdir(), 'se-ws-backend-'));
    state.all = await start();
  });
  after(async () => {
    await state.all?.close();
    await state.hosted?.close();
    await rm(state.engineDir, { recursive: true, force: true });
    await rm(state.backendDir, { recursive: true, force: true });
  });
  return {
    get all(): StartedAll {
      return state.all!;
    },
    get backendDir(): string {
      return state.backendDir;
    },
    call: (method: string, path: string, token?: string, body?: unknown) =>
      rec.fetch(state.all!.url + path, {
        method,
        headers: {
          origin: o.origin,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    /** Polls a scenario run until it is no longer executing; its last answer. */
    async final(id: string, token: string): Promise<Loose> {
      for (let i = 0; i < 600; i++) {
        const r = await this.call('GET', `/v1/workspace/runs/${id}`, token);
        assert.equal(r.status, 200, r.text);
        if (!r.json().executing) return r.json();
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error('the scenario did not finish');
    },
    tokenFor: async (widget: string, sub: string) =>
      (await signSession({ secret: o.secret, widget, sub, actions: ['workspace'] })).token,
    async restart(): Promise<void> {
      await state.all!.close();
      state.all = await start();
    },
  };
}
