// Judging in the real sandbox: built-in and custom judges, master judges, problem errors, test
// subsets, time limits per test case, interactive problems and multi-file submissions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CPP, PYTHON, startProblemsEngine, statuses, type ProblemsEngine } from './helpers.js';

let t: ProblemsEngine;
before(async () => {
  t = await startProblemsEngine();
});
after(async () => {
  await t.close();
});

/** A program that prints what each input line says: `echo X` prints X, `loop` never ends. */
const SCRIPTED = `
import sys
cmd = sys.stdin.read().split()
if cmd and cmd[0] == 'loop':
    while True:
        pass
print(' '.join(cmd[1:]))
`;

describe('built-in judges in the pipeline', () => {
  it('applies each test case its own judge: 1, 2, 10 and 9, both sides', async () => {
    const id = await t.problem({ masterjudgeId: 1001 }, [
      ['echo 1  2', '1 2\n', { judgeId: 1 }],
      ['echo 3.141', '3.14159\n', { judgeId: 2 }],
      ['echo 3.2', '3.14159\n', { judgeId: 2 }],
      ['echo x', 'x\n', { judgeId: 10 }],
      ['echo x', 'x', { judgeId: 10 }],
      ['echo 1 2 5', '1 2 3\n', { judgeId: 9 }],
    ]);
    const s = await t.judgeRun({ problemId: id, compilerId: PYTHON, source: SCRIPTED });
    assert.deepEqual(statuses(s), [15, 15, 14, 15, 14, 14]);
    assert.equal(s.result.status.code, 15);
    assert.equal(s.result.score, 50);
    assert.match(await t.stream(s.id, 'debug'), /test 5: first difference at token 3/);
  });

  it('scores by source length with judge 4', async () => {
    const id = await t.problem({ typeId: 1 }, [['echo ok', 'ok', { judgeId: 4 }]]);
    const s = await t.judgeRun({ problemId: id, compilerId: PYTHON, source: SCRIPTED });
    assert.equal(s.result.status.code, 15);
    assert.equal(s.result.score, Buffer.byteLength(SCRIPTED));
  });
});

describe('master judges', () => {
  it('1000: the first failing test case decides; one time limit among many', async () => {
    const id = await t.problem({ masterjudgeId: 1000 }, [
      ['echo a', 'a'],
      ['echo b', 'b'],
      ['loop', 'c', { timeLimit: 1 }],
      ['echo d', 'wrong'],
      ['echo e', 'e'],
    ]);
    const s = await t.judgeRun({ problemId: id, compilerId: PYTHON, source: SCRIPTED });
    assert.deepEqual(statuses(s), [15, 15, 13, 14, 15]);
    assert.equal(s.result.status.code, 13);
    assert.equal(s.result.score, 0);
    assert.ok(s.result.time! >= 0.9, `time ${s.result.time} is the sum, TLE included`);
    // The streams show the first failing test case (2: no output before the limit).
    assert.equal(await t.stream(s.id, 'output'), '');
  });

  it('1001: accepted with the percentage of passed test cases', async () => {
    const id = await t.problem({ masterjudgeId: 1001, typeId: 4 }, [
      ['echo a', 'a'],
      ['echo b', 'no'],
      ['echo c', 'c'],
      ['echo d', 'd'],
    ]);
    const s = await t.judgeRun({ problemId: id, compilerId: PYTHON, source: SCRIPTED });
    assert.deepEqual(statuses(s), [15, 14, 15, 15]);
    assert.equal(s.result.status.code, 15);
    assert.equal(s.result.score, 75);
    // Output and error show the first test case that did not pass.
    assert.equal(await t.stream(s.id, 'output'), 'b\n');
  });

  it('a custom master judge reads the test lines and decides', async () => {
    const master = await t.judge(
      [
        'import sys',
        'lines = [l.split() for l in sys.stdin if l.strip()]',
        'passed = sum(1 for l in lines if l[1] == "AC")',
        'print("WA" if passed < len(lines) else "AC", passed * 10, 0, 0.5, 1234)',
      ].join('\n'),
      1,
    );
    const id = await t.problem({ masterjudgeId: master }, [
      ['echo a', 'a'],
      ['echo b', 'x'],
      ['echo c', 'c'],
    ]);
    const s = await t.judgeRun({ problemId: id, compilerId: PYTHON, source: SCRIPTED });
    assert.deepEqual(statuses(s), [15, 14, 15]);
    assert.equal(s.result.status.code, 14);
    assert.equal(s.result.score, 20);
    assert.equal(s.result.time, 0.5);
    assert.equal(s.result.memory, 1234);
  });

  it('a master judge printing nonsense is a judge error (21)', async () => {
    const master = await t.judge('print("whatever")', 1);
    const id = await t.problem({ masterjudgeId: master }, [['echo a', 'a']]);
    const s = await t.judgeRun({ problemId: id, compilerId: PYTHON, source: SCRIPTED });
    assert.equal(s.result.status.code, 21);
    assert.match(await t.stream(s.id, 'debug'), /master judge: judge error/);
  });
});

