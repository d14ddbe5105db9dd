import type { Created } from '../shared/compilers.js';
import type {
  CreatedProblem,
  CreateJudge,
  CreateProblem,
  CreateProblemsSubmission,
  CreateTestcase,
  CreatedTestcase,
  Judge,
  JudgeList,
  NoContent,
  Problem,
  ProblemList,
  ProblemsStreamName,
  ProblemsSubmission,
  ProblemsSubmissionList,
  Testcase,
  TestcaseList,
  UpdateProblem,
} from '../shared/problems.js';
import { SubmissionsClient } from './module-client.js';
import type { CappedText } from './transport.js';

/** A problem is addressed by id or, as the spec allows, by its code. */
export type ProblemRef = number | string;

/** The Problems API v4 (spec/problems-api-v4.txt), one method per API method. */
export class ProblemsClient extends SubmissionsClient<
  ProblemsSubmissionList,
  ProblemsSubmission,
  ProblemsStreamName
> {
  /** `POST /submissions`: never retried. */
  createSubmission(submission: CreateProblemsSubmission): Promise<Created> {
    const { tests, ...rest } = submission;
    return this.http.json('POST', '/submissions', {
      json: tests ? { ...rest, tests: tests.join(',') } : rest,
    });
  }

  problems(
    query: { limit?: number; offset?: number; shortBody?: boolean } = {},
  ): Promise<ProblemList> {
    return this.http.json('GET', '/problems', { query });
  }

  problem(id: ProblemRef, query: { shortBody?: boolean } = {}): Promise<Problem> {
    return this.http.json('GET', '/problems/:id', { params: { id }, query });
  }

  createProblem(problem: CreateProblem): Promise<CreatedProblem> {
    return this.http.json('POST', '/problems', { json: problem });
  }

  updateProblem(id: ProblemRef, changes: UpdateProblem): Promise<NoContent> {
    return this.http.json('PUT', '/problems/:id', { params: { id }, json: changes });
  }

  deleteProblem(id: ProblemRef): Promise<NoContent> {
    return this.http.json('DELETE', '/problems/:id', { params: { id } });
  }

  createTestcase(id: ProblemRef, testcase: CreateTestcase): Promise<CreatedTestcase> {
    return this.http.json('POST', '/problems/:id/testcases', { params: { id }, json: testcase });
  }

  testcases(id: ProblemRef): Promise<TestcaseList> {
    return this.http.json('GET', '/problems/:id/testcases', { params: { id } });
  }

  testcase(id: ProblemRef, number: number): Promise<Testcase> {
    return this.http.json('GET', '/problems/:id/testcases/:number', { params: { id, number } });
  }

  updateTestcase(
    id: ProblemRef,
    number: number,
    changes: Partial<CreateTestcase>,
  ): Promise<NoContent> {
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

  createJudge(judge: CreateJudge): Promise<Created> {
    return this.http.json('POST', '/judges', { json: judge });
  }

  judges(query: { limit?: number; offset?: number; typeId?: number } = {}): Promise<JudgeList> {
    return this.http.json('GET', '/judges', { query });
  }

  judge(id: number): Promise<Judge> {
    return this.http.json('GET', '/judges/:id', { params: { id } });
  }

  updateJudge(id: number, changes: Partial<Omit<CreateJudge, 'typeId'>>): Promise<NoContent> {
    return this.http.json('PUT', '/judges/:id', { params: { id }, json: changes });
  }

  /** `GET /judges/:id/:filename` (e.g. `source`), read up to `maxBytes` */
  judgeFile(id: number, filename: string, maxBytes: number): Promise<CappedText> {
    return this.http.text('/judges/:id/:filename', maxBytes, { params: { id, filename } });
  }
}
