// The engine's memory stays bounded whatever a build leaves: measuring a box with 200 000 files
// (and a chain deeper than PATH_MAX) costs a few MB of heap, not a listing of every file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, it } from 'node:test';
import { boxSize } from '../../../src/engine/exec/files.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'se-boxsize-test-'));
  // 200 000 empty files in one folder, and a chain of folders deeper than PATH_MAX
  const r = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      'import os\nos.mkdir("many")\nfor i in range(200000): open(f"many/{i:07d}-padding-to-make-names-longer", "w").close()\n' +
        'd = "a" * 200\nfor i in range(30):\n    os.mkdir(d)\n    os.chdir(d)',
    ],
    { cwd: dir },
  );
  assert.equal(r.status, 0, String(r.stderr));
});
after(async () => {
  spawnSync('/usr/bin/rm', ['-rf', '--', dir]);
  await rm(dir, { recursive: true, force: true });
});

describe('boxSize', () => {
  it('walks a box of 200 000 files in bounded memory and says it is over the cap', async () => {
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const sample = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, 2);
    const cap = 256 * 1024 * 1024;
    const size = await boxSize(dir, cap, 300000);
    clearInterval(sample);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    assert.ok(size <= cap, `the files are empty: ${size} bytes`);
    const grew = (peak - before) / 1048576;
    // short-lived garbage counts here until the young generation is collected (about 20 MB);
    // a listing of the whole folder at once made it over 100 MB
    assert.ok(grew < 40, `the heap grew by ${grew.toFixed(1)} MB while walking`);
    // over the entry count: answered as over the cap
    assert.ok((await boxSize(dir, cap, 1000)) > cap);
  });
});
