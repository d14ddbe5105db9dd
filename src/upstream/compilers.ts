import type {
  CompilersStreamName,
  CompilersSubmission,
  CompilersSubmissionList,
  CreateCompilersSubmission,
  Created,
} from '../shared/compilers.js';
import { SubmissionsClient } from './module-client.js';

/** The Compilers API v4 (spec/compilers-api-v4.txt), one method per API method. */
export class CompilersClient extends SubmissionsClient<
  CompilersSubmissionList,
  CompilersSubmission,
  CompilersStreamName
> {
  /** `POST /submissions`: never retried (every call spends the submissions pool). */
  createSubmission(submission: CreateCompilersSubmission): Promise<Created> {
    return this.http.json('POST', '/submissions', { json: submission });
  }
}
