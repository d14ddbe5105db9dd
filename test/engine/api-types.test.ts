// The engine's answers and what the upstream client reads are one set of types (src/shared): the
// type check of `npm test` fails here when a view of the engine and the client's method drift.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { detailView, summaryView } from '../../src/engine/compilers/view.js';
import type * as problems from '../../src/engine/problems/views.js';
import type { CompilersClient } from '../../src/upstream/compilers.js';
import type { ProblemsClient } from '../../src/upstream/problems.js';

/** true only when A and B are the same type. */
type Same<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any method of a client
type Answer<F> = F extends (...args: any[]) => Promise<infer R> ? R : never;
type Item<F> = Answer<F> extends { items: Array<infer I> } ? I : never;

const same: [
  Same<ReturnType<typeof detailView>, Answer<CompilersClient['submission']>>,
  Same<ReturnType<typeof summaryView>, Item<CompilersClient['submissions']>>,
  Same<ReturnType<typeof problems.problemView>, Answer<ProblemsClient['problem']>>,
  Same<ReturnType<typeof problems.problemItem>, Item<ProblemsClient['problems']>>,
  Same<ReturnType<typeof problems.testcaseView>, Answer<ProblemsClient['testcase']>>,
  Same<ReturnType<typeof problems.testcaseItem>, Item<ProblemsClient['testcases']>>,
  Same<ReturnType<typeof problems.judgeView>, Answer<ProblemsClient['judge']>>,
  Same<ReturnType<typeof problems.judgeItem>, Item<ProblemsClient['judges']>>,
  Same<ReturnType<typeof problems.submissionView>, Answer<ProblemsClient['submission']>>,
  Same<ReturnType<typeof problems.submissionItem>, Item<ProblemsClient['submissions']>>,
] = [true, true, true, true, true, true, true, true, true, true];

it("types the engine's answers as the upstream client reads them (checked by the compiler)", () => {
  assert.ok(same.every((x) => x));
});
