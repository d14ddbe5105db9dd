// The seeded demo projects end to end, in the real sandbox over real HTTP: a right solution gives
// 15 with a full tests report, the template (a wrong one) 14 naming the failing tests, a build
// error 11, an infinite loop 13.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startContainersEngine, tarGz, type ContainersEngine } from './helpers.js';

const SOLUTIONS = fileURLToPath(new URL('../../fixtures/projects/', import.meta.url));

let t: ContainersEngine;
before(async () => {
  t = await startContainersEngine();
});
after(() => t.close());

function solution(name: string): Record<string, string> {
  const dir = join(SOLUTIONS, name, 'solution');
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

async function report(id: number): Promise<Array<{ name: string; status: string }>> {
  const text = await t.stream(id, 'tests_report');
  return text ? JSON.parse(text) : [];
}

for (const name of ['PYTHON-UNITTEST', 'C-MAKE', 'NODE-TEST']) {
  describe(name, () => {
    it('a right solution passes every test (15) with the tests report', async () => {
      const s = await t.runFiles(name, 'test', solution(name));
      assert.equal(s.result.status.code, 15, await t.stream(s.id, 'debug_log'));
      const r = await report(s.id);
      assert.ok(r.length >= 3, JSON.stringify(r));
      assert.ok(r.every((e) => e.status === 'ok'));
      assert.equal(s.result.score, 100);
    });

    it('the template (a wrong solution) fails (14), naming the failing tests', async () => {
      const s = await t.runFiles(name, 'test', {});
      assert.equal(s.result.status.code, 14, await t.stream(s.id, 'debug_log'));
      const failing = (await report(s.id)).filter((e) => e.status !== 'ok');
      assert.ok(failing.length > 0);
      for (const e of failing)
        assert.match(
          s.stages!.test.status_changed_to!.desc!,
          new RegExp(e.name.replace(/[()[\]?*+.]/g, '.').slice(0, 30)),
        );
    });

    it('the run scenario runs the template', async () => {
      const s = await t.runFiles(name, 'run', {});
      assert.equal(s.result.status.code, 15, await t.stream(s.id, 'stage_run_error'));
      assert.notEqual(await t.stream(s.id, 'stage_run_output'), '');
    });
  });
}

describe('demo failures', () => {
  it('a C build error is 11 with the compiler message', async () => {
    const s = await t.runFiles('C-MAKE', 'test', { 'main.c': 'int main(void) { return x; }\n' });
    assert.equal(s.result.status.code, 11);
    assert.match(await t.stream(s.id, 'stage_build_error'), /x.*undeclared/);
    assert.equal(s.stages!.test.skipped, true);
  });

  it('an infinite loop is 13 at the run stage timeout', async () => {
    const p = (await t.get('/projects?limit=20')).json.items.find(
      (x: { name: string }) => x.name === 'PYTHON-UNITTEST',
    );
    const config = JSON.parse(p.config.project_config);
    config.scenarios.run.stages.run.timeout = 1;
    const r = await t.multipart('POST', '/submissions', {
      project_id: p.id,
      scenario: 'run',
      project_config: JSON.stringify(config),
      source: { file: tarGz({ workspace: { 'main.py': 'while True:\n    pass\n' } }) },
    });
    assert.equal(r.status, 201, r.text);
    const s = await t.final(r.json.id);
    assert.equal(s.result.status.code, 13);
    assert.equal(s.stages!.run.status_changed_to!.code, 13);
  });
});
