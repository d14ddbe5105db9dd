/** What the Problems module's routes share: their dependencies, links, paging, 404 lookups. */
import type { Paging } from '../../../shared/problems.js';
import type { LanguageInfo } from '../../exec/types.js';
import { pathId } from '../../http/params.js';
import type { ApiRequest, ApiResponse } from '../../http/router.js';
import { notFound } from '../errors.js';
import type { ParamsContext } from '../params.js';
import type { ProblemRow, ProblemsStore } from '../store.js';
import { link, type Links } from '../views.js';

/** What the handlers need from the engine. */
export interface ProblemsDeps {
  store: ProblemsStore;
  /** the languages this engine runs, by compiler id */
  languages(): Map<number, LanguageInfo>;
  /**
   * Creates a submission with `create` and queues its judging (one transaction); throws the
   * queue's 503 when full.
   */
  submit(create: () => number): number;
}

/**
 * What the parameter schemas check against. The languages are the execution core's, fixed at
 * start, so a route's schema can be built once.
 */
export const paramsContext = (deps: ProblemsDeps): ParamsContext => ({
  store: deps.store,
  languages: deps.languages(),
});

/** Where the answer's `uri`s point: this engine, as the client reached it. */
export const links = (req: Pick<ApiRequest, 'baseUrl' | 'accessToken'>): Links => ({
  baseUrl: req.baseUrl,
  accessToken: req.accessToken,
});

/** A raw stream or file as text. */
export const raw = (data: Buffer | string): ApiResponse => ({
  status: 200,
  raw: data,
  contentType: 'text/plain; charset=utf-8',
});

/** The `paging` of a list answer, with links to the pages before and after. */
export function paging(
  l: Links,
  path: string,
  page: { limit: number; offset: number; total: number },
  extra: Record<string, string>,
): Paging {
  const { limit, offset, total } = page;
  const at = (o: number) => link(l, path, { ...extra, limit, offset: o });
  return {
    limit,
    offset,
    total,
    pages: Math.ceil(total / limit),
    prev: offset > 0 ? at(Math.max(0, offset - limit)) : null,
    next: offset + limit < total ? at(offset + limit) : null,
  };
}

/** The problem of a path's `:id` (an id or a code); 404 when there is none. */
export function problemOr404(store: ProblemsStore, id: string): ProblemRow {
  const p = store.findProblem(id);
  if (!p) throw notFound('problem');
  return p;
}

/**
 * What `find` gives for a path's numeric `:id`; 404 (`what` not found) when the parameter cannot
 * be an id or `find` has nothing.
 */
export function byPathIdOr404<T>(param: string, what: string, find: (id: number) => T | null): T {
  const id = pathId(param);
  const found = id === null ? null : find(id);
  if (!found) throw notFound(what);
  return found;
}
