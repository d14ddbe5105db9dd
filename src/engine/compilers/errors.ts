import { ApiError } from '../http/errors.js';

/**
 * The Compilers API's error codes (spec: compilers-api-v4.txt, "Response HTTP Code"); those the
 * Problems API shares (ids, source size, files) are thrown by ../api-common.ts.
 */
export const CompilersError = {
  SubmissionNotFound: 1001,
  CreationFailed: 1003,
  StreamNotFound: 1101,
  CompilerNotFound: 201101,
  CompilerNotProvided: 201104,
  MultiFileNotSupported: 201107,
  VersionNotFound: 201201,
  SourceNotProvided: 201304,
  InputTooLarge: 201406,
  TimeLimitOutOfRange: 201906,
  MemoryLimitOutOfRange: 202006,
} as const;

export { badRequest } from '../http/errors.js';

export const submissionNotFound = (): ApiError =>
  new ApiError(404, CompilersError.SubmissionNotFound, 'submission not found');
