// Scenario submissions over real HTTP: the stages in the real sandbox, the status each decides,
// the streams, the listing, and every refusal of POST /submissions.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { ContainersSubmission } from '../../../src/shared/containers.js';
import { statusName } from '../../../src/shared/status.js';
import { useFixtureEngine, tarGz, type ContainersEngine } from './helpers.js';

let t: ContainersEngine;
let project: string;
useFixtureEngine((e, p) => {
  t = e;
  project = p;
});

const run = (scenario: string, files: Record<string, string> = {}) =>
  t.runFiles('FIXTURE', scenario, { 'notes.txt': 'learner files\n', ...files });

const changed = (s: ContainersSubmission) =>
  Object.entries(s.stages ?? {})
    .filter(([, x]) => x.status_changed_to)
    .map(([k, x]) => `${k}:${x.status_changed_to!.code}`);

describe('scenario statuses', () => {
  it('ok (15) with every field and stream of the quickstart', async () => {
    const s = await run('run', { 'answer.txt': '42\n' });
    assert.equal(s.executing, false);
    assert.deepEqual(s.result.status, { code: 15, name: statusName(15) });
    assert.equal(s.scenario, 'run');
    assert.equal(s.project.name, 'FIXTURE');
    assert.equal(typeof s.result.time, 'number');
    assert.equal(typeof s.result.memory, 'number');
    assert.equal(s.result.signal, 0);
    assert.match(s.date, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000$/);
    assert.equal(JSON.parse(s.config).version, 2.1);
    for (const stage of ['init', 'build', 'run', 'test', 'post'] as const)
      assert.ok(s.stages?.[stage], stage);
    assert.equal(s.stages!.run.skipped, false);
    assert.equal(s.stages!.run.exit_code, 0);
    assert.equal(s.stages!.run.signal, null);
    assert.equal(s.stages!.build.skipped, true);
    assert.equal(s.stages!.build.exit_code, null);
    assert.equal(await t.stream(s.id, 'stage_run_output'), 'hello from run\n42\n');
    assert.equal(s.streams.stage_run_output?.size, 'hello from run\n42\n'.length);
    assert.match(
      s.streams.stage_run_output!.uri,
      new RegExp(`/submissions/${s.id}/stage_run_output$`),
    );
    assert.equal(s.streams.stage_build_output, null);
    assert.ok(s.streams.source && s.streams.source.size > 0);
    const src = await fetch(
      `${t.api}/submissions/${s.id}/source?access_token=${t.engine.accessToken}`,
    );
    assert.equal(src.headers.get('content-type'), 'application/gzip');
  });

  it('a passing test stage gives 15 with the tests report; a failing one 14 naming the test', async () => {
    const ok = await run('tests', { 'answer.txt': '42' });
    assert.equal(ok.result.status.code, 15, await t.stream(ok.id, 'debug_log'));
    const report = JSON.parse(await t.stream(ok.id, 'tests_report'));
    assert.deepEqual(
      report.map((e: { name: string; status: string }) => [e.name, e.status]),
      [
        ['answer', 'ok'],
        ['exists', 'ok'],
      ],
    );
    assert.equal(ok.result.score, 100);
    assert.equal(await t.stream(ok.id, 'stage_build_output'), 'building\n');
    assert.equal(await t.stream(ok.id, 'stage_build_error'), 'warn\n');
    assert.equal(await t.stream(ok.id, 'stage_post_output'), 'post ran\n');
    const bad = await run('tests', { 'answer.txt': '41' });
    assert.equal(bad.result.status.code, 14);
    assert.deepEqual(changed(bad), ['test:14']);
    assert.match(bad.stages!.test.status_changed_to!.desc!, /answer/);
    assert.equal(bad.result.score, 50);
  });

  it('build error 11 skips run and test but runs post', async () => {
    const s = await run('build_fail');
    assert.equal(s.result.status.code, 11);
    assert.deepEqual(changed(s), ['build:11']);
    assert.equal(s.stages!.build.exit_code, 3);
    assert.equal(s.stages!.run.skipped, true);
    assert.equal(s.stages!.post.skipped, false);
    assert.equal(await t.stream(s.id, 'stage_build_error'), 'broken\n');
    assert.equal(await t.stream(s.id, 'stage_run_output'), '');
  });

  it('init failure 22, time limit 13, runtime error 12', async () => {
    const init = await run('init_fail');
    assert.equal(init.result.status.code, 22);
    assert.deepEqual(changed(init), ['init:22']);
    const loop = await run('loop');
    assert.equal(loop.result.status.code, 13);
    assert.deepEqual(changed(loop), ['run:13']);
    const crash = await run('crash');
    assert.equal(crash.result.status.code, 12);
    assert.equal(crash.stages!.run.exit_code, 7);
    assert.equal(await t.stream(crash.id, 'stage_run_output'), 'out\n');
  });

  it('a malformed report or a failing test stage without one is 22; post never changes the status', async () => {
    const broken = await run('broken_report');
    assert.equal(broken.result.status.code, 22);
    assert.match(await t.stream(broken.id, 'debug_log'), /malformed tests report/);
    const none = await run('no_report_fail');
    assert.equal(none.result.status.code, 22);
    const post = await run('post_fails');
    assert.equal(post.result.status.code, 15);
    assert.equal(post.stages!.post.exit_code, 9);
  });

  it('packs auxdata without following symlinks; redirect_streams_to none keeps no output', async () => {
    const s = await run('aux');
    assert.equal(s.result.status.code, 15);
    const res = await fetch(
      `${t.api}/submissions/${s.id}/auxdata?access_token=${t.engine.accessToken}`,
    );
    const listing = execFileSync('tar', ['-tvzf', '-'], {
      input: Buffer.from(await res.arrayBuffer()),
    }).toString();
    assert.match(listing, /out\/a\.txt/);
    assert.match(listing, /out\/link -> \/etc\/passwd/);
    assert.doesNotMatch(listing, /root:x:0/);
    const q = await run('quiet');
    assert.equal(q.streams.stage_run_output, null);
  });
});

