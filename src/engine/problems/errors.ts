import { ApiError } from '../http/errors.js';

/**
 * The Problems API's error codes (spec: problems-api-v4.txt, "Response HTTP Code" tables); those
 * the Compilers API shares (ids, source size, files) are thrown by ../api-common.ts.
 */
export const ProblemsError = {
  NotFound: 1001,
  AccessDenied: 1002,
  CreationFailed: 1003,
  /** also "stream not found", "testcase not found" and "file not found" of judges */
  ItemNotFound: 1101,
  /** also "reading stream failed" and "creation/update failed" of test cases */
  ItemFailed: 1103,
  FileNotFound: 1201,
  ProblemNotFound: 200201,
  ProblemNotProvided: 200204,
  JudgeNotFound: 200301,
  JudgeNotProvided: 200304,
  MasterJudgeNotFound: 200401,
  MasterJudgeNotProvided: 200404,
  CompilerNotFound: 201101,
  CompilerNotProvided: 201104,
  CompilerNotAvailable: 201108,
  VersionNotFound: 201201,
  SourceNotProvided: 201304,
  TimeLimitInvalid: 201905,
  ProblemTypeIncorrect: 202105,
  JudgeTypeIncorrect: 202205,
  ProblemCodeInvalid: 202305,
  ProblemCodeNotUnique: 202308,
  ProblemCodeEmpty: 202309,
  ProblemNameNotProvided: 202404,
  ProblemNameEmpty: 202409,
  TestsFormatInvalid: 205205,
  TestsInvalid: 205206,
  TestsEmpty: 205209,
  TooManyTestcases: 205306,
  WidgetNameNotProvided: 2012004,
  WidgetNameTypeIncorrect: 2012005,
  WidgetNameTooLong: 2012006,
  WidgetNameEmpty: 2012009,
  DefaultLanguageTypeIncorrect: 2012405,
  DefaultLanguageNotAvailable: 2012408,
  DefaultLanguageEmpty: 2012409,
} as const;

export { badRequest } from '../http/errors.js';

export const notFound = (what: string, code: number = ProblemsError.NotFound): ApiError =>
  new ApiError(404, code, `${what} not found`);

export const accessDenied = (what: string): ApiError =>
  new ApiError(403, ProblemsError.AccessDenied, `access to ${what} denied`);
