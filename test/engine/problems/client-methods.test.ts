// Methods the official Sphere Engine clients call that the spec's tables leave out: deleting a
// test case (the later ones move down by one, as on the hosted service) and re-judging a
// submission with `PUT /submissions/:id`. Over real HTTP, judged in the real sandbox.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, PYTHON, startProblemsEngine, type ProblemsEngine } from './helpers.js';

let t: ProblemsEngine;
before(async () => {
  t = await startProblemsEngine();
});
after(async () => {
  await t.close();
});

/** Resolves with the final status of the next `submission.finished` of `id`. */
function nextFinish(id: number, timeoutMs = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      t.engine.events.off('submission.finished', on);
      reject(new Error(`submission ${id} was not judged again within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (e: { module: string; id: number; status: { code: number } }) => {
      if (e.module !== 'problems' || e.id !== id) return;
      clearTimeout(timer);
      t.engine.events.off('submission.finished', on);
      resolve(e.status.code);
    };
    t.engine.events.on('submission.finished', on);
  });
}

describe('DELETE /problems/:id/testcases/:number', () => {
  it('deletes a test case and renumbers the later ones down by one', async () => {
    const id = await t.problem({}, [
      ['in0', 'out0'],
      ['in1', 'out1', { timeLimit: 2 }],
      ['in2', 'out2', { timeLimit: 3, active: false }],
    ]);
    const r = await t.del(`/problems/${id}/testcases/1`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, {});
    const items = (await t.get(`/problems/${id}/testcases`)).json.items as Array<{
      number: number;
      active: boolean;
      limits: { time: number };
    }>;
    assert.deepEqual(
      items.map((i) => [i.number, i.limits.time, i.active]),
      [
        [0, 1, true],
        [1, 3, false],
      ],
    );
    assert.equal((await t.get(`/problems/${id}/testcases/1/input`)).text, 'in2');
    assert.equal((await t.get(`/problems/${id}/testcases/1/output`)).text, 'out2');
    assertError(await t.get(`/problems/${id}/testcases/2`), 404, 1101);
    // The next one created takes the next free number.
    assert.deepEqual(await t.create(`/problems/${id}/testcases`, { judgeId: 1 }), { number: 2 });
    // The first and the last can go too.
    assert.equal((await t.del(`/problems/${id}/testcases/0`)).status, 200);
    assert.equal((await t.del(`/problems/${id}/testcases/1`)).status, 200);
    const left = (await t.get(`/problems/${id}/testcases`)).json.items;
    assert.deepEqual(
      left.map((i: { number: number }) => i.number),
      [0],
    );
    assert.equal((await t.get(`/problems/${id}/testcases/0/input`)).text, 'in2');
  });

  it('answers the spec codes for an unknown problem or test case', async () => {
    const id = await t.problem({}, [['a', 'b']]);
    assertError(await t.del('/problems/999999/testcases/0'), 404, 1001);
    assertError(await t.del(`/problems/${id}/testcases/1`), 404, 1101);
    assertError(await t.del(`/problems/${id}/testcases/x`), 404, 1101);
    assert.equal((await t.get(`/problems/${id}/testcases`)).json.items.length, 1);
  });

  it('judges on the renumbered test cases', async () => {
    const id = await t.problem({}, [
      ['1', '1'],
      ['2', 'not this'],
      ['3', '3'],
    ]);
    assert.equal((await t.del(`/problems/${id}/testcases/1`)).status, 200);
    const s = await t.judgeRun({ problemId: id, compilerId: PYTHON, source: 'print(input())' });
    assert.equal(s.result.status.code, 15, JSON.stringify(s.result));
    assert.deepEqual(
      s.result.testcases.map((c) => c.number),
      [0, 1],
    );
  });
});

describe('PUT /submissions/:id', () => {
  it('answers {} and judges the submission again on the current test cases', async () => {
    const id = await t.problem({}, [
      ['1', '1'],
      ['2', '2'],
    ]);
    const first = await t.judgeRun({ problemId: id, compilerId: PYTHON, source: 'print(input())' });
    assert.equal(first.result.status.code, 15);
    // The author changes test case 1 and adds one: the same submission now fails on test 1.
    assert.equal(
      (await t.put(`/problems/${id}/testcases/1`, { json: { output: 'two' } })).status,
      200,
    );
    await t.create(`/problems/${id}/testcases`, { input: '3', output: '3', judgeId: 1 });
    const again = nextFinish(first.id);
    const r = await t.put(`/submissions/${first.id}`, { form: {} });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, {});
    assert.equal(await again, 14);
    const s = (await t.get(`/submissions/${first.id}`)).json;
    assert.equal(s.result.status.code, 14);
    assert.deepEqual(
      s.result.testcases.map((c: { number: number; status: { code: number } }) => [
        c.number,
        c.status.code,
      ]),
      [
        [0, 15],
        [1, 14],
        [2, 15],
      ],
    );
    assert.equal(await t.stream(first.id, 'source'), 'print(input())', 'the same source');
  });

  it('answers 404/1001 for an unknown submission', async () => {
    assertError(await t.put('/submissions/999999', { json: {} }), 404, 1001);
    assertError(await t.put('/submissions/abc', { json: {} }), 404, 1001);
  });
});