describe('custom test-case judges', () => {
  // Accepts "ok", rejects "bad", reports its own error (exit 2) on "err", crashes (SIGABRT)
  // otherwise. Writes the source length as the score, a note for the setter (fd 6) and one for
  // the user (fd 7); checks the expected output (fd 4).
  const checker = `
import os, sys
test_input = sys.stdin.read()
got = os.fdopen(3).read().strip()
expected = os.fdopen(4).read().strip()
source = os.fdopen(5, 'rb').read()
os.fdopen(6, 'w').write('setter: got %r for input %r\\n' % (got, test_input.strip()))
user = os.fdopen(7, 'w')
if got == 'ok' and expected == 'ok':
    print(len(source))
    sys.exit(0)
if got == 'bad':
    user.write('not quite\\n')
    sys.exit(1)
if got == 'err':
    sys.exit(2)
os.abort()
`;
  let problemId: number;
  before(async () => {
    const judge = await t.judge(checker);
    problemId = await t.problem({ masterjudgeId: 1000 }, [
      ['echo ok', 'ok', { judgeId: judge }],
      ['echo bad', 'ok', { judgeId: judge }],
      ['echo boom', 'ok', { judgeId: judge }],
      ['echo err', 'ok', { judgeId: judge }],
    ]);
  });

  it('accepts, rejects and crashes (21), per test case, with its score and fds', async () => {
    const s = await t.judgeRun({ problemId, compilerId: PYTHON, source: SCRIPTED });
    assert.deepEqual(statuses(s), [15, 14, 21, 21]);
    assert.equal(s.result.testcases[0]!.score, Buffer.byteLength(SCRIPTED));
    assert.equal(s.result.status.code, 14);
    const debug = await t.stream(s.id, 'debug');
    assert.match(debug, /test 0, judge debug \(fd 6\):\nsetter: got 'ok' for input 'echo ok'/);
    assert.match(debug, /test 1, user info \(fd 7\):\nnot quite/);
    assert.match(debug, /test 2: judge error: the judge was killed by signal 6/);
    assert.match(debug, /test 3: judge error: the judge reported a judge error \(exit code 2\)/);
  });

  it('a crashing judge makes the submission a judge error (21)', async () => {
    const s = await t.judgeRun({ problemId, compilerId: PYTHON, source: SCRIPTED, tests: '2' });
    assert.deepEqual(statuses(s), [21]);
    assert.equal(s.result.status.code, 21);
  });

  it('a judge that does not compile is a judge error (21)', async () => {
    const judge = await t.judge('int main( { return 0; }', 0, CPP);
    const id = await t.problem({}, [['echo a', 'a', { judgeId: judge }]]);
    const s = await t.judgeRun({ problemId: id, compilerId: PYTHON, source: SCRIPTED });
    assert.equal(s.result.status.code, 21);
    assert.match(await t.stream(s.id, 'debug'), new RegExp(`judge ${judge} did not compile`));
  });
});

