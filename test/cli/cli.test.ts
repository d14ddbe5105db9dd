import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnCollect } from '../helpers/process.js';

const cli = fileURLToPath(new URL('../../bin/se-widgets.js', import.meta.url));

describe('se-widgets command', () => {
  it('lists its commands with --help', async () => {
    const p = spawnCollect(process.execPath, [cli, '--help']);
    const { code } = await p.exited;
    assert.equal(code, 0);
    assert.match(p.stdout(), /Usage: se-widgets <command>/);
    assert.match(p.stdout(), /^\s+serve\s/m);
  });

  it('refuses an unknown command with a clear error and exit code 2', async () => {
    const p = spawnCollect(process.execPath, [cli, 'frobnicate']);
    const { code } = await p.exited;
    assert.equal(code, 2);
    assert.match(p.stderr(), /unknown command 'frobnicate'/);
  });

  it('refuses an unknown option of a command', async () => {
    const p = spawnCollect(process.execPath, [cli, 'serve', '--frob']);
    const { code } = await p.exited;
    assert.equal(code, 2);
    assert.match(p.stderr(), /Unknown option '--frob'/);
  });

  it('refuses a malformed port', async () => {
    const p = spawnCollect(process.execPath, [cli, 'serve', '--port', 'eighty']);
    const { code } = await p.exited;
    assert.equal(code, 2);
    assert.match(p.stderr(), /--port must be a whole number/);
  });

  it('starts serve, answers on its port, and stops cleanly on SIGTERM', async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'se-cli-'));
    const p = spawnCollect(process.execPath, [cli, 'serve', '--port', '0'], {
      SE_ENGINE_DATA_DIR: dataDir,
    });
    t.after(async () => {
      p.child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    });
    const [, url] = await p.waitFor(/serving on (http:\/\/\S+?)\/?\n/);
    const page = await fetch(url + '/');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<se-solve/);
    const bundle = await fetch(url + '/dist/cdn/se-widgets.js');
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
    const escape = await fetch(url + '/dist/..%2f..%2fpackage.json');
    assert.equal(escape.status, 404);
    p.child.kill('SIGTERM');
    const { code, signal } = await p.exited;
    assert.equal(signal, null);
    assert.equal(code, 0);
    assert.match(p.stdout(), /stopped/);
  });
});
