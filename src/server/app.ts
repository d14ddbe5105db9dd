import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  createSdkSession,
  createSession,
  createRun,
  createSubmission,
  getResult,
  languages,
  problem,
  refreshSession,
} from './api.js';
import { Backend, type UpstreamLink } from './backend.js';
import { type BackendConfig, defaultConfig } from './config.js';
import { serveEmbed } from './embed.js';
import { ApiError, badRequest, notFound } from './errors.js';
import { eventStream } from './events.js';
import { Health } from './health.js';
import { apiHeaders, sendError, sendJson } from './http.js';
import { browserDistDir, demoDir, PUBLIC_DIST } from './paths.js';
import { randomSessionSecret } from './sessions.js';
import { isHashedChunk, serveFile } from './static.js';
import { Terminals } from './terminal.js';
import { receiveWebhook, WEBHOOK_PATH } from './webhook.js';
import { WorkspaceStore } from './workspace-store.js';
import { Workspaces } from './workspaces.js';

export interface ServeOptions {
  port?: number;
  host?: string;
  /** log function for one-line messages (scrubbed of secrets); defaults to stderr */
  log?: (line: string) => void;
  /** widgets, limits, sessions and upstream settings (default: the built-in demo configuration) */
  config?: BackendConfig;
  /**
   * signs and verifies session tokens: one secret, or `kid:secret,kid:secret` (the first signs).
   * When absent a random one is generated and a warning logged: tokens then die with the process.
   */
  sessionSecret?: string;
  /** the upstream; default: the endpoints of `config.upstream` (it can also be set later) */
  upstream?: UpstreamLink;
  /** interval of server-sent-event heartbeats (default 15000 ms) */
  heartbeatMs?: number;
  /** longest life of an event stream (default 10 minutes) */
  eventsMaxMs?: number;
  /** log one line per API request (default true) */
  accessLog?: boolean;
  /** the folder of pages served at `/` (default: the package's `demo/`) */
  pagesDir?: string;
  /**
   * the backend's data folder: which learner has which workspace (`backend.db`). Absent: kept in
   * memory only (lost on restart; a warning is logged when the first workspace is made).
   */
  dataDir?: string;
}

export interface RunningServer {
  /** `http://host:port` */
  url: string;
  port: number;
  server: Server;
  /** points the backend at (another) upstream */
  setUpstream(link: UpstreamLink): void;
  close(): Promise<void>;
}

const API_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';
const API_HEADERS = 'Authorization, Content-Type';

type Route =
  | { name: 'sessions' | 'sdk-sessions' | 'refresh' | 'languages' | 'runs' | 'submissions' }
  | {
      name:
        | 'ws-open'
        | 'ws-read'
        | 'ws-write'
        | 'ws-create'
        | 'ws-rename'
        | 'ws-delete'
        | 'ws-reset'
        | 'ws-run'
        | 'ws-terminal';
    }
  | { name: 'ws-result' | 'ws-events'; id: string }
  | { name: 'problem'; id: string }
  | { name: 'result' | 'events'; kind: 'run' | 'submission'; id: string };

function route(method: string, path: string): Route | null {
  if (method === 'POST' && path === '/v1/sessions') return { name: 'sessions' };
  if (method === 'POST' && path === '/v1/sdk/sessions') return { name: 'sdk-sessions' };
  if (method === 'POST' && path === '/v1/sessions/refresh') return { name: 'refresh' };
  if (method === 'GET' && path === '/v1/languages') return { name: 'languages' };
  if (method === 'POST' && path === '/v1/runs') return { name: 'runs' };
  if (method === 'POST' && path === '/v1/submissions') return { name: 'submissions' };
  if (method === 'POST' && path === '/v1/workspace') return { name: 'ws-open' };
  if (method === 'GET' && path === '/v1/workspace/file') return { name: 'ws-read' };
  if (method === 'PUT' && path === '/v1/workspace/file') return { name: 'ws-write' };
  if (method === 'POST' && path === '/v1/workspace/files') return { name: 'ws-create' };
  if (method === 'POST' && path === '/v1/workspace/rename') return { name: 'ws-rename' };
  if (method === 'DELETE' && path === '/v1/workspace/file') return { name: 'ws-delete' };
  if (method === 'POST' && path === '/v1/workspace/reset') return { name: 'ws-reset' };
  if (method === 'POST' && path === '/v1/workspace/runs') return { name: 'ws-run' };
  if (method === 'POST' && path === '/v1/workspace/terminal') return { name: 'ws-terminal' };
  if (method !== 'GET') return null;
  const run = /^\/v1\/workspace\/runs\/([A-Za-z0-9_-]+)(\/events)?$/.exec(path);
  if (run) return { name: run[2] ? 'ws-events' : 'ws-result', id: run[1]! };
  let m = /^\/v1\/problems\/([^/]+)$/.exec(path);
  if (m) return { name: 'problem', id: decodeURIComponent(m[1]!) };
  m = /^\/v1\/(runs|submissions)\/([A-Za-z0-9_-]+)(\/events)?$/.exec(path);
  if (m) {
    return {
      name: m[3] ? 'events' : 'result',
      kind: m[1] === 'runs' ? 'run' : 'submission',
      id: m[2]!,
    };
  }
  return null;
}

