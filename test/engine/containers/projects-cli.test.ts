// `se-widgets projects import|export` on a real data folder: idempotent by name, an export that
// imports back unchanged, and refusals that name the file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../helpers/cli.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/containers/FIXTURE', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'se-projects-cli-'));
const dataDir = join(root, 'data');
after(() => rmSync(root, { recursive: true, force: true }));

async function cli(...args: string[]) {
  const p = runCli(['projects', ...args, '--data-dir', dataDir]);
  const { code } = await p.exited;
  return { code, out: p.stdout(), err: p.stderr() };
}

describe('se-widgets projects', () => {
  it('imports, reports an unchanged folder, exports a folder that imports back unchanged', async () => {
    const first = await cli('import', FIXTURE);
    assert.equal(first.code, 0, first.err);
    const id = /^FIXTURE \(id ([0-9a-f]{32})\): imported$/m.exec(first.out)?.[1];
    assert.ok(id, first.out);
    assert.match(
      (await cli('import', FIXTURE)).out,
      new RegExp(`FIXTURE \\(id ${id}\\): unchanged`),
    );
    const copy = join(root, 'copy');
    const exported = await cli('export', 'FIXTURE', copy);
    assert.equal(exported.code, 0, exported.err);
    execFileSync('diff', ['-r', join(FIXTURE, 'workspace'), join(copy, 'workspace')]);
    execFileSync('diff', ['-r', join(FIXTURE, 'tests'), join(copy, 'tests')]);
    execFileSync('diff', ['-r', join(FIXTURE, 'env'), join(copy, 'env')]);
    assert.match((await cli('import', copy)).out, new RegExp(`FIXTURE \\(id ${id}\\): unchanged`));
    writeFileSync(join(copy, 'workspace', 'new.txt'), 'new\n');
    assert.match((await cli('import', copy)).out, new RegExp(`FIXTURE \\(id ${id}\\): updated`));
    const again = await cli('export', id!, copy);
    assert.equal(again.code, 1);
    assert.match(again.err, /not empty/);
  });

  it('refuses a folder with a symlink, services or no project.json, naming what is wrong', async () => {
    const bad = join(root, 'BAD');
    mkdirSync(join(bad, 'workspace'), { recursive: true });
    writeFileSync(
      join(bad, 'project.json'),
      JSON.stringify({ name: 'BAD', config: { version: 2.1, scenarios: { run: { stages: {} } } } }),
    );
    symlinkSync('/etc/passwd', join(bad, 'workspace', 'link'));
    const link = await cli('import', bad);
    assert.equal(link.code, 1);
    assert.match(link.err, /workspace\/link: symlinks are not allowed/);
    rmSync(join(bad, 'workspace', 'link'));
    writeFileSync(
      join(bad, 'project.json'),
      JSON.stringify({
        name: 'BAD',
        config: { version: 2.1, scenarios: { run: { services: ['mysql'] } } },
      }),
    );
    const services = await cli('import', bad);
    assert.equal(services.code, 1);
    assert.match(services.err, /project\.json: config\.scenarios\.run\.services/);
    const none = await cli('import', join(root, 'nothing-here'));
    assert.equal(none.code, 1);
  });
});
