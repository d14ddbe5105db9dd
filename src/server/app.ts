import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoDir, distDir } from './paths.js';
import { serveFile } from './static.js';

export interface ServeOptions {
  port?: number;
  host?: string;
  /** log function for one-line messages; defaults to stderr */
  log?: (line: string) => void;
}

export interface RunningServer {
  /** `http://host:port` */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ error: { code: 'not_found', message: 'No such resource.' } }));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (req.method === 'GET' || req.method === 'HEAD') {
    // Built bundles: the script-tag build and the ESM build.
    if (path.startsWith('/dist/')) {
      if (await serveFile(req, res, distDir, path.slice('/dist/'.length))) return;
      return notFound(res);
    }
    if (await serveFile(req, res, demoDir, path === '/' ? 'index.html' : path.slice(1))) return;
  }
  notFound(res);
}

/** Starts the signing backend's HTTP server. */
export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`se-widgets: request failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: { code: 'internal', message: 'Internal error.' } }));
      } else {
        res.destroy();
      }
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
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
