// The problem folder format through `se-widgets problems import|export` on a real data folder:
// round trip, idempotence, updates, and the errors an author sees.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openProblemsData } from '../../../src/engine/problems/index.js';
import type { ProblemsStore } from '../../../src/engine/problems/store.js';
import { markdownToHtml } from '../../../src/engine/problems/markdown.js';
import { runCli } from '../../helpers/cli.js';

let root: string;
let dataDir: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'se-problem-folders-'));
  dataDir = join(root, 'data');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const p = runCli(['problems', ...args, '--data-dir', dataDir]);
  const { code } = await p.exited;
  return { code, out: p.stdout(), err: p.stderr() };
}

/** `se-widgets problems ARGS...`, which must exit 0; what it printed. */
async function succeeds(...args: string[]): Promise<string> {
  const r = await cli(...args);
  assert.equal(r.code, 0, r.err);
  return r.out;
}

/** `check` on the data folder's store, opened for it alone. */
function withStore(check: (store: ProblemsStore) => void): void {
  const data = openProblemsData(dataDir);
  try {
    check(data.store);
  } finally {
    data.close();
  }
}

async function writeFolder(dir: string, files: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
}

const checker = 'import sys\nsys.exit(0)\n';

function sample(): Record<string, string> {
  return {
    'problem.json': JSON.stringify({
      name: 'Round trip',
      type: 'maximize',
      timeLimit: 2,
      judge: 2,
      masterjudge: 1001,
      tests: {
        '1': { timeLimit: 3, active: false },
        '2': { judge: { source: 'check.py', compiler: 'PYTHON3', name: 'my checker' } },
      },
    }),
    'statement.md': '# Title\n\nSum **two** numbers, `a` and `b`.\n\n- one\n- two\n',
    '0.in': '1 2\n',
    '0.out': '3\n',
    '1.in': '4 5\n',
    '1.out': '9\n',
    '2.in': '',
    '2.out': 'anything\n',
    'check.py': checker,
  };
}

async function listDir(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).sort()) out[f] = await readFile(join(dir, f), 'utf8');
  return out;
}

