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
});
