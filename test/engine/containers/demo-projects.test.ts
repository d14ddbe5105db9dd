// The demo projects are real: each one's stages, run with bash as the stage runner runs them (the
// workspace as working folder, a clean environment, a fresh HOME, SE_TESTS_DIR and
// SE_TESTS_REPORT), fail the template's tests and pass with the right solution overlaid. No
// engine and no sandbox here: the end-to-end tests of the Containers module cover those.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readProjectFolder } from '../../../src/engine/containers/folder.js';
import { parseTestsReport } from '../../../src/engine/containers/reports.js';
import { DEMO_PROJECTS_DIR } from '../../../src/engine/containers/seed.js';
import type { StageName } from '../../../src/shared/containers.js';

const SOLUTIONS = new URL('../../fixtures/projects/', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'se-demo-projects-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let n = 0;
/** Runs scenario `scenario` of project `name` on a copy of its workspace (plus `overlay`). */
function runScenario(name: string, scenario: string, overlay: string | null) {
  const pkg = readProjectFolder(join(DEMO_PROJECTS_DIR, name));
  const s = pkg.config.scenarios[scenario];
  assert.ok(s, `${name} has a ${scenario} scenario`);
  const base = join(scratch, String(n++));
  const ws = join(base, 'workspace');
  cpSync(join(pkg.dir, 'workspace'), ws, { recursive: true });
  if (overlay) cpSync(overlay, ws, { recursive: true });
  const report = join(base, 'report');
  const stages: Partial<Record<StageName, { code: number | null; out: string; err: string }>> = {};
  for (const stage of ['init', 'build', 'run', 'test'] as StageName[]) {
    const { command, timeout, skip } = s.stages[stage];
    if (command === null || skip) continue;
    const home = mkdtempSync(join(base, 'home-'));
    const r = spawnSync('/bin/bash', ['--norc', '--noprofile', '-c', command], {
      cwd: ws,
      encoding: 'utf8',
      timeout: timeout * 1000,
      env: {
        PATH: '/opt/se/env/bin:/usr/local/bin:/usr/bin:/bin',
        LANG: 'C.UTF-8',
        HOME: home,
        SE_SCENARIO: scenario,
        SE_STAGE: stage,
        ...(stage === 'test'
          ? { SE_TESTS_DIR: join(pkg.dir, 'tests'), SE_TESTS_REPORT: report }
          : {}),
      },
    });
    stages[stage] = { code: r.status, out: r.stdout, err: r.stderr };
    if (r.status !== 0) break;
  }
  return { stages, report: existsSync(report) ? readFileSync(report) : null };
}

const demos = readdirSync(DEMO_PROJECTS_DIR).sort();

/** The test scenario's report (it ran, exited 0 and wrote at least three entries). */
function testReport(name: string, overlay: string | null) {
  const t = runScenario(name, 'test', overlay);
  const test = t.stages.test;
  assert.ok(test, `the test stage ran (${JSON.stringify(t.stages)})`);
  assert.equal(test.code, 0, test.err);
  const r = parseTestsReport(t.report!);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.ok(r.entries.length >= 3, r.json);
  return r;
}

describe('demo projects', () => {
  it('are the three of the issue', () => {
    assert.deepEqual(demos, ['C-MAKE', 'NODE-TEST', 'PYTHON-UNITTEST']);
  });

  for (const name of demos) {
    describe(name, () => {
      it('reads, with a default run scenario and a test scenario using hidden tests', () => {
        const pkg = readProjectFolder(join(DEMO_PROJECTS_DIR, name));
        assert.equal(pkg.name, name);
        assert.equal(pkg.hasTests, true);
        assert.deepEqual(Object.keys(pkg.config.scenarios).sort(), ['run', 'test']);
        assert.equal(pkg.config.scenarios.run!.default, true);
        assert.notEqual(pkg.config.scenarios.test!.stages.test.command, null);
        for (const p of pkg.requires) assert.ok(existsSync(p), `${p} exists`);
      });

      it('the template runs, and its tests report failures', () => {
        const run = runScenario(name, 'run', null);
        for (const [stage, r] of Object.entries(run.stages)) {
          assert.equal(r.code, 0, `${stage}: ${r.err}`);
        }
        const r = testReport(name, null);
        assert.ok(
          r.entries.some((e) => e.status !== 'ok'),
          `some test fails: ${r.json}`,
        );
        if (name === 'PYTHON-UNITTEST')
          for (const e of r.entries.filter((x) => x.status !== 'ok'))
            // the learner sees what was expected, never a line or the path of the hidden tests
            assert.doesNotMatch(JSON.stringify(e), /test_main\.py|self\.assert/, JSON.stringify(e));
      });

      it('with the solution overlaid, every test is ok', () => {
        const r = testReport(name, join(SOLUTIONS, name, 'solution'));
        assert.deepEqual(
          r.entries.filter((e) => e.status !== 'ok'),
          [],
        );
      });
    });
  }

  it('C-MAKE: a build error stops the test scenario at the build stage', () => {
    const broken = join(scratch, 'broken-c');
    cpSync(join(SOLUTIONS, 'C-MAKE', 'solution'), broken, { recursive: true });
    writeFileSync(join(broken, 'main.c'), 'int main(void) { return undeclared; }\n');
    const t = runScenario('C-MAKE', 'test', broken);
    assert.notEqual(t.stages.build?.code, 0);
    assert.equal(t.stages.test, undefined);
  });
});
