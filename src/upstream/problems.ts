import type { CompilersResponse, SubmissionCompiler } from '../shared/compilers.js';
import type {
  CreateProblemsSubmission,
  JudgeRef,
  Problem,
  ProblemsStreamName,
  ProblemsSubmission,
  ProblemsSubmissionSummary,
} from '../shared/problems.js';
import { ModuleClient } from './module-client.js';
import type { CappedText } from './transport.js';

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
export interface Testcase {
  number: number;
  active: boolean;
  input: { size: number; uri: string };
  output: { size: number; uri: string };
  limits: { time: number };
  judge: JudgeRef;
}

export interface JudgeSummary {
  id: number;
  name: string;
  type: { id: number; name: string };
  visibility: { public: boolean; shared: boolean };
  uri: string;
}

export interface Judge {
  id: number;
  name: string;
  type: { id: number; name: string };
  compiler: SubmissionCompiler;
  source: { size: number; uri: string };
  visibility: { public: boolean; shared: boolean };
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

/** A problem is addressed by id or, as the spec allows, by its code. */
export type ProblemRef = number | string;

/** The Problems API v4 (spec/problems-api-v4.txt), one method per API method. */
export class ProblemsClient extends ModuleClient {
  compilers(): Promise<CompilersResponse> {
    return this.http.json('GET', '/compilers');
  }

  /** `POST /submissions`: never retried. */
  createSubmission(submission: CreateProblemsSubmission): Promise<{ id: number }> {
    const { tests, ...rest } = submission;
    return this.http.json('POST', '/submissions', {
      json: tests ? { ...rest, tests: tests.join(',') } : rest,
    });
  }

  submissions(ids: number[]): Promise<{ items: ProblemsSubmissionSummary[] }> {
    return this.http.json('GET', '/submissions', { query: { ids: ids.join(',') } });
  }

  submission(id: number): Promise<ProblemsSubmission> {
    return this.http.json('GET', '/submissions/:id', { params: { id } });
  }

  stream(id: number, stream: ProblemsStreamName, maxBytes: number): Promise<CappedText> {
    return this.http.text('/submissions/:id/:stream', maxBytes, { params: { id, stream } });
  }

  problems(
    query: { limit?: number; offset?: number; shortBody?: boolean } = {},
  ): Promise<{ items: ProblemSummary[]; paging: Paging }> {
    return this.http.json('GET', '/problems', { query });
  }

  problem(id: ProblemRef, query: { shortBody?: boolean } = {}): Promise<Problem> {
    return this.http.json('GET', '/problems/:id', { params: { id }, query });
  }

  createProblem(problem: CreateProblem): Promise<{ id: number; code: string }> {
    return this.http.json('POST', '/problems', { json: problem });
  }

  updateProblem(id: ProblemRef, changes: UpdateProblem): Promise<Record<string, never>> {
    return this.http.json('PUT', '/problems/:id', { params: { id }, json: changes });
  }

  deleteProblem(id: ProblemRef): Promise<Record<string, never>> {
    return this.http.json('DELETE', '/problems/:id', { params: { id } });
  }

  createTestcase(id: ProblemRef, testcase: CreateTestcase): Promise<{ number: number }> {
    return this.http.json('POST', '/problems/:id/testcases', { params: { id }, json: testcase });
  }

  testcases(id: ProblemRef): Promise<{ items: TestcaseSummary[] }> {
    return this.http.json('GET', '/problems/:id/testcases', { params: { id } });
  }

  testcase(id: ProblemRef, number: number): Promise<Testcase> {
    return this.http.json('GET', '/problems/:id/testcases/:number', { params: { id, number } });
  }

  updateTestcase(
    id: ProblemRef,
    number: number,
    changes: Partial<CreateTestcase>,
  ): Promise<Record<string, never>> {
    return this.http.json('PUT', '/problems/:id/testcases/:number', {
      params: { id, number },
      json: changes,
    });
  }

  /** `GET /problems/:id/testcases/:number/:filename` (input or output), read up to `maxBytes` */
  testcaseFile(
    id: ProblemRef,
    number: number,
    filename: 'input' | 'output',
    maxBytes: number,
  ): Promise<CappedText> {
    return this.http.text('/problems/:id/testcases/:number/:filename', maxBytes, {
      params: { id, number, filename },
    });
  }

  createJudge(judge: CreateJudge): Promise<{ id: number }> {
    return this.http.json('POST', '/judges', { json: judge });
  }

  judges(
    query: { limit?: number; offset?: number; typeId?: number } = {},
  ): Promise<{ items: JudgeSummary[]; paging: Paging }> {
    return this.http.json('GET', '/judges', { query });
  }

  judge(id: number): Promise<Judge> {
    return this.http.json('GET', '/judges/:id', { params: { id } });
  }

  updateJudge(
    id: number,
    changes: Partial<Omit<CreateJudge, 'typeId'>>,
  ): Promise<Record<string, never>> {
    return this.http.json('PUT', '/judges/:id', { params: { id }, json: changes });
  }

  /** `GET /judges/:id/:filename` (e.g. `source`), read up to `maxBytes` */
  judgeFile(id: number, filename: string, maxBytes: number): Promise<CappedText> {
    return this.http.text('/judges/:id/:filename', maxBytes, { params: { id, filename } });
  }
}
