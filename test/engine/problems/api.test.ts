// The Problems API v4 over real HTTP: every method, its fields, and every error code the spec
// lists that an input of this engine can cause.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, CPP, PYTHON, startProblemsEngine, type ProblemsEngine } from './helpers.js';

let t: ProblemsEngine;
before(async () => {
  t = await startProblemsEngine();
});
after(async () => {
  await t.close();
});

describe('GET /test and GET /compilers', () => {
  it('answers /test with the token in the query or as a Bearer header', async () => {
    const r = await t.get('/test');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { message: 'You can use Sphere Engine Problems API.' });
    const res = await fetch(`${t.api}/test`, {
      headers: { Authorization: `Bearer ${t.engine.accessToken}` },
    });
    assert.equal(res.status, 200);
  });

  it('answers 401/1 without the token or with a wrong one, on every method', async () => {
    assertError(await t.get('/test', null), 401, 1);
    assertError(await t.get('/problems', 'wrong'), 401, 1);
    assertError(await t.post('/problems', { json: { name: 'x' } }, 'wrong'), 401, 1);
    assertError(await t.put('/problems/1', { json: {} }, 'wrong'), 401, 1);
    assertError(await t.del('/problems/1', 'wrong'), 401, 1);
  });

  it('lists the compilers with versions and highlighters', async () => {
    const r = await t.get('/compilers');
    assert.equal(r.status, 200);
    const py = r.json.items.find((c: { id: number }) => c.id === PYTHON);
    assert.ok(py, 'Python 3 is listed');
    assert.ok(py.versions.length >= 1);
    assert.equal(py.highlighters.codemirror, 'python');
    assert.ok(r.json.items.some((c: { id: number }) => c.id === CPP));
  });
});

