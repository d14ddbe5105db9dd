// The backend relays the embedded engine's stop reason (`result.reason`) to widgets, end to end:
// real backend, real engine, real sandbox.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAll, type StartedAll } from '../../src/cli/serve.js';
import { readEvents } from './helpers.js';

const PYTHON = 116;

describe('stop reasons through the backend', () => {
  let all: StartedAll;
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'se-relay-reason-'));
    all = await startAll({
      sessionSecret: 'reason-test-session-secret-0123456789',
      engine: { dataDir, accessToken: 'reason-engine-token-0123456789', workers: 2 },
      log: () => undefined,
    });
  });
  after(async () => {
    await all?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('relays the output cap as result.reason', async () => {
    const post = (path: string, body: unknown, token?: string) =>
      fetch(all.url + path, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    const s = await post('/v1/sessions', { widget: 'run-demo' });
    assert.equal(s.status, 201);
    const { token } = (await s.json()) as { token: string };
    const created = await post(
      '/v1/runs',
      { compilerId: PYTHON, source: 'import sys\nwhile True: sys.stdout.write("x" * 65536)' },
      token,
    );
    assert.equal(created.status, 201, await created.clone().text());
    const { id } = (await created.json()) as { id: string };
    const { events } = await readEvents(`${all.url}/v1/runs/${id}/events`, token);
    const result = events.at(-1)!.data;
    assert.equal(result.result.status.code, 12);
    assert.deepEqual(result.result.reason, { kind: 'output_cap', limit: 1024 * 1024 });
  });
});
