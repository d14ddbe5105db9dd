// A judged submission's test cases run in parallel on free workers, with the verdict rules of a
// run one after another (the first failing test case in order decides under master judge 1000;
// per-test results in order), and without starving other learners' submissions. Real sandbox,
// real HTTP, two workers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CPP, PYTHON, startProblemsEngine, statuses, type ProblemsEngine } from './helpers.js';

let t: ProblemsEngine;
before(async () => {
  t = await startProblemsEngine({ workers: 2 });
});
after(async () => {
  await t.close();
});

/** Prints when it started and ended (wall clock, seconds), sleeping `input` seconds between. */
const TIMED = `import sys, time
s = time.time()
time.sleep(float(sys.stdin.read()))
print(s, time.time())`;

/** A test-case judge that accepts and shows the program's output in the debug stream. */
const SHOW = `import os
os.fdopen(7, 'w').write(os.fdopen(3).read())`;

describe('parallel test cases', () => {
  it('runs test cases of one submission at the same time on free workers', async () => {
    const judgeId = await t.judge(SHOW);
    const id = await t.problem({}, [
      ['1.5', '', { judgeId, timeLimit: 3 }],
      ['1.5', '', { judgeId, timeLimit: 3 }],
    ]);
    const s = await t.judgeRun({ problemId: id, compilerId: PYTHON, source: TIMED });
    assert.equal(s.result.status.code, 15, JSON.stringify(s.result));
    const debug = await t.stream(s.id, 'debug');
    const spans = [...debug.matchAll(/^([\d.]+) ([\d.]+)$/gm)].map((m) => [+m[1]!, +m[2]!]);
    assert.equal(spans.length, 2, debug);
    const [a, b] = spans as [[number, number], [number, number]];
    assert.ok(
      Math.max(a[0], b[0]) < Math.min(a[1], b[1]),
      `the two test cases overlapped in time: ${JSON.stringify(spans)}`,
    );
    // the debug parts stay in test-case order
    assert.ok(debug.indexOf('--- test 0') < debug.indexOf('--- test 1'), debug);
  });

  it('keeps the verdict of the first failing test case in order, whatever finishes first', async () => {
    // test 1 fails slowly (wrong answer after 1.5 s), test 2 fails at once (runtime error)
    const source = `import sys, time
n = sys.stdin.read().strip()
if n == '1':
    time.sleep(1.5)
    print('wrong')
elif n == '2':
    raise SystemExit('boom')
else:
    print(n)`;
    const id = await t.problem({}, [
      ['0', '0'],
      ['1', '1', { timeLimit: 3 }],
      ['2', '2'],
      ['3', '3'],
    ]);
    const s = await t.judgeRun({ problemId: id, compilerId: PYTHON, source });
    assert.equal(s.result.status.code, 14, JSON.stringify(s.result));
    assert.deepEqual(statuses(s), [15, 14, 12, 15]);
    assert.deepEqual(
      s.result.testcases.map((c) => c.number),
      [0, 1, 2, 3],
    );
    assert.equal(await t.stream(s.id, 'output'), 'wrong\n', 'the streams of the first failure');
  });

  it('lets another submission in after at most one test case of a long one', async () => {
    const long = await t.problem(
      {},
      Array.from(
        { length: 6 },
        () => ['1', '', { judgeId: 10, timeLimit: 3 }] as [string, string, Record<string, unknown>],
      ),
    );
    const short = await t.problem({}, [['0', '', { judgeId: 10 }]]);
    const sleep = 'import sys, time\ntime.sleep(float(sys.stdin.read()))';
    const order: string[] = [];
    const a = await t.create('/submissions', {
      problemId: long,
      compilerId: PYTHON,
      source: sleep,
    });
    // let the long one take every worker first
    await new Promise((r) => setTimeout(r, 400));
    const b = await t.create('/submissions', {
      problemId: short,
      compilerId: PYTHON,
      source: sleep,
    });
    await Promise.all([
      t.final(a.id as number).then(() => order.push('long')),
      t.final(b.id as number).then(() => order.push('short')),
    ]);
    assert.deepEqual(order, ['short', 'long']);
  });

  it('gives the same verdict on every worker when the build makes its files private', async () => {
    // Each worker runs as its own uid (as root): a program only its builder may read runs on
    // the submission's own worker, one test case after another, rather than fail on the others.
    const id = await t.problem(
      {},
      Array.from({ length: 4 }, (_, i) => [`${i}`, `${i}`] as [string, string]),
    );
    const s = await t.judgeRun({
      problemId: id,
      compilerId: CPP,
      files: {
        'main.cpp': '#include <iostream>\nint main() { int n; std::cin >> n; std::cout << n; }\n',
        build: 'g++ -O0 -o prog main.cpp && chmod 700 prog && chmod 700 .',
      },
    });
    assert.equal(s.result.status.code, 15, JSON.stringify(s.result));
    assert.deepEqual(statuses(s), [15, 15, 15, 15]);
  });
});
