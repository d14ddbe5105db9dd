/** Types of the Sphere Engine Problems API v4 (spec/problems-api-v4.txt). */
import type { StreamRef, SubmissionCompiler, SubmissionResultSummary } from './compilers.js';

export interface ProblemType {
  id: number;
  name: string;
}

/** Problem types: how the score is read. */
export const ProblemTypes = { binary: 0, minimize: 1, maximize: 2, percentage: 4 } as const;

export interface JudgeRef {
  id: number;
  name: string;
  uri: string;
}

export interface ProblemTestcaseRef {
  number: number;
  active: boolean;
}

/** `GET /problems/:id`. */
export interface Problem {
  id: number;
  code: string;
  name: string;
  shortBody: string | null;
  body: string;
  type: ProblemType;
  interactive: boolean;
  masterjudge: JudgeRef;
  testcases: ProblemTestcaseRef[];
  lastModified: { body: number; settings: number };
  permissions: { edit: boolean; clone: boolean };
}

export interface ProblemTestcaseResult extends SubmissionResultSummary {
  number: number;
  score: number | null;
}

/** The result of a Problems submission, without its streams. */
export interface ProblemsSubmissionResult extends SubmissionResultSummary {
  score: number | null;
  testcases: ProblemTestcaseResult[];
}

export interface ProblemsSubmissionStreams {
  source: StreamRef | null;
  output: StreamRef | null;
  error: StreamRef | null;
  cmpinfo: StreamRef | null;
  debug: StreamRef | null;
}

/** `GET /submissions/:id` of the Problems module. */
export interface ProblemsSubmission {
  id: number;
  executing: boolean;
  date: string;
  compiler: SubmissionCompiler;
  problem: { id: number; code: string; name: string; uri: string };
  result: ProblemsSubmissionResult & { streams: ProblemsSubmissionStreams };
}

/** An item of `GET /submissions?ids=` of the Problems module. */
export interface ProblemsSubmissionSummary extends Omit<ProblemsSubmission, 'result'> {
  result: ProblemsSubmissionResult;
  uri: string;
}

export type ProblemsStreamName = 'source' | 'output' | 'error' | 'cmpinfo' | 'debug';

export interface Paging {
  limit: number;
  offset: number;
  total: number;
  pages: number;
  prev: string | null;
  next: string | null;
}

/** An item of `GET /problems`. */
export interface ProblemSummary {
  id: number;
  code: string;
  name: string;
  shortBody: string | null;
  lastModified: { body: number; settings: number };
  permissions: { edit: boolean; clone: boolean };
  uri: string;
}

/** An item of `GET /problems/:id/testcases`. */
export interface TestcaseSummary {
  number: number;
  active: boolean;
  limits: { time: number };
  judge: JudgeRef;
  uri: string;
}

/** `GET /problems/:id/testcases/:number`. */
export interface Testcase extends Omit<TestcaseSummary, 'uri'> {
  input: StreamRef;
  output: StreamRef;
}

/** An item of `GET /judges`. */
export interface JudgeSummary {
  id: number;
  name: string;
  type: { id: number; name: string };
  visibility: { public: boolean; shared: boolean };
  uri: string;
}

/** `GET /judges/:id`. */
export interface Judge extends Omit<JudgeSummary, 'uri'> {
  compiler: SubmissionCompiler;
  source: StreamRef;
}

export interface CreateProblem {
  name: string;
  masterjudgeId: number;
  code?: string;
  body?: string;
  typeId?: number;
  interactive?: boolean;
}

export interface UpdateProblem {
  name?: string;
  body?: string;
  typeId?: number;
  interactive?: boolean;
  masterjudgeId?: number;
  /** comma-separated test case numbers */
  activeTestcases?: string;
}

export interface CreateTestcase {
  judgeId: number;
  input?: string;
  output?: string;
  timeLimit?: number;
  active?: boolean;
}

export interface CreateJudge {
  compilerId: number;
  source: string;
  name?: string;
  typeId?: number;
  compilerVersionId?: number;
  shared?: boolean;
}

/** `GET /problems` */
export interface ProblemList {
  items: ProblemSummary[];
  paging: Paging;
}

/** `GET /problems/:id/testcases` */
export interface TestcaseList {
  items: TestcaseSummary[];
}

/** `GET /judges` */
export interface JudgeList {
  items: JudgeSummary[];
  paging: Paging;
}

/** `GET /submissions?ids=` of the Problems module. */
export interface ProblemsSubmissionList {
  items: ProblemsSubmissionSummary[];
}

/** 201 of `POST /problems`. */
export interface CreatedProblem {
  id: number;
  code: string;
}

/** 201 of `POST /problems/:id/testcases`. */
export interface CreatedTestcase {
  number: number;
}

/** 201 of `POST /widgets`. */
export interface CreatedWidget {
  hash: string;
  shared_secret: string;
}

/** The empty answer of updates and deletes: `{}`. */
export type NoContent = Record<string, never>;

/** Parameters of `POST /submissions` of the Problems module. */
export interface CreateProblemsSubmission {
  problemId: number | string;
  compilerId: number;
  compilerVersionId?: number;
  source?: string;
  /** subset of test case numbers to run */
  tests?: number[];
  files?: Record<string, string>;
}
