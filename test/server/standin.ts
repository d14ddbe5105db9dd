/**
 * A stand-in for the hosted Sphere Engine service, for tests of the hosted-service path: a real
 * HTTP server that answers every method with the **response example printed in the spec files**
 * (test/server/spec/*.txt, copies of ../shared/spec read and parsed at start-up, so a clone
 * anywhere runs the tests), with `<endpoint>` and `<access_token>`
 * filled in the way the hosted service fills them, so URIs in its answers carry the real token,
 * exactly what the backend must never pass on. It checks the access token like the service
 * (401, error_code 1), records requests, and can be made slow or failing.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { closeNow, listenLocal } from '../helpers/http.js';

export type Module = 'compilers' | 'problems' | 'containers';

const specDir = fileURLToPath(new URL('./spec/', import.meta.url));
const specFiles: Record<Module, string> = {
  compilers: 'compilers-api-v4.txt',
  problems: 'problems-api-v4.txt',
  containers: 'containers-api-v1.1.txt',
};
export const basePaths: Record<Module, string> = {
  compilers: '/compilers/api/v4',
  problems: '/problems/api/v4',
  containers: '/containers/api/v1',
};

interface Example {
  method: string;
  template: string;
  pattern: RegExp;
  /** the example's JSON text, or null for raw-data methods */
  json: string | null;
}

