/** Typed client of the Sphere Engine API: Compilers v4, Problems v4, Containers v1.1. */
export { closeUpstream, createUpstream } from './client.js';
export type { Upstream, UpstreamEndpoints } from './client.js';
export { Transport } from './transport.js';
export type { CappedText, Endpoint, RequestOptions, TransportOptions } from './transport.js';
export { CompilersClient } from './compilers.js';
export { ProblemsClient } from './problems.js';
export type {
  CreateJudge,
  CreateProblem,
  CreateTestcase,
  Judge,
  JudgeSummary,
  Paging,
  ProblemSummary,
  Testcase,
  TestcaseSummary,
  UpdateProblem,
  ProblemsSubmissionSummary,
} from '../shared/problems.js';
export type { ProblemRef } from './problems.js';
export { ContainersClient } from './containers.js';
export type {
  ContainersStreamName,
  ContainersSubmission,
  CreateContainersSubmission,
  CreateWorkspace,
  FileEntry,
  Project,
  StageName,
  StageResult,
  StreamInfo,
  TokenPaging,
  Workspace,
} from '../shared/containers.js';
export {
  UpstreamError,
  UpstreamHttpError,
  UpstreamProtocolError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
  describeErrorCode,
} from './errors.js';
export type { ModuleName } from './errors.js';
export { scrubSecrets } from './scrub.js';