describe('POST /submissions refusals and GET /submissions', () => {
  it('refuses each bad archive, scenario and project with a clear message', async () => {
    const post = (parts: Record<string, string | { file: Buffer }>) =>
      t.multipart('POST', '/submissions', parts);
    const cases: Array<[Buffer, RegExp]> = [
      [tarGz({ src: { 'a.c': 'x' } }), /single folder workspace\//],
      [tarGz({ workspace: { l: { link: '/etc/shadow' } } }), /link/],
      [tarGz({ workspace: { a: 'x' } }, ['--transform', 's,^\\./workspace/a,../../a,']), /\.\./],
      [
        tarGz({ workspace: { a: 'x' } }, ['-P', '--transform', 's,^\\./workspace/a,/tmp/a,']),
        /absolute|single folder/,
      ],
      [Buffer.from('not a tar.gz'), /tar\.gz|gzip/],
      [tarGz({}), /single folder workspace\/.*empty/],
    ];
    for (const [file, why] of cases) {
      const r = await post({ project_id: project, scenario: 'run', source: { file } });
      assert.equal(r.status, 400, r.text);
      assert.ok([10, 1003].includes(r.json.error_code), r.text);
      assert.match(r.json.message, why);
    }
    const src = { file: tarGz({ workspace: { a: 'x' } }) };
    const noScenario = await post({ project_id: project, scenario: 'nope', source: src });
    assert.equal(noScenario.json.error_code, 1003);
    assert.match(noScenario.json.message, /no scenario 'nope'.*run/);
    assert.equal(
      (await post({ project_id: 'nope', scenario: 'run', source: src })).json.error_code,
      1003,
    );
    assert.equal((await post({ project_id: project, source: src })).json.error_code, 10);
    assert.equal((await post({ project_id: project, scenario: 'run' })).json.error_code, 10);
    const network = JSON.stringify({
      version: 2.1,
      scenarios: { run: { network: true, stages: {} } },
    });
    const n = await post({
      project_id: project,
      scenario: 'run',
      source: src,
      project_config: network,
    });
    assert.equal(n.json.error_code, 10);
    assert.match(n.json.message, /network/);
  });

  it('takes the three body formats (JSON and form carry the tar.gz as base64)', async () => {
    const source = tarGz({ workspace: { 'answer.txt': '42' } }).toString('base64');
    const j = await t.post('/submissions', {
      json: { project_id: project, scenario: 'run', source },
    });
    assert.equal(j.status, 201, j.text);
    assert.equal(j.json.message, 'Submission has been created');
    const f = await t.post('/submissions', {
      form: { project_id: project, scenario: 'run', source },
    });
    assert.equal(f.status, 201, f.text);
    for (const id of [j.json.id, f.json.id]) {
      const s = await t.final(id);
      assert.equal(s.result.status.code, 15);
      assert.equal(await t.stream(id, 'stage_run_output'), 'hello from run\n42');
    }
  });

  it('lists by ids and by page; refuses bad ids and streams', async () => {
    const a = await run('run');
    const b = await run('crash');
    const r = await t.get(`/submissions?ids=${a.id},${b.id},999999`);
    assert.deepEqual(
      r.json.items.map((x: { id: number }) => x.id),
      [a.id, b.id],
    );
    assert.match(r.json.items[0].uri, new RegExp(`/submissions/${a.id}$`));
    const page = await t.get('/submissions?limit=1');
    assert.equal(page.json.items.length, 1);
    assert.equal(page.json.paging.next_page_token, 'MQ==');
    const ids = Array.from({ length: 21 }, (_, i) => i + 1).join(',');
    assert.equal((await t.get(`/submissions?ids=${ids}`)).json.error_code, 205106);
    assert.equal((await t.get('/submissions?ids=1,x')).json.error_code, 205105);
    err(await t.get(`/submissions/${a.id}/nope`), 400, 1105);
    err(await t.get(`/submissions/${a.id}/stage_test_output`), 404, 1101);
    err(await t.get('/submissions/99999999'), 404, 1001);
    err(await t.get('/submissions/99999999/source'), 404, 1001);
  });
});

function err(r: { status: number; json: { error_code?: number } }, status: number, code: number) {
  assert.equal(r.status, status, JSON.stringify(r.json));
  assert.equal(r.json.error_code, code, JSON.stringify(r.json));
}