/** Reads the methods and their response examples from a spec file. */
export function parseSpecExamples(module: Module): Example[] {
  const lines = readFileSync(specDir + specFiles[module], 'utf8').split('\n');
  const heads: Array<{ at: number; method: string; template: string }> = [];
  lines.forEach((line, at) => {
    const m = /^(GET|POST|PUT|DELETE) (\S+)\?access_token=<access_token>$/.exec(line.trim());
    if (m) heads.push({ at, method: m[1]!, template: m[2]! });
  });
  return heads.map((h, i) => {
    const end = heads[i + 1]?.at ?? lines.length;
    let json: string | null = null;
    for (let j = h.at; j < end; j++) {
      if (lines[j]!.trim() !== 'Response example') continue;
      let k = j + 1;
      while (k < end && lines[k]!.trim() === '') k++;
      if (lines[k]?.trim() !== '{') break;
      const block: string[] = [];
      let depth = 0;
      for (; k < end; k++) {
        block.push(lines[k]!);
        for (const ch of lines[k]!) depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
        if (depth === 0) break;
      }
      json = block.join('\n');
      break;
    }
    const pattern = new RegExp(
      '^' + h.template.replace(/:(\w+)/g, '(?<$1>[^/]+)').replace(/\//g, '\\/') + '$',
    );
    return { method: h.method, template: h.template, pattern, json };
  });
}

export interface RecordedRequest {
  module: Module;
  method: string;
  /** path below the module's base, e.g. `/submissions/42` */
  path: string;
  /** query without `access_token` */
  query: Record<string, string>;
  /** true when `access_token` was present and right */
  authorized: boolean;
  at: number;
  body: string;
}

export interface StandinOptions {
  tokens: Record<Module, string>;
  /** delay of every answer (ms) */
  delayMs?: number;
  /** reads of a submission that answer "executing" before the example's final state */
  pendingReads?: number;
  /** answer every request with this HTTP status (and a spec-style error body) */
  failWith?: number;
}

export interface Standin {
  url: string;
  endpoint(module: Module): { url: string; token: string };
  requests: RecordedRequest[];
  options: StandinOptions;
  /** every byte sent, for leak checks of the other side */
  close(): Promise<void>;
}

/** Raw stream bodies (the spec prints "Raw data from selected stream."), sized like the examples. */
const rawStreams: Record<string, string> = {
  output: 'hello world',
  error: '',
  cmpinfo: '',
  source: 'print("hello world")',
  input: '',
  debug: 'judge debug info',
  stdout: 'hello world',
};

export async function startStandin(options: StandinOptions): Promise<Standin> {
  const examples = Object.fromEntries(
    (Object.keys(specFiles) as Module[]).map((m) => [m, parseSpecExamples(m)]),
  ) as Record<Module, Example[]>;
  const requests: RecordedRequest[] = [];
  const reads = new Map<string, number>();
  const nextId: Partial<Record<Module, number>> = {};
  let origin = '';

  const fill = (module: Module, json: string) =>
    json
      .replaceAll('https://<endpoint>', `${origin}${basePaths[module].replace(/\/api\/v\d+$/, '')}`)
      .replaceAll('<access_token>', options.tokens[module]);

  function answer(res: ServerResponse, status: number, body: string, type = 'application/json') {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', origin);
    const module = (Object.keys(basePaths) as Module[]).find((m) =>
      url.pathname.startsWith(basePaths[m] + '/'),
    );
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    if (!module)
      return answer(res, 404, JSON.stringify({ error_code: 1001, message: 'Not found' }));
    const path = url.pathname.slice(basePaths[module].length);
    const token = url.searchParams.get('access_token');
    const query = Object.fromEntries([...url.searchParams].filter(([k]) => k !== 'access_token'));
    const authorized = token === options.tokens[module];
    requests.push({
      module,
      method: req.method ?? 'GET',
      path,
      query,
      authorized,
      at: Date.now(),
      body: Buffer.concat(chunks).toString('utf8'),
    });
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    if (!authorized) {
      return answer(res, 401, JSON.stringify({ error_code: 1, message: 'Unauthorized access' }));
    }
    if (options.failWith) {
      return answer(
        res,
        options.failWith,
        // A body that must never reach a page verbatim.
        JSON.stringify({ error_code: 1003, message: `internal failure at ${url.href}` }),
      );
    }
    const example = examples[module].find((e) => e.method === req.method && e.pattern.test(path));
    if (!example)
      return answer(res, 404, JSON.stringify({ error_code: 1001, message: 'Not found' }));
    if (example.json === null) {
      const name = path.split('/').pop() ?? '';
      return answer(res, 200, rawStreams[name] ?? 'expected output\n', 'text/plain');
    }
    let body = fill(module, example.json);
    if (req.method === 'GET' && module !== 'containers') {
      // A submission still executing: the spec's own executing example (the item of
      // GET /submissions?ids= in state "waiting..."), for its first `pendingReads` reads.
      const one = /^\/submissions\/(\d+)$/.exec(path);
      if (one) body = JSON.stringify(stateOf(module, Number(one[1]), JSON.parse(body)));
      if (path === '/submissions' && query.ids) {
        const first = (JSON.parse(body) as { items: Array<Record<string, unknown>> }).items[0]!;
        const ids = query.ids.split(',').map(Number);
        body = JSON.stringify({ items: ids.map((id) => stateOf(module, id, { ...first, id })) });
      }
    }
    if (req.method === 'POST' && path === '/submissions') {
      // Every new submission gets its own id, counting up from the example's.
      const created = JSON.parse(body) as { id: number };
      const n = (created.id as number) + (nextId[module] = (nextId[module] ?? -1) + 1);
      body = JSON.stringify({ ...created, id: n });
    }
    answer(res, req.method === 'POST' ? 201 : 200, body);
  }

  function stateOf(
    module: Module,
    id: number,
    final: Record<string, unknown>,
  ): Record<string, unknown> {
    const n = (reads.get(`${module}:${id}`) ?? 0) + 1;
    reads.set(`${module}:${id}`, n);
    if (n > (options.pendingReads ?? 0)) return final;
    const list = examples[module].find((e) => e.method === 'GET' && e.template === '/submissions');
    const items = (
      JSON.parse(fill(module, list!.json!)) as { items: Array<Record<string, unknown>> }
    ).items;
    const waiting = items.find((i) => i.executing === true);
    const result: Record<string, unknown> = {
      ...((waiting?.result as object) ?? { status: { code: 0, name: 'waiting...' } }),
      score: null,
    };
    if ('streams' in (final.result as object)) {
      result.streams = { source: null, input: null, output: null, error: null, cmpinfo: null };
    }
    if (module === 'problems') result.testcases = [];
    return { ...final, executing: true, result };
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  origin = await listenLocal(server);
  return {
    url: origin,
    endpoint: (m) => ({ url: origin + basePaths[m], token: options.tokens[m] }),
    requests,
    options,
    close: () => closeNow(server),
  };
}
