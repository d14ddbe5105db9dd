/** The built-in judges as the API lists them (JUDGES.md), with the rule each applies. */

export const JudgeType = { testcase: 0, master: 1 } as const;

export interface BuiltinJudge {
  id: number;
  name: string;
  /** 0 test case, 1 master */
  typeId: number;
  /** what `GET /judges/:id/source` returns: the rule, since the judge runs inside the engine */
  description: string;
}

const testcase = (id: number, name: string, description: string): BuiltinJudge => ({
  id,
  name,
  typeId: JudgeType.testcase,
  description,
});

/** Every built-in judge, by id. */
export const BUILTIN_JUDGES: ReadonlyMap<number, BuiltinJudge> = new Map(
  [
    testcase(
      1,
      'Ignores extra whitespaces',
      'Trims both outputs, turns every run of spaces, tabs, CR and LF into one space, then compares exactly. Score: 100 when accepted.',
    ),
    testcase(
      2,
      'Ignores FP rounding up to 10^-2',
      'Compares like judge 1, token by token; two numeric tokens match when they differ by at most 0.01. Score: 100 when accepted.',
    ),
    testcase(
      3,
      'Ignores FP rounding up to 10^-6',
      'Compares like judge 1, token by token; two numeric tokens match when they differ by at most 1e-6. Score: 100 when accepted.',
    ),
    testcase(
      4,
      'Score is source length',
      'Compares like judge 1. Score: the source length in bytes when accepted (for minimize problems).',
    ),
    testcase(
      9,
      'Academy',
      'Compares like judge 1 and writes where the outputs first differ to the debug stream. Score: 100 when accepted.',
    ),
    testcase(10, 'Exact judge', 'Accepts byte-identical output only. Score: 100 when accepted.'),
    {
      id: 1000,
      name: 'Generic masterjudge',
      typeId: JudgeType.master,
      description:
        'Accepted when every test case is accepted, with the mean test-case score; otherwise the status of the first failing test case and score 0. Time: the sum; memory: the maximum.',
    },
    {
      id: 1001,
      name: 'Score is % of correctly solved sets',
      typeId: JudgeType.master,
      description:
        'Accepted when at least one test case is accepted; score: the percentage of accepted test cases. A judge error in any test case is the final status. Time: the sum; memory: the maximum.',
    },
  ].map((j) => [j.id, j]),
);

/** Custom judges get ids above this, so they never collide with a built-in id. */
export const FIRST_CUSTOM_JUDGE_ID = 10001;
