import type {
  CompilersResponse,
  CompilersStreamName,
  CompilersSubmission,
  CompilersSubmissionList,
  CreateCompilersSubmission,
  Created,
} from '../shared/compilers.js';
import { ModuleClient } from './module-client.js';
import type { CappedText } from './transport.js';

/** The Compilers API v4 (spec/compilers-api-v4.txt), one method per API method. */
export class CompilersClient extends ModuleClient {
  /** `GET /compilers` */
  compilers(): Promise<CompilersResponse> {
    return this.http.json('GET', '/compilers');
  }

  /** `POST /submissions`: never retried (every call spends the submissions pool). */
  createSubmission(submission: CreateCompilersSubmission): Promise<Created> {
    return this.http.json('POST', '/submissions', { json: submission });
  }

  /** `GET /submissions?ids=` (at most 20 ids) */
  submissions(ids: number[]): Promise<CompilersSubmissionList> {
    return this.http.json('GET', '/submissions', { query: { ids: ids.join(',') } });
  }

  /** `GET /submissions/:id` */
  submission(id: number): Promise<CompilersSubmission> {
    return this.http.json('GET', '/submissions/:id', { params: { id } });
  }

  /** `GET /submissions/:id/:stream`, read up to `maxBytes` */
  stream(id: number, stream: CompilersStreamName, maxBytes: number): Promise<CappedText> {
    return this.http.text('/submissions/:id/:stream', maxBytes, { params: { id, stream } });
  }
}