/** The log words of a refusal: its code, widget, origin and message (no token ever appears). */
function refusalWords(e: ApiError, origin: string | undefined): string {
  const about = [
    e.details.widget !== undefined ? `widget ${e.details.widget}` : null,
    `origin ${origin ?? 'none'}`,
  ].filter(Boolean);
  return `${e.code} (${about.join(', ')}): ${e.message}`;
}

/** Creates the request handler of the signing backend. */
export function createApp(
  b: Backend,
  health: Health,
  options: Pick<ServeOptions, 'heartbeatMs' | 'eventsMaxMs' | 'accessLog' | 'pagesDir'>,
  workspaces: Workspaces,
  terminals: Terminals,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const pagesDir = options.pagesDir ?? demoDir;
  const events = {
    heartbeatMs: options.heartbeatMs ?? 15000,
    maxMs: options.eventsMaxMs ?? 10 * 60_000,
  };

  async function api(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    cors: Record<string, string>,
    url: URL,
  ) {
    const origin = req.headers.origin;
    if (req.method === 'OPTIONS') {
      // Preflight: answered for any origin. It grants nothing: every request is checked against
      // its widget's origins, and nothing travels with credentials. Answering it lets a page on
      // an origin that is not listed read the refusal that says so, instead of a network error.
      if (origin === undefined || origin === 'null') {
        throw new ApiError(403, 'origin_not_allowed', 'This origin may not use this backend.');
      }
      res.writeHead(204, {
        ...apiHeaders,
        ...cors,
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Methods': API_METHODS,
        'Access-Control-Allow-Headers': API_HEADERS,
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }
    const r = route(req.method ?? 'GET', path);
    if (!r) throw notFound('No such resource.');
    if (r.name === 'sessions') return createSession(b, req, res);
    if (r.name === 'sdk-sessions') return createSdkSession(b, req, res);
    const session = await b.session(req);
    try {
      b.checkOrigin(req, session.widget);
      switch (r.name) {
        case 'refresh':
          return await refreshSession(b, session, req, res);
        case 'languages':
          return await languages(b, session, res);
        case 'problem':
          return await problem(b, session, r.id, res);
        case 'runs':
          return await createRun(b, session, req, res);
        case 'submissions':
          return await createSubmission(b, session, req, res);
        case 'result':
          return await getResult(b, session, r.kind, r.id, res);
        case 'events':
          return await eventStream(b, session, r.kind, r.id, res, cors, events);
        case 'ws-open':
          return await workspaces.openRoute(session, res);
        case 'ws-read':
          return await workspaces.readRoute(session, url, res);
        case 'ws-write':
          return await workspaces.writeRoute(session, req, res);
        case 'ws-create':
          return await workspaces.createRoute(session, req, res);
        case 'ws-rename':
          return await workspaces.renameRoute(session, req, res);
        case 'ws-delete':
          return await workspaces.deleteRoute(session, url, res);
        case 'ws-reset':
          return await workspaces.resetRoute(session, req, res);
        case 'ws-run':
          return await workspaces.runRoute(session, req, res);
        case 'ws-result':
          return await workspaces.resultRoute(session, r.id, res);
        case 'ws-events':
          return await workspaces.eventsRoute(session, r.id, res, cors, events);
        case 'ws-terminal':
          return await terminals.ticketRoute(session, req, res);
      }
    } catch (err) {
      // Name the widget in the log line of every refusal made on its behalf.
      if (err instanceof ApiError) err.details.widget ??= session.widget.id;
      throw err;
    }
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      // e.g. `//..%2f..`, read as an authority: answered instead of dropping the connection
      sendError(res, badRequest('Malformed request target.'));
      return;
    }
    const path = url.pathname;
    const isApi = path === '/v1' || path.startsWith('/v1/');
    // CORS: echo the origin only when some widget lists it; never credentials, never '*'.
    const origin = req.headers.origin;
    const cors: Record<string, string> =
      isApi && origin !== undefined && b.origins.allowsAny(origin, req)
        ? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'Retry-After' }
        : {};
    for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
    let refusal: ApiError | null = null;
    try {
      if (isApi) {
        await api(req, res, path, cors, url);
      } else if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
        const h = await health.get();
        sendJson(res, h.ok ? 200 : 503, h);
      } else if (path === WEBHOOK_PATH && req.method === 'POST') {
        await receiveWebhook(b, req, res, (id) => workspaces.scenarioFinished(id));
      } else if (serveEmbed(b, req, res, url)) {
        // The iframe pages (src/server/embed.ts).
      } else if (req.method === 'GET' || req.method === 'HEAD') {
        // Built bundles: the script-tag build and the ESM build. Host pages on other origins load
        // them as module scripts, which browsers fetch with CORS; they are public and carry no
        // credentials, so any origin may read them.
        if (path === '/static/sdk/sdk.js' || path === '/static/sdk/sdk.min.js') {
          // The drop-in for pages written for the hosted JS SDK (src/embed/sdk.ts): one script
          // under the two names the hosted loaders use. Public, like the bundles.
          const served = await serveFile(req, res, join(browserDistDir, 'cdn'), 'se-sdk.js', {
            headers: { 'Access-Control-Allow-Origin': '*' },
          });
          if (!served) throw notFound('No such resource.');
        } else if (path.startsWith('/dist/')) {
          const corsHeaders = { 'Access-Control-Allow-Origin': '*' };
          // Hashed chunks are cached for a year; the rest is revalidated by ETag (static.ts).
          // Only the browser package's parts and the demo app, never the server's own code: each
          // part is served as its own root, so no `..` (even %2e%2e) reaches a sibling.
          const rest = path.slice('/dist/'.length);
          const slash = rest.indexOf('/');
          const part = slash < 0 ? rest : rest.slice(0, slash);
          const base = PUBLIC_DIST.get(part);
          const served =
            base !== undefined &&
            (slash < 0
              ? await serveFile(req, res, base, part, { headers: corsHeaders })
              : await serveFile(req, res, join(base, part), rest.slice(slash + 1), {
                  headers: corsHeaders,
                  immutable: isHashedChunk,
                }));
          if (!served) throw notFound('No such resource.');
        } else if (
          !(await serveFile(req, res, pagesDir, path === '/' ? 'index.html' : path.slice(1)))
        ) {
          throw notFound('No such resource.');
        }
      } else {
        throw notFound('No such resource.');
      }
    } catch (err) {
      const e = err instanceof ApiError ? err : null;
      if (!e)
        b.log(
          `se-widgets: ${req.method} ${path} failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      refusal = e;
      if (!res.headersSent) {
        // Refusals are readable by any page (no credentials travel, and the body says only why),
        // so a page on an origin that is not listed can tell its author what to fix.
        const readable: Record<string, string> =
          isApi && origin !== undefined
            ? {
                'Access-Control-Allow-Origin': origin,
                'Access-Control-Expose-Headers': 'Retry-After',
              }
            : {};
        sendError(res, e ?? new ApiError(500, 'internal', 'Internal error.'), readable);
      } else {
        res.destroy();
      }
    } finally {
      if (options.accessLog !== false && (isApi || path === WEBHOOK_PATH)) {
        let line = `se-widgets: ${req.method} ${path} ${res.statusCode} ${Date.now() - started}ms`;
        if (refusal) line += ` ${refusalWords(refusal, origin)}`;
        if (res.writableEnded || res.headersSent) b.log(line);
      }
    }
  };
}

/** Starts the signing backend's HTTP server. */
export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const config = options.config ?? defaultConfig();
  let secret = options.sessionSecret;
  if (!secret && process.env.NODE_ENV === 'production') {
    throw new Error('SE_SESSION_SECRET must be set when NODE_ENV=production');
  }
  if (!secret) {
    secret = randomSessionSecret();
    log(
      'se-widgets: warning: SE_SESSION_SECRET is not set; using a random secret (sessions end when the server stops)',
    );
  }
  const backend = new Backend(config, secret, log);
  const health = new Health(backend);
  backend.setUpstream(
    options.upstream ?? {
      endpoints: config.upstream.endpoints,
      webhookSecret: config.upstream.webhookSecret,
      pushModules: config.upstream.webhookSecret ? ['compilers', 'problems'] : [],
    },
  );
  const workspaces = new Workspaces(backend, new WorkspaceStore(options.dataDir ?? null));
  const terminals = new Terminals(backend, workspaces);
  const handle = createApp(backend, health, options, workspaces, terminals);
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      backend.log(
        `se-widgets: request failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      res.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('upgrade', (req, socket, head) => terminals.upgrade(req, socket, head));
  const port = (server.address() as AddressInfo).port;
  backend.origins.bind(host, port);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    server,
    setUpstream(link) {
      backend.setUpstream(link);
      health.reset();
    },
    close: () =>
      new Promise<void>((resolve) => {
        terminals.close();
        backend.close();
        workspaces.store.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