describe('se-widgets problems import and export', () => {
  it('imports a folder, then importing it again changes nothing', async () => {
    const dir = join(root, 'ROUNDTRIP');
    await writeFolder(dir, sample());
    assert.match(await succeeds('import', dir), /^ROUNDTRIP \(id \d+\): created$/m);
    assert.match(await succeeds('import', dir), /ROUNDTRIP \(id \d+\): unchanged/);

    withStore((store) => {
      const p = store.findProblem('ROUNDTRIP')!;
      assert.equal(p.name, 'Round trip');
      assert.equal(p.typeId, 2);
      assert.equal(p.masterjudgeId, 1001);
      assert.match(p.body, /<h1>Title<\/h1>/);
      assert.match(p.body, /<strong>two<\/strong>/);
      const tcs = store.listTestcases(p.id);
      assert.deepEqual(
        tcs.map((x) => [x.number, x.timeLimit, x.active, x.judgeId > 10000 ? 'custom' : x.judgeId]),
        [
          [0, 2, true, 2],
          [1, 3, false, 2],
          [2, 2, true, 'custom'],
        ],
      );
      const judge = store.getJudge(tcs[2]!.judgeId)!;
      assert.equal(judge.name, 'my checker');
      assert.equal(judge.source.toString(), checker);
    });
  });

  it('exports a folder that imports back unchanged, with the same tests and judge', async () => {
    const out = join(root, 'exported');
    assert.match(await succeeds('export', 'ROUNDTRIP', out), /exported ROUNDTRIP \(id \d+\) to/);
    const files = await listDir(out);
    assert.deepEqual(Object.keys(files), [
      '0.in',
      '0.out',
      '1.in',
      '1.out',
      '2.in',
      '2.out',
      'check.py',
      'problem.json',
      'statement.html',
    ]);
    const src = sample();
    for (const f of ['0.in', '0.out', '1.in', '1.out', '2.in', '2.out', 'check.py']) {
      assert.equal(files[f], src[f], f);
    }
    assert.deepEqual(JSON.parse(files['problem.json']!), {
      code: 'ROUNDTRIP',
      name: 'Round trip',
      type: 'maximize',
      interactive: false,
      timeLimit: 2,
      judge: 2,
      masterjudge: 1001,
      tests: {
        '1': { timeLimit: 3, active: false },
        '2': { judge: { source: 'check.py', compiler: 'python3', name: 'my checker' } },
      },
    });
    assert.match(await succeeds('import', out), /ROUNDTRIP \(id \d+\): unchanged/);
  });

  it('updates a problem to match its edited folder, dropping removed tests', async () => {
    const dir = join(root, 'ROUNDTRIP');
    const files = sample();
    const meta = JSON.parse(files['problem.json']!);
    meta.name = 'Round trip, edited';
    delete meta.tests['2'];
    await writeFile(join(dir, 'problem.json'), JSON.stringify(meta));
    await rm(join(dir, '2.in'));
    await rm(join(dir, '2.out'));
    assert.match(await succeeds('import', dir), /ROUNDTRIP \(id \d+\): updated/);
    withStore((store) => {
      const p = store.findProblem('ROUNDTRIP')!;
      assert.equal(p.name, 'Round trip, edited');
      assert.equal(store.countTestcases(p.id), 2);
    });
  });

  it('imports every problem of a folder of folders', async () => {
    const parent = join(root, 'several');
    for (const code of ['FIRST', 'SECOND']) {
      await writeFolder(join(parent, code), {
        'problem.json': JSON.stringify({ name: code.toLowerCase() }),
        '0.in': '1\n',
        '0.out': '1\n',
      });
    }
    assert.match(
      await succeeds('import', parent),
      /FIRST \(id \d+\): created\nSECOND \(id \d+\): created/,
    );
  });

  it('names the file and the fix when a folder is wrong', async () => {
    const bad = join(root, 'BAD');
    await writeFolder(bad, { 'problem.json': JSON.stringify({ name: 'x', type: 'fastest' }) });
    const r = await cli('import', bad);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /problem\.json: "type" must be one of binary, minimize, maximize, percentage/,
    );
    const gap = join(root, 'GAP');
    await writeFolder(gap, { 'problem.json': '{"name": "gap"}', '0.in': '', '2.in': '' });
    assert.match((await cli('import', gap)).err, /numbered 0 to 1 without gaps; 1\.in is missing/);
    const none = await cli('import', join(root, 'nowhere'));
    assert.equal(none.code, 1);
    assert.match(none.err, /not a folder/);
    const judge = join(root, 'JUDGELESS');
    await writeFolder(judge, { 'problem.json': '{"name": "j", "judge": "missing.py"}' });
    assert.match((await cli('import', judge)).err, /no file missing\.py in the folder/);
  });

  it('refuses to export into a non-empty folder or an unknown problem', async () => {
    const r = await cli('export', 'ROUNDTRIP', join(root, 'ROUNDTRIP'));
    assert.equal(r.code, 1);
    assert.match(r.err, /not empty/);
    const u = await cli('export', 'NOSUCH', join(root, 'new'));
    assert.equal(u.code, 1);
    assert.match(u.err, /no problem NOSUCH/);
  });

  it('refuses a wrong action or missing arguments with exit code 2', async () => {
    assert.equal((await cli('publish')).code, 2);
    assert.equal((await cli('export', 'ROUNDTRIP')).code, 2);
    assert.equal((await cli('import')).code, 2);
  });
});

describe('statement.md', () => {
  it('becomes HTML with everything escaped', () => {
    const html = markdownToHtml(
      '## Input\n\nTwo numbers <b>a</b> & b.\n\n```\n1 < 2\n```\n\n1. first\n2. *second*\n',
    );
    assert.equal(
      html,
      '<h2>Input</h2>\n<p>Two numbers &lt;b&gt;a&lt;/b&gt; &amp; b.</p>\n' +
        '<pre><code>1 &lt; 2</code></pre>\n<ol><li>first</li><li><em>second</em></li></ol>\n',
    );
  });
});
