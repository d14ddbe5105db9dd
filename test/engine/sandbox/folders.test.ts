// Any install folder: a copy of the built engine in a folder other users cannot traverse (as a
// clone under /root, a 0700 home or a `mktemp -d` folder is) still runs code in the sandbox, with
// its scratch folder there too; and when the sandbox uid cannot reach a box, the self-test names
// the folder and the fix instead of a user-namespace hint.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { diagnose, unsearchableAncestor } from '../../../src/engine/sandbox/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const made: string[] = [];
after(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

describe('an engine installed in a folder others cannot traverse', () => {
  it('runs code in the sandbox from a 0700 folder', () => {
    assert.ok(
      existsSync(join(root, 'dist/engine/exec/index.js')),
      'dist/ is built (npm run build; npm test builds before the Node tests)',
    );
    const home = mkdtempSync(join(tmpdir(), 'se-private-'));
    made.push(home);
    chmodSync(home, 0o700);
    const pkg = join(home, 'clone');
    mkdirSync(join(pkg, 'native/build'), { recursive: true });
    cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
    cpSync(join(root, 'native/build/se-init'), join(pkg, 'native/build/se-init'));
    cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
    const script = join(pkg, 'probe.mjs');
    writeFileSync(
      script,
      `import { createExecutor } from './dist/engine/exec/index.js';
const ex = await createExecutor({ workDir: ${JSON.stringify(join(home, 'data'))}, workers: 1, log: () => {} });
const out = { selfTest: ex.selfTest };
if (ex.selfTest.ok) {
  const c = await ex.compile({ languageId: 116, versionId: 1, source: 'print(input()[::-1])' }, 0);
  if (c.ok) {
    const r = await ex.run(c.program, { stdin: 'olleh', limits: { timeSec: 2, memoryKb: 256 * 1024 }, slot: 0 });
    out.run = { status: r.status, stdout: r.stdout.toString() };
    await c.program.dispose();
  } else out.compile = c.status;
}
await ex.close();
console.log(JSON.stringify(out));
`,
    );
    // TMPDIR inside the private folder as well: nothing may depend on it being traversable
    const r = spawnSync(process.execPath, [script], {
      cwd: pkg,
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: join(home, 'tmp') },
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      selfTest: { ok: boolean; problems: string[] };
      run?: { status: number; stdout: string };
    };
    assert.deepEqual(out.selfTest.problems, []);
    assert.equal(out.selfTest.ok, true);
    assert.deepEqual(out.run, { status: 0, stdout: 'hello\n' });
  });

  it("names the folder that blocks the sandbox uid, not the namespaces, when bwrap can't reach a box", (ctx) => {
    const home = mkdtempSync(join(tmpdir(), 'se-private-'));
    made.push(home);
    chmodSync(home, 0o750);
    const box = join(home, 'box');
    mkdirSync(box);
    assert.equal(unsearchableAncestor(box), home);
    const said = `bwrap: Can't find source path /proc/self/fd/12: Permission denied`;
    const hint = diagnose(said, ['/usr/bin', box]);
    if (process.getuid?.() !== 0) {
      // not root: bwrap runs as the engine's own uid, which owns the folder, so the folder is not
      // the cause and the hint must not blame it
      assert.doesNotMatch(hint, /lacks search permission/);
      ctx.diagnostic(
        'not root: boxes run as the engine uid, which a 0750 folder it owns does not block',
      );
      return;
    }
    assert.match(hint, new RegExp(`${home} lacks search permission for others`));
    assert.match(hint, new RegExp(`chmod o\\+x ${home}`));
    assert.doesNotMatch(hint, /namespace/);
    chmodSync(home, 0o755);
    assert.equal(unsearchableAncestor(box), null);
  });
});
