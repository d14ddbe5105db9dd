import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { checkToken, requestToken } from './auth.js';
import { readBody, tooLarge, type Body } from './body.js';
import { ApiError, ErrorCode } from './errors.js';
import type { ApiRequest, ApiResponse, Router } from './router.js';
import type { ApiError as ApiErrorBody } from '../../shared/compilers.js';

export interface ApiServerOptions {
  accessToken: string;
  /** cap on request bodies, in bytes */
  maxBodyBytes: number;
  /**
   * A body the handler did not read (over the cap, or a refusal before the body) is read to its
   * end and dropped, up to this many bytes in all (default 8 x the cap), before the answer goes
   * out: a client still sending (Node's fetch, curl) then reads the answer instead of a broken
   * pipe. Past it, or after `drainMs`, the answer goes out and the connection is closed.
   */
  drainBytes?: number;
  /** how long a body may take to drain (default 10 s) */
  drainMs?: number;
  log: (line: string) => void;
}

/** What a module may set for its own base path. */
export interface MountOptions {
  /** its cap on request bodies (default: the server's) */
  maxBodyBytes?: number;
  /** the answer to a body over its cap (default: 413 with error_code 413) */
  tooLarge?: (maxBytes: number) => ApiError;
}

/**
 * Takes over the connections that ask to upgrade (WebSocket) under a path. The server checks no
 * token for them: the handler authenticates (the terminal by its first frame, never the URL).
 */
export interface UpgradeHandler {
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** The server is closing: end every upgraded connection. */
  close(): void;
}

interface Mount extends MountOptions {
  basePath: string;
  router: Router | null;
  /** for base paths served by no module: the message of their 404 */
  unavailable?: string;
}

/**
 * The engine's HTTP server: API modules mounted at their base paths on one port, the access token
 * checked for every mounted module, errors answered as `{error_code, message}` from one place.
 */
