import type { CompilersResponse } from '../shared/compilers.js';
import type { CappedText, Transport } from './transport.js';

/** What the client of every module (Compilers, Problems, Containers) has: `close` and `GET /test`. */
export abstract class ModuleClient {
  constructor(protected readonly http: Transport) {}

  /** Closes the client's kept-alive connections. */
  close(): void {
    this.http.close();
  }

  /** `GET /test`: answers when the module is reachable and the token is accepted. */
  test(options: { timeoutMs?: number } = {}): Promise<{ message: string }> {
    return this.http.json('GET', '/test', options);
  }
}

/**
 * What the Compilers and Problems clients share: `GET /compilers` and reading submissions
 * (`List`: the answer of `GET /submissions?ids=`, `Detail`: of `GET /submissions/:id`).
 */
export abstract class SubmissionsClient<List, Detail, Stream extends string> extends ModuleClient {
  /** `GET /compilers` */
  compilers(): Promise<CompilersResponse> {
    return this.http.json('GET', '/compilers');
  }

  /** `GET /submissions?ids=` (at most 20 ids) */
  submissions(ids: number[]): Promise<List> {
    return this.http.json('GET', '/submissions', { query: { ids: ids.join(',') } });
  }

  /** `GET /submissions/:id` */
  submission(id: number): Promise<Detail> {
    return this.http.json('GET', '/submissions/:id', { params: { id } });
  }

  /** `GET /submissions/:id/:stream`, read up to `maxBytes` */
  stream(id: number, stream: Stream, maxBytes: number): Promise<CappedText> {
    return this.http.text('/submissions/:id/:stream', maxBytes, { params: { id, stream } });
  }
}
