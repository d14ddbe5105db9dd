// `se-widgets engine`: options, the generated token printed once, a clean stop on SIGTERM.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';

describe('se-widgets engine', () => {
  it('documents its options in --help', async () => {
    const p = runCli(['engine', '--help']);
    assert.equal((await p.exited).code, 0);
    for (const opt of [
      '--port',
      '--host',
      '--data-dir',
      '--workers',
      '--queue-size',
      '--webhook-url',
      '--webhook-secret',
      '--unsafe-no-sandbox',
      '--workspaces',
      '--workspace-disk',
      '--workspace-memory',
      '--workspace-lifetime',
      'SE_ENGINE_ACCESS_TOKEN',
    ]) {
      assert.ok(p.stdout().includes(opt), opt);
    }
  });

  it('refuses bad options with exit code 2', async () => {
    for (const args of [
      ['--workers', '0'],
      ['--queue-size', 'many'],
      ['--webhook-url', 'http://127.0.0.1:9/hook'],
      ['--webhook-url', 'not a url', '--webhook-secret', 's'],
      ['--workspaces', '0'],
      ['--workspace-disk', '1'],
      ['--workspace-memory', 'lots'],
    ]) {
      const p = runCli(['engine', ...args], { SE_ENGINE_WEBHOOK_SECRET: '' });
      assert.equal((await p.exited).code, 2, `${args.join(' ')}: ${p.stderr()}`);
    }
  });

  it('prints a generated token once, serves with it, and stops cleanly on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'se-engine-cli-'));
    try {
      const p = runCli(['engine', '--port', '0', '--data-dir', dir, '--workers', '1'], {
        SE_ENGINE_ACCESS_TOKEN: '',
      });
      const [, token] = await p.waitFor(/generated access token[^:]*: (\S+)\n/, 60_000);
      const [, url] = await p.waitFor(/serving on (http:\/\/\S+)\n/);
      assert.equal(p.stdout().split(token!).length, 2, 'the token is printed once');
      const ok = await fetch(`${url}/test?access_token=${token}`);
      assert.equal(ok.status, 200);
      const no = await fetch(`${url}/test?access_token=other`);
      assert.equal(no.status, 401);
      p.child.kill('SIGTERM');
      const { code, signal } = await p.exited;
      assert.equal(signal, null);
      assert.equal(code, 0);
      assert.match(p.stdout(), /stopped\n$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('holds at most --workspaces workspaces running (SE_ENGINE_WORKSPACES the same)', async () => {
    for (const [args, env] of [
      [['--workspaces', '1'], {}],
      [[], { SE_ENGINE_WORKSPACES: '1' }],
    ] as Array<[string[], Record<string, string>]>) {
      const dir = await mkdtemp(join(tmpdir(), 'se-engine-cli-'));
      const p = runCli(['engine', '--port', '0', '--data-dir', dir, '--workers', '1', ...args], {
        SE_ENGINE_ACCESS_TOKEN: 'cli-token',
        ...env,
      });
      try {
        const [, url] = await p.waitFor(/serving on (http:\/\/\S+)\n/, 60_000);
        const api = `${url!.replace(/\/compilers\/api\/v4$/, '')}/containers/api/v1`;
        const projects = (await (await fetch(`${api}/projects?access_token=cli-token`)).json()) as {
          items: Array<{ id: string }>;
        };
        const create = () =>
          fetch(`${api}/workspaces?access_token=cli-token`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ project_id: projects.items[0].id }),
          });
        assert.equal((await create()).status, 201);
        const second = await create();
        assert.equal(second.status, 409, args.join(' ') || JSON.stringify(env));
        assert.equal(((await second.json()) as { error_code: number }).error_code, 200611);
      } finally {
        p.child.kill('SIGTERM');
        await p.exited;
        await rm(dir, { recursive: true, force: true });
      }
    }
  });
});
