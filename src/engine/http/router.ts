import type { IncomingMessage } from 'node:http';
import { ApiError, ErrorCode } from './errors.js';
import type { Body } from './body.js';

/** The `:name` segments of a route pattern, as the keys of its path parameters. */
export type PathParams<P extends string> = P extends `${infer Head}/*${infer Tail}`
  ? PathParams<Head> & { readonly [K in Tail]: string }
  : P extends `${string}:${infer Name}/${infer Rest}`
    ? { readonly [K in Name]: string } & PathParams<Rest>
    : P extends `${string}:${infer Name}`
      ? { readonly [K in Name]: string }
      : Record<never, string>;

/** A request as a handler sees it: path parameters, query and a lazily parsed, capped body. */
export interface ApiRequest<Params = Readonly<Record<string, string>>> {
  readonly method: string;
  /** path below the module's base path, e.g. `/submissions/42` */
  readonly path: string;
  /** values of the pattern's `:name` segments */
  readonly params: Params;
  readonly query: URLSearchParams;
  /**
   * The module's base URL as this client reached it (`http://host:port/compilers/api/v4`), for the
   * `uri` fields of responses.
   */
  readonly baseUrl: string;
  /** the access token the request was authorized with */
  readonly accessToken: string;
  /** Parses the body (JSON, form or multipart) once; throws ApiError 400/413/415. */
  body(): Promise<Body>;
  readonly raw: IncomingMessage;
}

/** What a handler returns: JSON, or raw bytes with a content type. */
export type ApiResponse =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; raw: Buffer | string; contentType: string; headers?: Record<string, string> };

export type Handler<Params = Readonly<Record<string, string>>> = (
  req: ApiRequest<Params>,
) => ApiResponse | Promise<ApiResponse>;

/**
 * A JSON response (200 unless told). The answer's type must be named (`json<Problem>(...)`, a
 * type of src/shared) so the compiler holds the answer to what the API's clients expect: without
 * it `T` is `never` and no body compiles (`NoInfer` keeps the body from choosing `T`).
 */
export const json = <T = never>(body: NoInfer<T>, status = 200): ApiResponse => ({
  status,
  json: body,
});

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

/**
 * The routes of one API module (one spec file), relative to its base path. Patterns are literal
 * segments and `:name` parameters: `/submissions/:id/:stream`; a last segment `*name` takes the
 * rest of the path (one or more segments, joined by `/`).
 */
export class Router {
  private readonly routes: Route[] = [];

  get<P extends string>(pattern: P, handler: Handler<PathParams<P>>): this {
    return this.add('GET', pattern, handler);
  }
  post<P extends string>(pattern: P, handler: Handler<PathParams<P>>): this {
    return this.add('POST', pattern, handler);
  }
  put<P extends string>(pattern: P, handler: Handler<PathParams<P>>): this {
    return this.add('PUT', pattern, handler);
  }
  delete<P extends string>(pattern: P, handler: Handler<PathParams<P>>): this {
    return this.add('DELETE', pattern, handler);
  }

  add<P extends string>(method: string, pattern: P, handler: Handler<PathParams<P>>): this {
    // The matched segments are exactly the pattern's `:name`s, so the handler gets its params.
    this.routes.push({ method, segments: split(pattern), handler: handler as Handler });
    return this;
  }

  /**
   * The handler for `method path` with its parameters; throws 404 when no pattern matches the
   * path and 405 (with `Allow`) when patterns match but not for this method.
   */
  resolve(method: string, path: string): { handler: Handler; params: Record<string, string> } {
    const parts = split(path);
    const allowed: string[] = [];
    const wanted = method === 'HEAD' ? 'GET' : method;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === wanted) return { handler: route.handler, params };
      allowed.push(route.method);
    }
    if (allowed.length) {
      throw new ApiError(
        405,
        ErrorCode.MethodNotAllowed,
        `method ${method} is not allowed here; use ${allowed.join(', ')}`,
        { Allow: allowed.join(', ') },
      );
    }
    throw new ApiError(404, ErrorCode.NotFound, `no such method: ${method} ${path}`);
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  const rest = pattern.at(-1)?.startsWith('*') ? pattern.at(-1)!.slice(1) : null;
  if (rest !== null) {
    if (parts.length < pattern.length) return null;
    const head = matchSegments(pattern.slice(0, -1), parts.slice(0, pattern.length - 1));
    if (!head) return null;
    try {
      head[rest] = parts
        .slice(pattern.length - 1)
        .map((p) => decodeURIComponent(p))
        .join('/');
    } catch {
      return null;
    }
    return head;
  }
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    let part: string;
    try {
      part = decodeURIComponent(parts[i]);
    } catch {
      return null;
    }
    if (p.startsWith(':')) params[p.slice(1)] = part;
    else if (p !== part) return null;
  }
  return params;
}
