// The demo problems of problems/ seeded at engine start, judged with real solutions.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_PROBLEMS_DIR, readProblemFolder } from '../../../src/engine/problems/index.js';
import { CPP, PYTHON, startProblemsEngine, statuses, type ProblemsEngine } from './helpers.js';

const CODES = ['CIRCLE', 'PRIMES', 'REVWORDS', 'SUMTWO', 'TWOSUM'];

let dataDir: string;
let t: ProblemsEngine;
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'se-problems-demo-'));
  t = await startProblemsEngine({ dataDir });
});
after(async () => {
  await t.close();
  await rm(dataDir, { recursive: true, force: true });
});

const solutions: Record<string, string> = {
  SUMTWO: 'a, b = map(int, input().split())\nprint(a + b)\n',
  REVWORDS: 'print(" ".join(input().split()[::-1]))\n',
  CIRCLE: 'import math\nr = float(input())\nprint("%.4f" % (math.pi * r * r))\n',
  PRIMES: [
    'n = int(input())',
    'sieve = bytearray([1]) * (n + 1)',
    'sieve[0:2] = b"\\x00\\x00"',
    'for i in range(2, int(n ** 0.5) + 1):',
    '    if sieve[i]:',
    '        sieve[i * i :: i] = bytearray(len(range(i * i, n + 1, i)))',
    'print(sum(sieve))',
  ].join('\n'),
  TWOSUM: [
    'import sys',
    'd = sys.stdin.read().split()',
    'n, t = int(d[0]), int(d[1])',
    'seen = {}',
    'for i, x in enumerate(map(int, d[2 : 2 + n])):',
    '    if t - x in seen:',
    '        print(seen[t - x] + 1, i + 1)',
    '        break',
    '    seen.setdefault(x, i)',
  ].join('\n'),
};

describe('demo problems', () => {
  it('every folder of problems/ is valid', () => {
    for (const code of CODES) {
      const pkg = readProblemFolder(join(DEMO_PROBLEMS_DIR, code));
      assert.equal(pkg.code, code);
      assert.ok(pkg.tests.length >= 5, `${code} has several test cases`);
    }
  });

  it('are seeded at engine start, with the judges the issue names', async () => {
    const list = await t.get('/problems?limit=100');
    const codes = list.json.items.map((p: { code: string }) => p.code).sort();
    assert.deepEqual(codes, CODES);
    const sum = (await t.get('/problems/SUMTWO')).json;
    assert.equal(sum.name, 'Sum of two integers');
    assert.equal(sum.masterjudge.id, 1000);
    assert.equal((await t.get('/problems/SUMTWO/testcases')).json.items[0].judge.id, 1);
    assert.equal((await t.get('/problems/CIRCLE/testcases/0')).json.judge.id, 2);
    assert.equal((await t.get('/problems/PRIMES')).json.masterjudge.id, 1001);
    assert.ok((await t.get('/problems/TWOSUM/testcases/0')).json.judge.id > 10000);
  });

  for (const code of CODES) {
    it(`${code} accepts a correct solution`, async () => {
      const s = await t.judgeRun({ problemId: code, compilerId: PYTHON, source: solutions[code] });
      assert.deepEqual(s.result.status, { code: 15, name: 'accepted' }, JSON.stringify(s.result));
      assert.equal(s.result.score, 100);
    });
  }

  it('SUMTWO needs 64-bit integers: a C++ int solution fails', async () => {
    const wrong =
      '#include <cstdio>\nint main(){int a,b;scanf("%d %d",&a,&b);printf("%d\\n",a+b);}';
    const s = await t.judgeRun({ problemId: 'SUMTWO', compilerId: CPP, source: wrong });
    assert.equal(s.result.status.code, 14);
    const right = wrong.replace(/int a,b/, 'long long a,b').replace(/%d/g, '%lld');
    const ok = await t.judgeRun({ problemId: 'SUMTWO', compilerId: CPP, source: right });
    assert.equal(ok.result.status.code, 15);
  });

  it('PRIMES gives partial scores; TWOSUM rejects a wrong pair through its checker', async () => {
    const slow = 'n = int(input())\nprint(4 if n == 10 else 25 if n == 100 else 0)\n';
    const s = await t.judgeRun({ problemId: 'PRIMES', compilerId: PYTHON, source: slow });
    assert.equal(s.result.status.code, 15);
    assert.equal(s.result.score, 28.57);
    const pair = await t.judgeRun({
      problemId: 'TWOSUM',
      compilerId: PYTHON,
      source: 'print(1, 2)',
    });
    assert.equal(pair.result.status.code, 14);
    assert.deepEqual(statuses(pair).slice(0, 4), [15, 15, 15, 14]);
    assert.match(
      await t.stream(pair.id, 'debug'),
      /user info \(fd 7\):\na\[1\] \+ a\[2\] = 6, not 0/,
    );
  });

  it('seeds only missing codes at the next start: an edit survives, a deleted one returns', async () => {
    await t.put('/problems/SUMTWO', { json: { name: 'Renamed by a teacher' } });
    await t.del('/problems/CIRCLE');
    await t.close();
    t = await startProblemsEngine({ dataDir });
    assert.equal((await t.get('/problems/SUMTWO')).json.name, 'Renamed by a teacher');
    assert.equal((await t.get('/problems/CIRCLE')).status, 200);
    assert.equal((await t.get('/problems')).json.paging.total, CODES.length);
  });
});
