// Any install folder: a copy of the built engine in a folder other users cannot traverse (as a
// clone under /root, a 0700 home or a `mktemp -d` folder is) still runs code in the sandbox, with
// its scratch folder there too; and when the sandbox uid cannot reach a box, the self-test names
// the folder and the fix instead of a user-namespace hint.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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

/**
 * Copies `parts` of the package (node_modules as a link) into a fresh 0700 folder, writes the
 * script `source(home)` there and runs it with TMPDIR inside that folder too (nothing may depend on
 * it being traversable). Asserts it exits 0; answers the finished process.
 */
function inPrivateCopy(parts: string[], source: (home: string) => string) {
  const home = mkdtempSync(join(tmpdir(), 'se-private-'));
  made.push(home);
  chmodSync(home, 0o700);
  const pkg = join(home, 'clone');
  mkdirSync(join(pkg, 'native/build'), { recursive: true });
  for (const part of parts) {
    if (part === 'node_modules') symlinkSync(join(root, part), join(pkg, part));
    else cpSync(join(root, part), join(pkg, part), { recursive: true });
  }
  const script = join(pkg, 'probe.mjs');
  writeFileSync(script, source(home));
  const r = spawnSync(process.execPath, [script], {
    cwd: pkg,
    encoding: 'utf8',
    env: { ...process.env, TMPDIR: join(home, 'tmp') },
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return { r };
}

describe('an engine installed in a folder others cannot traverse', () => {
  it('runs code in the sandbox from a 0700 folder', () => {
    assert.ok(
      existsSync(join(root, 'dist/engine/exec/index.js')),
      'dist/ is built (npm run build; npm test builds before the Node tests)',
    );
    const { r } = inPrivateCopy(
      ['dist', 'native/build/se-init', 'package.json'],
      (home) =>
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
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      selfTest: { ok: boolean; problems: string[] };
      run?: { status: number; stdout: string };
    };
    assert.deepEqual(out.selfTest.problems, []);
    assert.equal(out.selfTest.ok, true);
    assert.deepEqual(out.run, { status: 0, stdout: 'hello\n' });
  });

  it("opens a workspace's terminal from a 0700 folder (the pty helper is copied where the workspace uid reaches)", () => {
    const { r } = inPrivateCopy(
      [
        'dist',
        'projects',
        'package.json',
        'native/build/se-init',
        'native/build/se-pty',
        'node_modules',
      ],
      (home) =>
        `import { startEngine } from './dist/engine/index.js';
import { decode, encode, FRAME } from './dist/shared/terminal.js';
import { WebSocket } from 'ws';
const engine = await startEngine({ port: 0, dataDir: ${JSON.stringify(join(home, 'data'))}, workers: 1, log: () => {} });
const api = engine.url + '/containers/api/v1';
const q = '?access_token=' + engine.accessToken;
const projects = await (await fetch(api + '/projects' + q)).json();
const project = projects.items.find((p) => p.name === 'PYTHON-UNITTEST').id;
const created = await (await fetch(api + '/workspaces' + q, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ project_id: project }) })).json();
let w = created.workspace;
while (w.state.code === 1) { await new Promise((r) => setTimeout(r, 20)); w = await (await fetch(api + '/workspaces/' + w.id + q)).json(); }
const ws = new WebSocket(engine.url.replace('http', 'ws') + '/containers/api/v1/workspaces/' + w.id + '/terminals/1');
let text = '';
const seen = await new Promise((resolve) => {
  const timer = setTimeout(() => resolve(text), 20000);
  ws.on('open', () => ws.send(encode.hello({ token: engine.accessToken })));
  ws.on('message', (d) => {
    const f = decode(new Uint8Array(d));
    if (f.type !== FRAME.OUTPUT) return;
    text += Buffer.from(f.data).toString();
    ws.send(encode.ack(f.offset + f.data.length));
    if (text.includes('$ ') && !text.includes('echo')) ws.send(encode.input('echo from-$((2*21))\\n'));
    if (text.includes('from-42')) { clearTimeout(timer); resolve(text); }
  });
  ws.on('close', (code, why) => { clearTimeout(timer); resolve(text + ' [closed ' + code + ' ' + why + ']'); });
});
ws.close();
await engine.close();
console.log(JSON.stringify({ seen }));
`,
    );
    const { seen } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { seen: string };
    assert.match(seen, /from-42/);
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