export class ApiServer {
  private readonly mounts: Mount[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly upgrades: Array<{ path: string; handler: UpgradeHandler }> = [];
  private url = 'http://localhost';

  constructor(private readonly options: ApiServerOptions) {
    this.server = createServer((req, res) => void this.handle(req, res));
    // `Expect: 100-continue`: refuse a declared body over the cap before the client sends it.
    this.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      const { max, refuse } = this.bodyCap(req.url);
      if (declaredLength(req) > max) {
        send(res, errorResponse(refuse(max)));
        return;
      }
      res.writeContinue();
      void this.handle(req, res);
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = new URL(req.url ?? '/', 'http://engine.invalid').pathname;
      const u = this.upgrades.find((x) => path === x.path || path.startsWith(x.path + '/'));
      const websocket = /^websocket$/i.test(req.headers.upgrade ?? '');
      if (u && websocket) return u.handler.handle(req, socket, head);
      if (!websocket) {
        // an upgrade the engine does not speak (curl --http2 asks for h2c): answered in HTTP/1.1,
        // as it was before the server listened for upgrades; then the connection closes
        if (head.length) socket.unshift(head);
        const res = new ServerResponse(req);
        res.assignSocket(socket as Socket);
        res.shouldKeepAlive = false;
        res.on('finish', () => socket.end());
        void this.handle(req, res);
        return;
      }
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Serves `router` under `basePath` (e.g. `/compilers/api/v4`); every route needs the token. */
  mount(basePath: string, router: Router, options: MountOptions = {}): this {
    this.mounts.push({ ...options, basePath: trimSlash(basePath), router });
    return this;
  }

  /** Hands upgrade requests under `path` to `handler` (see {@link UpgradeHandler}). */
  upgrade(path: string, handler: UpgradeHandler): this {
    this.upgrades.push({ path: trimSlash(path), handler });
    return this;
  }

  /** The mount serving `path`, if any. */
  private mountOf(path: string): Mount | undefined {
    return this.mounts.find((m) => path === m.basePath || path.startsWith(m.basePath + '/'));
  }

  /** The body cap of the module a request URL goes to, and its refusal. */
  private bodyCap(url: string | undefined): { max: number; refuse: (max: number) => ApiError } {
    const mount = this.mountOf(new URL(url ?? '/', 'http://engine.invalid').pathname);
    return {
      max: mount?.maxBodyBytes ?? this.options.maxBodyBytes,
      refuse: mount?.tooLarge ?? tooLarge,
    };
  }

  /** Answers every request under `basePath` with a 404 JSON body carrying `message`. */
  unavailable(basePath: string, message: string): this {
    this.mounts.push({ basePath: trimSlash(basePath), router: null, unavailable: message });
    return this;
  }

  /** Listens; resolves to the `http://host:port` URL. */
  async listen(port: number, host: string): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const actual = (this.server.address() as AddressInfo).port;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
    return this.url;
  }

  /**
   * Stops listening; requests in progress get `graceMs` to be answered, then every connection
   * left is closed.
   */
  close(graceMs = 2000): Promise<void> {
    for (const u of this.upgrades) u.handler.close();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        for (const s of this.sockets) s.destroy();
      }, graceMs);
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      this.server.closeIdleConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let response: ApiResponse;
    try {
      response = await this.dispatch(req);
    } catch (err) {
      if (err instanceof ApiError) {
        response = errorResponse(err);
      } else {
        this.options.log(
          `se-engine: ${req.method} ${pathOnly(req.url)} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
        response = errorResponse(new ApiError(500, ErrorCode.Internal, 'internal error'));
      }
    }
    const drained = await drain(
      req,
      this.options.drainBytes ?? 8 * this.bodyCap(req.url).max,
      this.options.drainMs ?? 10_000,
    );
    if (!drained) response = { ...response, headers: { ...response.headers, Connection: 'close' } };
    send(res, response);
  }

  private async dispatch(req: IncomingMessage): Promise<ApiResponse> {
    const url = new URL(req.url ?? '/', 'http://engine.invalid');
    const path = url.pathname;
    const mount = this.mountOf(path);
    if (!mount) {
      throw new ApiError(
        404,
        ErrorCode.NotFound,
        `no API here; base paths: ${this.mounts.map((m) => m.basePath).join(', ')}`,
      );
    }
    if (!mount.router)
      throw new ApiError(404, ErrorCode.NotFound, mount.unavailable ?? 'not found');
    const accessToken = checkToken(requestToken(req, url.searchParams), this.options.accessToken);
    const sub = path.slice(mount.basePath.length) || '/';
    const method = req.method ?? 'GET';
    const { handler, params } = mount.router.resolve(method, sub);
    let body: Promise<Body> | undefined;
    const request: ApiRequest = {
      method,
      path: sub,
      params,
      query: url.searchParams,
      // `uri` fields point at the engine as this client reached it (the Host it used).
      baseUrl: (req.headers.host ? `http://${req.headers.host}` : this.url) + mount.basePath,
      accessToken,
      body: () =>
        (body ??= readBody(req, mount.maxBodyBytes ?? this.options.maxBodyBytes).catch(
          (err: unknown) => {
            throw err instanceof ApiError && err.status === 413 && mount.tooLarge
              ? mount.tooLarge(mount.maxBodyBytes ?? this.options.maxBodyBytes)
              : err;
          },
        )),
      raw: req,
    };
    return handler(request);
  }
}

/** The one place an ApiError becomes a response. */
export function errorResponse(err: ApiError): ApiResponse {
  return {
    status: err.status,
    json: { error_code: err.code, message: err.message } satisfies ApiErrorBody,
    headers: err.headers,
  };
}

function send(res: ServerResponse, r: ApiResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string | number> = { ...r.headers };
  let payload: Buffer;
  if ('json' in r) {
    payload = Buffer.from(JSON.stringify(r.json));
    headers['Content-Type'] = 'application/json; charset=utf-8';
  } else {
    payload = typeof r.raw === 'string' ? Buffer.from(r.raw) : r.raw;
    headers['Content-Type'] = r.contentType;
  }
  headers['Content-Length'] = payload.length;
  headers['Cache-Control'] = 'no-store';
  res.writeHead(r.status, headers);
  res.end(payload);
}

/** The declared Content-Length; 0 when there is none (chunked or no body). */
function declaredLength(req: IncomingMessage): number {
  const n = Number(req.headers['content-length']);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/**
 * Reads what is left of a request body and drops it, so the answer reaches a client that is still
 * sending. True when the body ended; false when it was given up (over `maxBytes` in all, declared
 * over it, too slow, or the connection failed): the caller closes the connection after answering.
 */
function drain(req: IncomingMessage, maxBytes: number, maxMs: number): Promise<boolean> {
  if (req.complete || req.readableEnded) return Promise.resolve(true);
  if (declaredLength(req) > maxBytes) return Promise.resolve(false);
  return new Promise((resolve) => {
    let seen = req.readableLength;
    const finish = (ended: boolean) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (!ended) req.pause();
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) finish(false);
    };
    const onEnd = () => finish(true);
    const onError = () => finish(false);
    const onClose = () => finish(req.complete);
    const timer = setTimeout(() => finish(false), maxMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
    req.resume();
  });
}

function trimSlash(p: string): string {
  return p.replace(/\/+$/, '');
}

function pathOnly(url: string | undefined): string {
  // Never log the query: it carries the access token.
  return (url ?? '/').split('?')[0]!;
}