describe('problems', () => {
  it('creates a problem from JSON, form and multipart bodies; the code is generated or given', async () => {
    const a = await t.post('/problems', { json: { name: 'A', masterjudgeId: 1000 } });
    assert.equal(a.status, 201);
    assert.equal(a.json.code, `P${a.json.id}`);
    const b = await t.post('/problems', {
      form: {
        name: 'B',
        masterjudgeId: '1001',
        code: 'FORMCODE',
        typeId: '4',
        interactive: 'false',
      },
    });
    assert.equal(b.status, 201);
    assert.equal(b.json.code, 'FORMCODE');
    const c = await t.post('/problems', {
      multipart: { name: 'C', masterjudgeId: '1000', body: '<p>hi</p>', interactive: '1' },
    });
    assert.equal(c.status, 201);
    const got = await t.get(`/problems/${c.json.id}`);
    assert.equal(got.json.body, '<p>hi</p>');
    assert.equal(got.json.interactive, true);
    assert.deepEqual(got.json.type, { id: 0, name: 'binary' });
    const form = await t.get('/problems/FORMCODE');
    assert.deepEqual(form.json.type, { id: 4, name: 'percentage' });
    assert.equal(form.json.masterjudge.name, 'Score is % of correctly solved sets');
  });

  it('refuses bad parameters of POST /problems with the spec codes', async () => {
    const post = (json: Record<string, unknown>) =>
      t.post('/problems', { json: { name: 'n', masterjudgeId: 1000, ...json } });
    assertError(await post({ code: '' }), 400, 202309);
    assertError(await post({ code: 'bad code!' }), 400, 202305);
    assertError(await post({ code: '9LIVES' }), 400, 202305);
    await post({ code: 'TAKEN' });
    assertError(await post({ code: 'TAKEN' }), 400, 202308);
    assertError(await t.post('/problems', { json: { masterjudgeId: 1000 } }), 400, 202404);
    assertError(await post({ name: '  ' }), 400, 202409);
    assertError(await post({ typeId: 3 }), 400, 202105);
    assertError(await post({ masterjudgeId: 1 }), 400, 202205);
    assertError(await t.post('/problems', { json: { name: 'n' } }), 400, 200404);
    assertError(await post({ masterjudgeId: 999 }), 400, 200401);
    assertError(await post({ interactive: 'maybe' }), 400, 1003);
  });

  it('gets a problem by id and by code, with its test cases; 404/1001 otherwise', async () => {
    const id = await t.problem({ code: 'GETME', body: '<b>Bold</b> statement' }, [
      ['1', '1'],
      ['2', '2', { active: false }],
    ]);
    const byId = await t.get(`/problems/${id}`);
    assert.equal(byId.status, 200);
    assert.equal(byId.json.code, 'GETME');
    assert.equal(byId.json.shortBody, null);
    assert.deepEqual(byId.json.testcases, [
      { number: 0, active: true },
      { number: 1, active: false },
    ]);
    assert.equal(byId.json.masterjudge.id, 1000);
    assert.match(byId.json.masterjudge.uri, /\/problems\/api\/v4\/judges\/1000\?access_token=/);
    assert.deepEqual(byId.json.permissions, { edit: true, clone: true });
    const byCode = await t.get('/problems/GETME?shortBody=true');
    assert.equal(byCode.json.id, id);
    assert.equal(byCode.json.shortBody, 'Bold statement');
    assertError(await t.get('/problems/999999'), 404, 1001);
    assertError(await t.get('/problems/NOSUCH'), 404, 1001);
  });

  it('lists problems with paging and shortBody', async () => {
    for (let i = 0; i < 3; i++) await t.problem({ body: `<p>statement ${i}</p>` }, []);
    const first = await t.get('/problems?limit=2');
    assert.equal(first.status, 200);
    const total = first.json.paging.total as number;
    assert.ok(total >= 3);
    assert.equal(first.json.items.length, 2);
    assert.equal(first.json.items[0].shortBody, null);
    assert.deepEqual(
      { ...first.json.paging, next: undefined },
      { limit: 2, offset: 0, total, pages: Math.ceil(total / 2), prev: null, next: undefined },
    );
    assert.match(first.json.paging.next, /offset=2/);
    const last = await t.get(`/problems?limit=2&offset=${total - 1}&shortBody=1`);
    assert.equal(last.json.items.length, 1);
    assert.equal(last.json.paging.next, null);
    assert.match(last.json.paging.prev, new RegExp(`offset=${total - 3}`));
    assert.equal(last.json.items[0].shortBody, 'statement 2');
    assert.match(last.json.items[0].uri, /\/problems\/\d+\?access_token=/);
    const clamped = await t.get('/problems?limit=1000');
    assert.equal(clamped.json.paging.limit, 100);
  });

  it('updates a problem, including its active test cases', async () => {
    const id = await t.problem({}, [
      ['1', '1'],
      ['2', '2'],
      ['3', '3'],
    ]);
    const r = await t.put(`/problems/${id}`, {
      json: {
        name: 'renamed',
        body: 'new body',
        typeId: 2,
        interactive: true,
        masterjudgeId: 1001,
        activeTestcases: '0,2',
      },
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, {});
    const p = (await t.get(`/problems/${id}`)).json;
    assert.equal(p.name, 'renamed');
    assert.equal(p.body, 'new body');
    assert.deepEqual(p.type, { id: 2, name: 'maximize' });
    assert.equal(p.interactive, true);
    assert.equal(p.masterjudge.id, 1001);
    assert.deepEqual(
      p.testcases.map((x: { active: boolean }) => x.active),
      [true, false, true],
    );
    await t.put(`/problems/${id}`, { form: { activeTestcases: '' } });
    const none = (await t.get(`/problems/${id}`)).json;
    assert.ok(none.testcases.every((x: { active: boolean }) => !x.active));
  });

  it('refuses bad parameters of PUT /problems/:id with the spec codes', async () => {
    const id = await t.problem({}, [['1', '1']]);
    const put = (json: Record<string, unknown>) => t.put(`/problems/${id}`, { json });
    assertError(await t.put('/problems/999999', { json: {} }), 404, 1001);
    assertError(await put({ name: '' }), 400, 202409);
    assertError(await put({ typeId: 7 }), 400, 202105);
    assertError(await put({ masterjudgeId: 2 }), 400, 202205);
    assertError(await put({ masterjudgeId: 12345 }), 400, 200401);
    assertError(await put({ activeTestcases: '0,x' }), 400, 205205);
    assertError(await put({ activeTestcases: '0,5' }), 400, 205206);
  });

  it('deletes a problem; then it is not found', async () => {
    const id = await t.problem({}, [['1', '1']]);
    const r = await t.del(`/problems/${id}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, {});
    assertError(await t.get(`/problems/${id}`), 404, 1001);
    assertError(await t.del(`/problems/${id}`), 404, 1001);
  });
});

describe('test cases', () => {
  it('creates numbered test cases with defaults, lists and gets them', async () => {
    const p = await t.create('/problems', { name: 'tc', masterjudgeId: 1000 });
    const a = await t.create(`/problems/${p.id}/testcases`, {
      input: 'in0',
      output: 'out0',
      judgeId: 1,
    });
    assert.deepEqual(a, { number: 0 });
    const b = await t.post(`/problems/${p.code}/testcases`, {
      form: { input: 'in1', judgeId: '10', timeLimit: '2.5', active: 'false' },
    });
    assert.equal(b.status, 201);
    assert.deepEqual(b.json, { number: 1 });
    const list = await t.get(`/problems/${p.id}/testcases`);
    assert.equal(list.status, 200);
    assert.equal(list.json.items.length, 2);
    assert.deepEqual(list.json.items[0].limits, { time: 1 });
    assert.equal(list.json.items[0].active, true);
    assert.equal(list.json.items[0].judge.name, 'Ignores extra whitespaces');
    assert.deepEqual(list.json.items[1].limits, { time: 2.5 });
    assert.equal(list.json.items[1].active, false);
    assert.equal(list.json.items[1].judge.name, 'Exact judge');
    const one = await t.get(`/problems/${p.id}/testcases/0`);
    assert.equal(one.status, 200);
    assert.equal(one.json.input.size, 3);
    assert.equal(one.json.output.size, 4);
    const input = await fetch(one.json.input.uri);
    assert.equal(await input.text(), 'in0');
    const output = await t.get(`/problems/${p.id}/testcases/0/output`);
    assert.equal(output.text, 'out0');
    const empty = await t.get(`/problems/${p.id}/testcases/1/output`);
    assert.equal(empty.status, 200);
    assert.equal(empty.text, '');
  });

  it('refuses bad test cases with the spec codes', async () => {
    const p = await t.create('/problems', { name: 'tc', masterjudgeId: 1000 });
    const post = (json: Record<string, unknown>) =>
      t.post(`/problems/${p.id}/testcases`, { json: { judgeId: 1, ...json } });
    assertError(await t.post('/problems/999999/testcases', { json: { judgeId: 1 } }), 404, 1001);
    assertError(await t.post(`/problems/${p.id}/testcases`, { json: {} }), 400, 200304);
    assertError(await post({ judgeId: 777 }), 400, 200301);
    assertError(await post({ judgeId: 1000 }), 400, 202205);
    assertError(await post({ timeLimit: 'soon' }), 400, 201905);
    assertError(await post({ timeLimit: 100 }), 400, 201905);
    assertError(await post({ active: 'perhaps' }), 400, 1103);
    assertError(await t.get('/problems/999999/testcases'), 404, 1001);
    assertError(await t.get(`/problems/${p.id}/testcases/0`), 404, 1101);
    assertError(await t.get(`/problems/${p.id}/testcases/x`), 404, 1101);
    await post({});
    assertError(await t.get(`/problems/${p.id}/testcases/0/stdin`), 404, 1201);
    assertError(await t.get(`/problems/${p.id}/testcases/3/input`), 404, 1101);
  });

  it('refuses the test case after the last allowed one with 205306', async () => {
    const p = await t.create('/problems', { name: 'many', masterjudgeId: 1000 });
    for (let i = 0; i < 256; i++) {
      const r = await t.post(`/problems/${p.id}/testcases`, { form: { judgeId: '1' } });
      assert.equal(r.status, 201);
    }
    assertError(
      await t.post(`/problems/${p.id}/testcases`, { form: { judgeId: '1' } }),
      400,
      205306,
    );
  });

  it('updates a test case and refuses bad updates', async () => {
    const id = await t.problem({}, [['a', 'b']]);
    const r = await t.put(`/problems/${id}/testcases/0`, {
      json: { input: 'A', output: 'B', timeLimit: 3, judgeId: 2, active: false },
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, {});
    const tc = (await t.get(`/problems/${id}/testcases/0`)).json;
    assert.deepEqual(
      { active: tc.active, time: tc.limits.time, judge: tc.judge.id },
      { active: false, time: 3, judge: 2 },
    );
    assert.equal((await t.get(`/problems/${id}/testcases/0/input`)).text, 'A');
    const put = (json: Record<string, unknown>) => t.put(`/problems/${id}/testcases/0`, { json });
    assertError(await t.put('/problems/999999/testcases/0', { json: {} }), 404, 1001);
    assertError(await t.put(`/problems/${id}/testcases/5`, { json: {} }), 404, 1101);
    assertError(await put({ judgeId: 4242 }), 400, 200301);
    assertError(await put({ judgeId: 1001 }), 400, 202205);
    assertError(await put({ timeLimit: -1 }), 400, 201905);
    assertError(await put({ active: 'often' }), 400, 1103);
  });
});

describe('judges', () => {
  it('lists built-in and custom judges by type, with paging', async () => {
    const custom = await t.judge('import sys; sys.exit(0)');
    const master = await t.judge('print("AC 100")', 1);
    const tcs = await t.get('/judges?limit=100');
    assert.equal(tcs.status, 200);
    const ids = tcs.json.items.map((j: { id: number }) => j.id);
    assert.deepEqual(ids.slice(0, 6), [1, 2, 3, 4, 9, 10]);
    assert.ok(ids.includes(custom));
    assert.ok(!ids.includes(master));
    assert.deepEqual(tcs.json.items[0].type, { id: 0, name: 'testcase' });
    assert.deepEqual(tcs.json.items[0].visibility, { public: true, shared: true });
    const masters = await t.get('/judges?typeId=1');
    const mids = masters.json.items.map((j: { id: number }) => j.id);
    assert.deepEqual(mids.slice(0, 2), [1000, 1001]);
    assert.ok(mids.includes(master));
    const page = await t.get('/judges?limit=2&offset=5');
    assert.deepEqual(
      page.json.items.map((j: { id: number }) => j.id),
      [10, ids[6]],
    );
    assert.equal(page.json.paging.total, ids.length);
    assert.match(page.json.paging.prev, /typeId=0/);
    assertError(await t.get('/judges?typeId=7'), 400, 202205);
  });

  it('creates, gets, updates a judge and serves its source', async () => {
    const r = await t.post('/judges', {
      form: { source: 'print(1)', compilerId: String(PYTHON), name: 'mine', shared: 'true' },
    });
    assert.equal(r.status, 201);
    const id = r.json.id as number;
    assert.ok(id > 1001, 'custom ids never collide with built-in ones');
    const j = (await t.get(`/judges/${id}`)).json;
    assert.equal(j.name, 'mine');
    assert.deepEqual(j.type, { id: 0, name: 'testcase' });
    assert.equal(j.compiler.id, PYTHON);
    assert.equal(j.source.size, 8);
    assert.deepEqual(j.visibility, { public: false, shared: true });
    assert.equal(await (await fetch(j.source.uri)).text(), 'print(1)');
    const u = await t.put(`/judges/${id}`, { json: { source: 'print(2)', name: 'renamed' } });
    assert.equal(u.status, 201);
    assert.equal((await t.get(`/judges/${id}/source`)).text, 'print(2)');
    assert.equal((await t.get(`/judges/${id}`)).json.name, 'renamed');
    const builtin = await t.get('/judges/1');
    assert.equal(builtin.json.name, 'Ignores extra whitespaces');
    assert.match((await t.get('/judges/1000/source')).text, /first failing test case/);
  });

  it('refuses bad judges with the spec codes', async () => {
    const post = (json: Record<string, unknown>) =>
      t.post('/judges', { json: { source: 'x', compilerId: PYTHON, ...json } });
    assertError(await t.post('/judges', { json: { compilerId: PYTHON } }), 400, 201304);
    assertError(await post({ typeId: 5 }), 400, 202205);
    assertError(await t.post('/judges', { json: { source: 'x' } }), 400, 201104);
    assertError(await post({ compilerId: 99999 }), 400, 201101);
    assertError(await post({ compilerVersionId: 99 }), 400, 201108);
    assertError(await post({ shared: 'sometimes' }), 400, 1003);
    assertError(await t.get('/judges/424242'), 404, 1001);
    assertError(await t.get('/judges/abc'), 404, 1001);
    assertError(await t.get('/judges/1/binary'), 404, 1101);
    const id = await t.judge('print(1)');
    assertError(await t.put('/judges/1', { json: { name: 'mine now' } }), 403, 1002);
    assertError(await t.put('/judges/424242', { json: {} }), 404, 1001);
    assertError(await t.put(`/judges/${id}`, { json: { compilerId: 99999 } }), 400, 201101);
    assertError(await t.put(`/judges/${id}`, { json: { compilerVersionId: 99 } }), 400, 201108);
    assertError(await t.put(`/judges/${id}`, { json: { source: '' } }), 400, 1003);
  });
});

describe('submissions', () => {
  it('refuses bad submissions with the spec codes', async () => {
    const id = await t.problem({ code: 'SUBERR' }, [['1', '1']]);
    const post = (json: Record<string, unknown>) =>
      t.post('/submissions', {
        json: { problemId: id, compilerId: PYTHON, source: 'print(1)', ...json },
      });
    assertError(
      await t.post('/submissions', { json: { compilerId: PYTHON, source: 'x' } }),
      400,
      200204,
    );
    assertError(await post({ problemId: 999999 }), 400, 200201);
    assertError(await post({ problemId: 'NOSUCH' }), 400, 200201);
    assertError(await post({ compilerId: undefined }), 400, 201104);
    assertError(await post({ compilerId: 99999 }), 400, 201101);
    assertError(await post({ compilerVersionId: 99 }), 400, 201201);
    assertError(await post({ source: undefined }), 400, 201304);
    assertError(await post({ source: 'x'.repeat(300 * 1024) }), 400, 201306);
    assertError(await post({ tests: 'one' }), 400, 205205);
    assertError(await post({ tests: '0,7' }), 400, 205206);
    assertError(await post({ tests: '' }), 400, 205209);
    assertError(await post({ files: { '../escape.py': 'x' } }), 400, 1003);
  });

  it('refuses bad ids of GET /submissions with the spec codes', async () => {
    assertError(await t.get('/submissions'), 400, 205104);
    assertError(await t.get('/submissions?ids=1,a'), 400, 205105);
    const many = Array.from({ length: 21 }, (_, i) => i + 1).join(',');
    assertError(await t.get(`/submissions?ids=${many}`), 400, 205106);
    assertError(await t.get('/submissions/999999'), 404, 1001);
    assertError(await t.get('/submissions/999999/source'), 404, 1001);
  });

  it('judges a submission made by problem code; lists it; serves its streams', async () => {
    await t.problem({ code: 'ECHO' }, [
      ['hello\n', 'hello\n'],
      ['world\n', 'world\n'],
    ]);
    const source = 'import sys\nprint(input())\nprint("note", file=sys.stderr)';
    const created = await t.post('/submissions', {
      form: { problemId: 'ECHO', compilerId: String(PYTHON), source },
    });
    assert.equal(created.status, 201);
    const id = created.json.id as number;
    const s = await t.final(id);
    assert.equal(s.executing, false);
    assert.deepEqual(s.result.status, { code: 15, name: 'accepted' });
    assert.equal(s.result.score, 100);
    assert.equal(s.problem.code, 'ECHO');
    assert.equal(s.compiler.id, PYTHON);
    assert.match(s.date, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+00:00$/);
    assert.equal(s.result.testcases.length, 2);
    assert.deepEqual(Object.keys(s.result.testcases[0]!).sort(), [
      'memory',
      'number',
      'score',
      'signal',
      'signal_desc',
      'status',
      'time',
    ]);
    assert.equal(s.result.streams.source?.size, Buffer.byteLength(source));
    assert.equal(await t.stream(id, 'source'), source);
    // All passed: output and error of the last test case.
    assert.equal(await t.stream(id, 'output'), 'world\n');
    assert.equal(await t.stream(id, 'error'), 'note\n');
    assert.equal(s.result.streams.cmpinfo, null);
    assertError(await t.get(`/submissions/${id}/cmpinfo`), 404, 1101);
    assertError(await t.get(`/submissions/${id}/stdout`), 404, 1101);
    const list = await t.get(`/submissions?ids=${id},999999,${id}`);
    assert.equal(list.status, 200);
    assert.equal(list.json.items.length, 1);
    assert.equal(list.json.items[0].id, id);
    assert.equal(list.json.items[0].result.testcases.length, 2);
    assert.match(list.json.items[0].uri, new RegExp(`/submissions/${id}\\?access_token=`));
    assert.equal(list.json.items[0].result.streams, undefined);
    // A deleted problem leaves its submissions readable.
    await t.del('/problems/ECHO');
    const again = await t.get(`/submissions/${id}`);
    assert.equal(again.json.problem.code, 'ECHO');
  });
});

describe('widgets', () => {
  it('creates a widget: a hash and a shared secret', async () => {
    const id = await t.problem({}, []);
    const r = await t.post('/widgets', {
      json: {
        name: 'my widget',
        problem_id: id,
        default_language: PYTHON,
        languages: [PYTHON],
        grade_mode: 'manual',
        date_from: '2025-01-01 10:00:00 +00:00',
        max_submissions: 5,
        display_output: true,
        default_tab: 'solve',
      },
    });
    assert.equal(r.status, 201);
    assert.match(r.json.hash, /^[A-Za-z0-9]{10}$/);
    assert.match(r.json.shared_secret, /^[0-9a-f]{32}$/);
    const form = await t.post('/widgets', {
      form: { name: 'w2', problem_id: 'SUMTWO', default_language: String(PYTHON) },
    });
    assert.equal(form.status, 201);
    assert.notEqual(form.json.hash, r.json.hash);
  });

  it('refuses bad widgets with the spec codes', async () => {
    const post = (json: Record<string, unknown>) =>
      t.post('/widgets', {
        json: { name: 'w', problem_id: 'SUMTWO', default_language: PYTHON, ...json },
      });
    assertError(await post({ name: undefined }), 400, 2012004);
    assertError(await post({ name: ' ' }), 400, 2012009);
    assertError(await post({ name: 42 }), 400, 2012005);
    assertError(await post({ name: 'w'.repeat(200) }), 400, 2012006);
    assertError(await post({ problem_id: undefined }), 400, 200204);
    assertError(await post({ problem_id: 999999 }), 400, 200201);
    assertError(await post({ default_language: undefined }), 400, 2012409);
    assertError(await post({ default_language: 'python' }), 400, 2012405);
    assertError(await post({ default_language: 99999 }), 400, 2012408);
    assertError(await post({ grade_mode: 'strict' }), 400, 1003);
    assertError(await post({ default_tab: 'nowhere' }), 400, 1003);
  });
});
