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
export interface ProblemsSubmissionSummary {
  id: number;
  executing: boolean;
  date: string;
  compiler: SubmissionCompiler;
  problem: { id: number; code: string; name: string; uri: string };
  result: ProblemsSubmissionResult;
  uri: string;
}

export type ProblemsStreamName = 'source' | 'output' | 'error' | 'cmpinfo' | 'debug';

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
