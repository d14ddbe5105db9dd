import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { defaultConfig, startServer, type RunningServer } from '../../src/server/index.js';
import { runCli } from '../helpers/cli.js';
import { spawnCollect } from '../helpers/process.js';
import {
  SECRET,
  startTestBackend,
  testConfig,
  withBackend,
  type TestBackend,
} from '../server/helpers.js';

const readme = fileURLToPath(new URL('../../README.md', import.meta.url));

describe('se-widgets token', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({
      port: 0,
      config: defaultConfig(),
      sessionSecret: SECRET,
      log: () => undefined,
    });
  });
  after(() => server.close());

  it('prints a token the backend accepts, alone on the last line', async () => {
    const p = runCli(['token', '--widget', 'run-demo', '--sub', 'user-42', '--ttl', '120'], {
      SE_SESSION_SECRET: SECRET,
    });
    const { code } = await p.exited;
    assert.equal(code, 0, p.stderr());
    const lines = p.stdout().trimEnd().split('\n');
    const token = lines.at(-1)!;
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.match(p.stderr(), /expires \d{4}-/);
    const claims = decodeJwt(token);
    assert.equal(claims.sub, 'user-42');
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 120);
    assert.deepEqual(claims.scope, { widget: 'run-demo', actions: ['run'] });
    assert.equal(decodeProtectedHeader(token).kid, 'k1');
    const r = await fetch(`${server.url}/v1/sessions/refresh`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(r.status, 200, await r.text());
  });

  it('refuses to run without SE_SESSION_SECRET, for an unknown widget, or with a long TTL', async () => {
    const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
      [
        ['token', '--widget', 'run-demo', '--sub', 'u'],
        { SE_SESSION_SECRET: '' },
        /SE_SESSION_SECRET is not set/,
      ],
      [
        ['token', '--widget', 'nope', '--sub', 'u'],
        { SE_SESSION_SECRET: SECRET },
        /no widget 'nope'.*run-demo/,
      ],
      [
        ['token', '--widget', 'run-demo', '--sub', 'u', '--ttl', '901'],
        { SE_SESSION_SECRET: SECRET },
        /--ttl must be between 1 and 900/,
      ],
      [['token', '--sub', 'u'], { SE_SESSION_SECRET: SECRET }, /--widget is required/],
    ];
    await Promise.all(
      cases.map(async ([args, env, message]) => {
        const p = runCli(args, env);
        const { code } = await p.exited;
        assert.equal(code, 2, args.join(' '));
        assert.match(p.stderr(), message);
        assert.equal(p.stdout(), '');
      }),
    );
  });
});

describe('the README recipe: a token minted with openssl in a shell script', () => {
  let t: TestBackend;
  let dir: string;
  before(async () => {
    t = await startTestBackend();
    dir = await mkdtemp(join(tmpdir(), 'se-recipe-'));
  });
  after(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is accepted by the backend', async () => {
    const text = await readFile(readme, 'utf8');
    const m = /<!-- token-recipe -->\s*```sh\n([\s\S]*?)```/.exec(text);
    assert.ok(m, 'the README holds the recipe');
    const script = join(dir, 'mint.sh');
    await writeFile(script, m[1]!);
    const [kid, secret] = SECRET.split(',')[1]!.split(':') as [string, string];
    const p = spawnCollect('sh', [script], {
      KID: kid,
      SECRET: secret,
      WIDGET: 'private',
      SUB: 'learner:17',
      TTL: '300',
    });
    const { code } = await p.exited;
    assert.equal(code, 0, p.stderr());
    const token = p.stdout().trim();
    assert.deepEqual(decodeProtectedHeader(token), {
      alg: 'HS256',
      typ: 'se-session+jwt',
      kid: 'k2',
    });
    const origin = 'https://school.example.com';
    const langs = await t.call('/v1/languages', { token, origin });
    assert.equal(langs.status, 200, langs.text);
    const run = await t.call('/v1/runs', {
      token,
      origin,
      body: { compilerId: 116, source: 'print(1)' },
    });
    assert.equal(run.status, 201, run.text);
    const refreshed = await t.call('/v1/sessions/refresh', { token, origin, method: 'POST' });
    assert.equal(refreshed.status, 200);
    assert.equal(decodeJwt(refreshed.json().token).sub, 'learner:17');
    // The same script with another secret is refused.
    const wrong = spawnCollect('sh', [script], {
      KID: kid,
      SECRET: 'x'.repeat(40),
      WIDGET: 'private',
      SUB: 'u',
    });
    await wrong.exited;
    const refused = await t.call('/v1/languages', { token: wrong.stdout().trim(), origin });
    assert.equal(refused.status, 401);
  });
});

describe('se-widgets token --sdk', () => {
  it("prints a placeholder's data-nonce and data-signature that POST /v1/sdk/sessions accepts", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'se-sdk-token-'));
    try {
      const config = join(dir, 'widgets.json');
      await writeFile(config, JSON.stringify(testConfig));
      const fields = { widget: 'private', id: 'ex-1', userId: 'learner-9', customData: 'c=1' };
      const p = runCli(
        [
          'token',
          '--sdk',
          '--config',
          config,
          '--widget',
          fields.widget,
          '--id',
          fields.id,
          '--user-id',
          fields.userId,
          '--custom-data',
          fields.customData,
        ],
        { SE_SESSION_SECRET: SECRET },
      );
      const { code } = await p.exited;
      assert.equal(code, 0, p.stderr());
      assert.match(p.stderr(), /expires \d{4}-/);
      const m = /^data-nonce="([^"]+)" data-signature="([^"]+)"$/.exec(
        p.stdout().trimEnd().split('\n').at(-1)!,
      );
      assert.ok(m, p.stdout());
      await withBackend({ standin: false }, async (t) => {
        const origin = 'https://school.example.com';
        const body = { ...fields, nonce: m[1], signature: m[2] };
        const ok = await t.call('/v1/sdk/sessions', { body, origin });
        assert.equal(ok.status, 201, ok.text);
        assert.equal(decodeJwt(ok.json().token).sub, 'sdk:learner-9');
        // the signature covers every field: another user id is refused
        const other = await t.call('/v1/sdk/sessions', {
          body: { ...body, userId: 'learner-10' },
          origin,
        });
        assert.equal(other.status, 401, other.text);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
