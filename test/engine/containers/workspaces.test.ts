// Workspaces beyond the API's shape: workspace_init and its streams, the disk cap, the signed
// webhook of a scenario run, and twenty workspaces running scenarios at once.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { verifyWebhook } from '../../../src/engine/webhooks.js';
import { webhookReceiver } from '../helpers.js';
import { b64, engineWithFixture, type ContainersEngine } from './helpers.js';

const SECRET = 'containers-hook';
let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
let t: ContainersEngine;
let project: string;

before(async () => {
  receiver = await webhookReceiver();
  t = await engineWithFixture({
    webhook: { url: receiver.url, secret: SECRET },
    containers: { slots: 22, diskBytes: 32 * 1024 * 1024 },
  });
  project = await t.projectId('FIXTURE');
});
after(async () => {
  await t.close();
  await receiver.close();
});

describe('workspace_init', () => {
  it('runs in the new workspace; its output and a failure are reported', async () => {
    const ok = await t.workspace({
      project_id: project,
      workspace_init: 'echo prepared > prepared.txt; echo init out; echo init err >&2',
    });
    assert.equal(
      (await t.get(`/workspaces/${ok.id}/files/${b64('prepared.txt')}`)).text,
      'prepared\n',
    );
    const w = (await t.get(`/workspaces/${ok.id}`)).json;
    assert.equal(w.workspace_init_failed, false);
    assert.equal(w.streams.workspace_init_output.size, 'init out\n'.length);
    const out = await fetch(
      `${w.streams.workspace_init_output.uri}?access_token=${t.engine.accessToken}`,
    );
    assert.equal(await out.text(), 'init out\n');
    const bad = await t.workspace({ project_id: project, workspace_init: 'exit 4' });
    assert.equal((await t.get(`/workspaces/${bad.id}`)).json.workspace_init_failed, true);
    for (const id of [ok.id, bad.id]) await t.put(`/workspaces/${id}/remove`, { json: {} });
  });
});

describe('the disk cap', () => {
  it('refuses writes past the workspace cap, with a clear message, and keeps the workspace', async () => {
    const w = await t.workspace({ project_id: project });
    const mib = Buffer.alloc(10 * 1024 * 1024, 7);
    const codes: number[] = [];
    let message = '';
    // as root the cap is an ext4 image (its own overhead: the third 10 MiB may not fit); not root,
    // the files are measured before each upload (the fourth is over 32 MiB)
    for (let i = 0; i < 4 && !message; i++) {
      const r = await t.multipart('POST', `/workspaces/${w.id}/files`, {
        filepath: `big${i}.bin`,
        filedata: { file: mib },
      });
      codes.push(r.status);
      if (r.status !== 200) message = r.json.message;
    }
    assert.deepEqual(codes.slice(0, 2), [200, 200]);
    assert.equal(codes.at(-1), 400, codes.join(' '));
    assert.match(message, /disk cap of 32 MiB/);
    assert.equal(
      (await t.get(`/workspaces/${w.id}/files/${b64('README.md')}`)).text,
      '# Fixture\n',
    );
    // a stage cannot fill a workspace past its cap either
    const fresh = await t.workspace({ project_id: project });
    await t.post(`/workspaces/${fresh.id}/files`, {
      json: {
        filepath: 'probe.sh',
        filedata: 'dd if=/dev/zero of=fill bs=1M count=100 2>/dev/null; du -sk fill',
      },
    });
    const r = await t.post(`/workspaces/${fresh.id}/scenarios`, { json: { scenario: 'probe' } });
    const s = await t.final(r.json.id);
    const kb = Number((await t.stream(s.id, 'stage_run_output')).trim().split(/\s/)[0]);
    assert.ok(kb > 0 && kb <= 32 * 1024, `the stage wrote ${kb} KiB into a 32 MiB workspace`);
    await t.put(`/workspaces/${fresh.id}/remove`, { json: {} });
    await t.put(`/workspaces/${w.id}/remove`, { json: {} });
  });
});

describe('the source of a scenario run', () => {
  const source = async (id: number) => {
    const r = await fetch(
      `${t.engine.url}/containers/api/v1/submissions/${id}/source?access_token=${t.engine.accessToken}`,
    );
    assert.equal(r.status, 200);
    return Buffer.from(await r.arrayBuffer());
  };
  const tar = (flags: string, tgz: Buffer) =>
    execFileSync('tar', [flags, '-z', '-f', '-'], { input: tgz }).toString();

  it("is the files its first stage finds: what a stage makes is in the next run's source", async () => {
    const w = await t.workspace({ project_id: project });
    await t.post(`/workspaces/${w.id}/files`, { json: { filepath: 'answer.txt', filedata: '42' } });
    const run = async () => {
      const r = await t.post(`/workspaces/${w.id}/scenarios`, { json: { scenario: 'aux' } });
      const s = await t.final(r.json.id);
      assert.equal(s.result.status.code, 15);
      return source(s.id);
    };
    const first = tar('-t', await run()).split('\n');
    assert.ok(first.includes('workspace/answer.txt'), first.join(' '));
    assert.ok(!first.some((n) => n.startsWith('workspace/build')), first.join(' '));
    const second = await run();
    assert.ok(tar('-t', second).split('\n').includes('workspace/build/a.txt'));
    // the link the first run made is stored as a link, never followed
    assert.match(tar('-tv', second), /^l.* workspace\/build\/link -> \/etc\/passwd$/m);
    await t.put(`/workspaces/${w.id}/remove`, { json: {} });
  });
});

describe('webhooks and load', () => {
  it('twenty workspaces run scenarios at once; all finish, each result reaches the webhook', async () => {
    const ids = await Promise.all(
      Array.from({ length: 20 }, () => t.workspace({ project_id: project }).then((w) => w.id)),
    );
    const runs = await Promise.all(
      ids.map(async (id, i) => {
        await t.post(`/workspaces/${id}/files`, {
          json: { filepath: 'answer.txt', filedata: i % 2 ? '42' : '41' },
        });
        const r = await t.post(`/workspaces/${id}/scenarios`, { json: { scenario: 'tests' } });
        assert.equal(r.status, 201, r.text);
        return r.json.id as number;
      }),
    );
    const results = await Promise.all(runs.map((id) => t.final(id, 240_000)));
    assert.deepEqual(
      results.map((s) => s.result.status.code),
      runs.map((_, i) => (i % 2 ? 15 : 14)),
    );
    for (const s of results) {
      let d: { body: string; signature: string | undefined } | undefined;
      for (let i = 0; i < 100 && !d; i++) {
        d = receiver.deliveries.find((x) => JSON.parse(x.body).submission?.id === s.id);
        if (!d) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(d, `submission ${s.id} reached the webhook`);
      assert.ok(verifyWebhook(d.body, SECRET, d.signature));
      const payload = JSON.parse(d.body);
      assert.equal(payload.module, 'containers');
      assert.equal(payload.submission.result.status.code, s.result.status.code);
      assert.equal(payload.submission.scenario, 'tests');
    }
    await Promise.all(ids.map((id) => t.put(`/workspaces/${id}/remove`, { json: {} })));
  });
});
