// Shared by the engine's tests: a real engine (real sandbox, real SQLite file in a temp folder)
// and a small client over real HTTP.
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompilersSubmission } from '../../src/shared/compilers.js';
import { startEngine, type EngineOptions, type RunningEngine } from '../../src/engine/index.js';
import { listenLocal } from '../helpers/http.js';

export const BASE = '/compilers/api/v4';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // Tests read fields of many shapes; a loose type keeps them short.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** A request body: JSON, form (x-www-form-urlencoded) or multipart. */
export type SendBody =
  { json: unknown } | { form: Record<string, string> } | { multipart: Record<string, string> };

/** A running engine and one module's client (paths below its base path). */
export interface ModuleUnderTest<Detail> extends ModuleHttp {
  engine: RunningEngine;
  dataDir: string;
  /** `engine.url` + the module's base path */
  api: string;
  /** Waits for the submission's final status (GET, then the in-process event); its details. */
  final(id: number, timeoutMs?: number): Promise<Detail>;
  /** GET /submissions/:id/:stream as text ('' when the stream is empty or does not exist) */
  stream(id: number, name: string): Promise<string>;
  close(): Promise<void>;
}

export interface TestEngine extends ModuleUnderTest<CompilersSubmission> {
  /** POST /submissions (JSON) expecting 201; the new id */
  submit(fields: Record<string, unknown>): Promise<number>;
}

/**
 * Starts an engine on port 0 with a temp data folder (`tmpPrefix`; removed by `close` unless the
 * caller gave `dataDir`), and a client of `module`.
 */
export async function startModule<Detail>(
  module: 'compilers' | 'problems',
  tmpPrefix: string,
  options: Partial<EngineOptions>,
  finalTimeoutMs: number,
): Promise<ModuleUnderTest<Detail>> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), tmpPrefix)));
  const engine = await startEngine({ port: 0, workers: 2, log: () => {}, ...options, dataDir });
  const api = `${engine.url}/${module}/api/v4`;
  const http = moduleHttp(engine, api);
  return {
    engine,
    dataDir,
    api,
    ...http,
    final: (id, timeoutMs = finalTimeoutMs) =>
      finalAnswer<Detail>(engine, module, http, id, timeoutMs),
    stream: (id, name) => streamText(http, id, name),
    async close() {
      await engine.close();
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts an engine on port 0 with a temp data folder (removed by `close`); its Compilers client. */
export async function startTestEngine(options: Partial<EngineOptions> = {}): Promise<TestEngine> {
  const m = await startModule<CompilersSubmission>('compilers', 'se-engine-test-', options, 30_000);
  return {
    ...m,
    async submit(fields) {
      const r = await m.post('/submissions', { json: fields });
      if (r.status !== 201) throw new Error(`POST /submissions: ${r.status} ${r.text}`);
      return r.json.id as number;
    },
  };
}

/** Plain HTTP to one module of a running engine, the token in the query unless told. */
export interface ModuleHttp {
  get(path: string, token?: string | null): Promise<Reply>;
  post(path: string, body: SendBody, token?: string | null): Promise<Reply>;
  put(path: string, body: SendBody, token?: string | null): Promise<Reply>;
  del(path: string, token?: string | null): Promise<Reply>;
}

/** HTTP to the module at `api` (its base URL) of `engine`. */
export function moduleHttp(engine: RunningEngine, api: string): ModuleHttp {
  const url = (path: string, token: string | null | undefined) =>
    withToken(api + path, token, engine.accessToken);
  const send = async (method: string, path: string, body?: SendBody, token?: string | null) =>
    reply(await fetch(url(path, token), { method, ...(body ? encode(body) : {}) }));
  return {
    get: (path, token) => send('GET', path, undefined, token),
    post: (path, body, token) => send('POST', path, body, token),
    put: (path, body, token) => send('PUT', path, body, token),
    del: (path, token) => send('DELETE', path, undefined, token),
  };
}

/**
 * Resolves when submission `id` of `module` has finished: its `submission.finished` event, or at
 * once when it already had (it may have finished before this engine started, or before this
 * call). Any number of calls may wait for one id.
 */
export async function finalAnswer<T>(
  engine: RunningEngine,
  module: 'compilers' | 'problems' | 'containers',
  http: ModuleHttp,
  id: number,
  timeoutMs: number,
): Promise<T> {
  let onFinished: (e: { module: string; id: number }) => void = () => {};
  let timer: ReturnType<typeof setTimeout> | undefined;
  const finished = new Promise<void>((resolve, reject) => {
    onFinished = (e) => {
      if (e.module === module && e.id === id) resolve();
    };
    engine.events.on('submission.finished', onFinished);
    timer = setTimeout(
      () => reject(new Error(`submission ${id} did not finish in ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const now = await http.get(`/submissions/${id}`);
    if (!(now.status === 200 && now.json.executing === false)) await finished;
  } finally {
    clearTimeout(timer);
    engine.events.off('submission.finished', onFinished);
  }
  const r = await http.get(`/submissions/${id}`);
  if (r.status !== 200) throw new Error(`GET /submissions/${id}: ${r.status} ${r.text}`);
  return r.json as T;
}

/** GET /submissions/:id/:stream as text; '' when the stream is empty or does not exist (1101). */
export async function streamText(http: ModuleHttp, id: number, name: string): Promise<string> {
  const r = await http.get(`/submissions/${id}/${name}`);
  if (r.status === 404 && r.json?.error_code === 1101) return '';
  if (r.status !== 200) throw new Error(`GET ${name}: ${r.status} ${r.text}`);
  return r.text;
}

/** `url` with the access token in the query: `token`, else `fallback`; none when `token` is null. */
export function withToken(url: string, token: string | null | undefined, fallback: string): string {
  if (token === null) return url;
  const sep = url.includes('?') ? '&' : '?';
  return `${url}${sep}access_token=${encodeURIComponent(token ?? fallback)}`;
}

/** A response read whole: its text, and its JSON when the text parses. */
export async function reply(res: Response): Promise<Reply> {
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // raw stream
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A request body as `fetch` options (the method is the caller's). */
export function encode(body: SendBody): RequestInit {
  if ('json' in body) {
    return { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body.json) };
  }
  if ('form' in body) return { body: new URLSearchParams(body.form) };
  const fd = new FormData();
  for (const [k, v] of Object.entries(body.multipart)) fd.append(k, v);
  return { body: fd };
}

/** The ten highlighter families every compiler names, sorted. */
export const HIGHLIGHTER_KEYS = [
  'ace',
  'code_prettify',
  'codemirror',
  'geshi',
  'highlightjs',
  'highlights',
  'monaco',
  'prism',
  'pygments',
  'rouge',
];

/** Ids of the languages every machine of the project has. */
export const PYTHON = 116;
export const CPP = 1;
export const C = 11;
export const NODEJS = 56;
export const BASH = 28;
export const PERL = 3;

/** A webhook receiver on 127.0.0.1: every delivery's body and signature header, in order. */
export async function webhookReceiver(): Promise<{
  url: string;
  deliveries: Array<{ body: string; signature: string | undefined }>;
  /** called after each delivery */
  onDelivery: (fn: () => void) => void;
  close(): Promise<void>;
}> {
  const deliveries: Array<{ body: string; signature: string | undefined }> = [];
  let notify: () => void = () => {};
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      deliveries.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: req.headers['x-sphere-engine-signature'] as string | undefined,
      });
      res.end('ok');
      notify();
    });
  });
  const url = `${await listenLocal(server)}/hook`;
  return {
    url,
    deliveries,
    onDelivery: (fn) => (notify = fn),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
