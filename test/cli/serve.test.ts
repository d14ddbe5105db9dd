import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { SECRET, TOKENS } from '../server/helpers.js';
import { startStandin, type Standin } from '../server/standin.js';

describe('se-widgets serve', () => {
  let dir: string;
  let standin: Standin;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'se-serve-'));
    standin = await startStandin({ tokens: TOKENS });
  });
  after(async () => {
    await standin?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('relays to the hosted service given by SE_*_URL and SE_*_TOKEN, and stops on SIGTERM', async () => {
    const env: NodeJS.ProcessEnv = { SE_SESSION_SECRET: SECRET };
    for (const m of ['compilers', 'problems', 'containers'] as const) {
      env[`SE_${m.toUpperCase()}_URL`] = standin.endpoint(m).url;
      env[`SE_${m.toUpperCase()}_TOKEN`] = TOKENS[m];
    }
    const p = runCli(['serve', '--port', '0'], env);
    const [, url] = await p.waitFor(/serving on (http:\/\/\S+?)\/?\n/);
    const s = await fetch(`${url}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ widget: 'run-demo' }),
    });
    assert.equal(s.status, 201);
    const { token } = (await s.json()) as { token: string };
    const run = await fetch(`${url}/v1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ compilerId: 1, source: 'x' }),
    });
    assert.equal(run.status, 201);
    const h = (await (await fetch(`${url}/healthz`)).json()) as {
      upstream: { compilers: { embedded: boolean } };
    };
    assert.equal(h.upstream.compilers.embedded, false, 'no engine when every module is hosted');
    assert.ok(standin.requests.some((r) => r.method === 'POST' && r.authorized));
    p.child.kill('SIGTERM');
    const { code } = await p.exited;
    assert.equal(code, 0);
    assert.match(p.stdout(), /stopped/);
    const out = p.stdout() + p.stderr();
    for (const n of [...Object.values(TOKENS), 'access_token=', 'test-secret-one'])
      assert.ok(!out.includes(n), n);
  });

  it('starts the embedded engine for modules without a URL', async () => {
    const engineToken = 'serve-test-engine-token-9e8d7c6b';
    const p = runCli(['serve', '--port', '0'], {
      SE_ENGINE_DATA_DIR: join(dir, 'engine'),
      SE_ENGINE_ACCESS_TOKEN: engineToken,
      SE_SESSION_SECRET: '',
    });
    const [, url] = await p.waitFor(/serving on (http:\/\/\S+?)\/?\n/);
    const h = (await (await fetch(`${url}/healthz`)).json()) as {
      upstream: Record<string, { embedded: boolean; reachable: boolean }>;
      sandbox?: { ok: boolean };
    };
    assert.equal(h.upstream.compilers!.embedded, true);
    assert.equal(h.upstream.compilers!.reachable, true);
    assert.equal(typeof h.sandbox?.ok, 'boolean');
    p.child.kill('SIGTERM');
    const { code } = await p.exited;
    assert.equal(code, 0);
    assert.match(p.stderr(), /SE_SESSION_SECRET is not set/);
    assert.ok(!(p.stdout() + p.stderr()).includes(engineToken));
  });

  it('requires SE_SESSION_SECRET in production', async () => {
    const p = runCli(['serve', '--port', '0'], { NODE_ENV: 'production', SE_SESSION_SECRET: '' });
    const { code } = await p.exited;
    assert.equal(code, 1);
    assert.match(p.stderr(), /SE_SESSION_SECRET must be set when NODE_ENV=production/);
  });

  it('refuses a bad configuration with a clear message (exit 2), never echoing the file', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({ widgets: [{ id: 'w', mode: 'run', origins: ['https://x.org/path'] }] }),
    );
    const broken = join(dir, 'broken.json');
    await writeFile(
      broken,
      '{"upstream": {"compilers": {"token": "secret-in-config-123456"}} oops',
    );
    const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
      [
        ['serve', '--config', bad],
        {},
        /widget 'w': origins\[0\]: 'https:\/\/x.org\/path' is not an exact origin/,
      ],
      [
        ['serve', '--config', join(dir, 'missing.json')],
        {},
        /cannot read the configuration file .*ENOENT/,
      ],
      [['serve', '--config', broken], {}, /broken\.json is not valid JSON/],
      [
        ['serve'],
        { SE_COMPILERS_URL: 'http://127.0.0.1:1/api/v4' },
        /SE_COMPILERS_URL needs SE_COMPILERS_TOKEN/,
      ],
    ];
    await Promise.all(
      cases.map(async ([args, env, message]) => {
        const p = runCli(args, { SE_SESSION_SECRET: SECRET, ...env });
        const { code } = await p.exited;
        assert.equal(code, 2, `${args.join(' ')}: ${p.stderr()}`);
        assert.match(p.stderr(), message);
        assert.ok(!p.stderr().includes('secret-in-config'));
      }),
    );
  });
});