describe('problem errors, subsets and compile errors', () => {
  it('a problem with no active test cases is a problem error (22)', async () => {
    const id = await t.problem({}, [['echo a', 'a', { active: false }]]);
    const s = await t.judgeRun({ problemId: id, compilerId: PYTHON, source: SCRIPTED });
    assert.equal(s.result.status.code, 22);
    assert.deepEqual(s.result.testcases, []);
    assert.match(await t.stream(s.id, 'error'), /no active test cases/);
  });

  it('runs only the `tests` subset, inactive ones included', async () => {
    const id = await t.problem({}, [
      ['echo a', 'a'],
      ['echo b', 'b', { active: false }],
      ['loop', 'c'],
      ['echo d', 'd'],
    ]);
    const s = await t.judgeRun({
      problemId: id,
      compilerId: PYTHON,
      source: SCRIPTED,
      tests: '3,1',
    });
    assert.deepEqual(
      s.result.testcases.map((x) => x.number),
      [1, 3],
    );
    assert.equal(s.result.status.code, 15);
  });

  it('reports a compilation error (11) with cmpinfo and no test case', async () => {
    const id = await t.problem({}, [['1', '1']]);
    const s = await t.judgeRun({ problemId: id, compilerId: CPP, source: 'int main() { oops }' });
    assert.equal(s.result.status.code, 11);
    assert.deepEqual(s.result.testcases, []);
    assert.match(await t.stream(s.id, 'cmpinfo'), /error/);
  });

  it('reports a Python syntax error as a compilation error (11) before any test case runs', async () => {
    const id = await t.problem({}, [
      ['1', '1'],
      ['2', '2'],
    ]);
    const s = await t.judgeRun({
      problemId: id,
      compilerId: PYTHON,
      source: 'print(input())\nif True\n    pass\n',
    });
    assert.equal(s.result.status.code, 11);
    assert.deepEqual(s.result.testcases, []);
    assert.match(await t.stream(s.id, 'cmpinfo'), /prog\.py", line 2[\s\S]*SyntaxError/);
  });

  it('judges a multi-file submission', async () => {
    const id = await t.problem({}, [['2 3', '5']]);
    const s = await t.judgeRun({
      problemId: id,
      compilerId: PYTHON,
      files: {
        'main.py': 'from helper import add\nprint(add(*map(int, input().split())))\n',
        'helper.py': 'def add(a, b):\n    return a + b\n',
      },
    });
    assert.equal(s.result.status.code, 15);
    assert.match(await t.stream(s.id, 'source'), /\/\/ file: helper\.py/);
  });

  it('reports every status change, from waiting to the final one', async () => {
    const id = await t.problem({}, [['echo a', 'a']]);
    const seen: number[] = [];
    const listener = (e: { module: string; id: number; status: { code: number } }) => {
      if (e.module === 'problems') seen.push(e.status.code);
    };
    t.engine.events.on('submission.status', listener);
    const s = await t.judgeRun({ problemId: id, compilerId: PYTHON, source: SCRIPTED });
    t.engine.events.off('submission.status', listener);
    assert.equal(s.result.status.code, 15);
    assert.equal(seen[0], 0);
    assert.ok(seen.includes(8), `testing was reported: ${seen.join(',')}`);
    assert.equal(seen[seen.length - 1], 15);
  });
});

describe('interactive problems', () => {
  // Guess the number: the judge reads the secret on fd 0 and answers each guess on fd 8.
  const judge = `
import os, sys
secret = int(sys.stdin.read())
rd = os.fdopen(8, 'r')
wr = os.fdopen(os.dup(8), 'w')
for guesses in range(1, 21):
    line = rd.readline()
    if not line:
        sys.exit(1)
    g = int(line)
    if g == secret:
        wr.write('=\\n'); wr.flush()
        print(100 - guesses)
        sys.exit(0)
    wr.write('<\\n' if secret < g else '>\\n'); wr.flush()
sys.exit(1)
`;
  const bisect = `
lo, hi = 1, 1000
while True:
    g = (lo + hi) // 2
    print(g, flush=True)
    r = input()
    if r == '=':
        break
    if r == '<':
        hi = g - 1
    else:
        lo = g + 1
`;
  let problemId: number;
  before(async () => {
    const j = await t.judge(judge);
    problemId = await t.problem({ interactive: true }, [
      ['1', '', { judgeId: j }],
      ['777', '', { judgeId: j }],
      ['1000', '', { judgeId: j }],
    ]);
  });

  it('connects the program and the judge while both run', async () => {
    const s = await t.judgeRun({ problemId, compilerId: PYTHON, source: bisect });
    assert.deepEqual(statuses(s), [15, 15, 15]);
    assert.equal(s.result.status.code, 15);
    assert.ok(s.result.testcases.every((x) => x.score! > 80));
    // What the program sent to the judge is its output.
    assert.match(await t.stream(s.id, 'output'), /^500\n/);
  });

  it('rejects a program the judge does not accept', async () => {
    const s = await t.judgeRun({
      problemId,
      compilerId: PYTHON,
      source: "while True:\n    print(1, flush=True)\n    if input() == '=':\n        break\n",
    });
    assert.deepEqual(statuses(s), [15, 14, 14]);
    assert.equal(s.result.status.code, 14);
  });

  it('refuses to judge an interactive problem with a built-in judge (22)', async () => {
    const id = await t.problem({ interactive: true }, [['1', '1']]);
    const s = await t.judgeRun({ problemId: id, compilerId: PYTHON, source: bisect });
    assert.equal(s.result.status.code, 22);
  });
});

describe('efficiency', () => {
  it('judges 50 test cases well inside N x (time limit + overhead)', async () => {
    const tests: Array<[string, string]> = Array.from({ length: 50 }, (_, i) => [
      `echo ${i}`,
      `${i}`,
    ]);
    const id = await t.problem({}, tests);
    const t0 = Date.now();
    // Waits past the bound below, so that a slow run fails on the bound with its figure.
    const s = await t.judgeRun({ problemId: id, compilerId: PYTHON, source: SCRIPTED }, 120_000);
    const elapsed = (Date.now() - t0) / 1000;
    assert.equal(s.result.status.code, 15);
    assert.equal(s.result.testcases.length, 50);
    // Time limit 1 s each: the hosted service's estimate is N x (1 s + overhead).
    assert.ok(elapsed < 50 * 1.5, `50 test cases took ${elapsed} s`);
  });
});
