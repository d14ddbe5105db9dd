// A multi-file program sent as a tar.gz archive in `source` (a multipart file upload, as the
// vendor's `createWithTarSource` does), in both modules, over real HTTP and the real sandbox:
// unpacked as multi-file mode, and refused whole, with nothing stored, when it is unsafe.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { PYTHON, startTestEngine, type TestEngine } from './helpers.js';

let t: TestEngine;
before(async () => {
  t = await startTestEngine();
});
after(async () => {
  await t.close();
});

type Entry = { name: string; data?: string | Buffer; type?: string; link?: string };

/** A ustar archive built by hand, to be exactly as wrong as a test needs. */
function tar(entries: Entry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100, 'utf8');
    h.write('0000644\0', 100, 'latin1');
    h.write('0000000\0', 108, 'latin1');
    h.write('0000000\0', 116, 'latin1');
    h.write(data.length.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
    h.write('00000000000\0', 136, 'latin1');
    h.write(e.type ?? '0', 156, 'latin1');
    if (e.link) h.write(e.link, 157, 100, 'utf8');
    h.write('ustar\0' + '00', 257, 'latin1');
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** POSTs multipart with `source` as a file part (filename source.tar.gz), like the clients. */
async function postArchive(
  base: string,
  archive: Buffer,
  fields: Record<string, string>,
): Promise<{ status: number; json: { id?: number; error_code?: number; message?: string } }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('source', new Blob([archive], { type: 'application/gzip' }), 'source.tar.gz');
  const res = await fetch(`${base}/submissions?access_token=${t.engine.accessToken}`, {
    method: 'POST',
    body: form,
  });
  return { status: res.status, json: (await res.json()) as { id?: number } };
}

const compilers = () => t.api;
const problems = () => `${t.engine.url}/problems/api/v4`;

const PROGRAM = [
  { name: 'main.py', data: 'from lib.greet import hello\nprint(hello(input()))\n' },
  { name: 'lib/', type: '5' },
  { name: 'lib/__init__.py', data: '' },
  { name: 'lib/greet.py', data: 'def hello(n):\n    return "hi " + n + " żółw"\n' },
];

describe('a tar.gz program in source', () => {
  it('runs as multi-file mode in the Compilers API (an archive made by tar, ./ names)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'se-archive-test-'));
    try {
      await mkdir(join(dir, 'lib'));
      for (const e of PROGRAM) if (e.data !== undefined) await writeFile(join(dir, e.name), e.data);
      const archive = execFileSync('tar', ['-czf', '-', '-C', dir, '.']);
      const r = await postArchive(compilers(), archive, {
        compilerId: String(PYTHON),
        input: 'ada',
      });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      const s = await t.final(r.json.id!);
      assert.equal(s.result.status.code, 15, JSON.stringify(s.result));
      assert.equal(await t.stream(r.json.id!, 'output'), 'hi ada żółw\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is judged as multi-file mode in the Problems API', async () => {
    const p = await fetch(`${problems()}/problems?access_token=${t.engine.accessToken}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'greet', masterjudgeId: 1000 }),
    });
    const { id: problemId } = (await p.json()) as { id: number };
    await fetch(
      `${problems()}/problems/${problemId}/testcases?access_token=${t.engine.accessToken}`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ input: 'bo', output: 'hi bo żółw', judgeId: 1 }),
      },
    );
    const r = await postArchive(problems(), gzipSync(tar(PROGRAM)), {
      problemId: String(problemId),
      compilerId: String(PYTHON),
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    let s: { executing: boolean; result: { status: { code: number } } } | undefined;
    for (let i = 0; i < 300 && (!s || s.executing); i++) {
      await new Promise((res) => setTimeout(res, 100));
      const g = await fetch(
        `${problems()}/submissions/${r.json.id}?access_token=${t.engine.accessToken}`,
      );
      s = (await g.json()) as typeof s;
    }
    assert.equal(s?.result.status.code, 15, JSON.stringify(s));
    const source = await fetch(
      `${problems()}/submissions/${r.json.id}/source?access_token=${t.engine.accessToken}`,
    );
    assert.match(await source.text(), /\/\/ file: lib\/greet\.py/);
  });

  it('refuses unsafe or broken archives whole, with the spec codes, storing nothing', async () => {
    const fields = { compilerId: String(PYTHON) };
    const first = await t.submit({ compilerId: PYTHON, source: 'print(1)' });
    const main = { name: 'main.py', data: 'print(1)\n' };
    const cases: Array<[string, Buffer, number, RegExp]> = [
      [
        'absolute name',
        gzipSync(tar([main, { name: '/etc/cron.d/x', data: 'x' }])),
        1003,
        /absolute/,
      ],
      ['..', gzipSync(tar([main, { name: 'a/../../x.py', data: 'x' }])), 1003, /\.\./],
      [
        'symlink',
        gzipSync(tar([main, { name: 'l', type: '2', link: '/etc/passwd' }])),
        1003,
        /link/,
      ],
      ['hard link', gzipSync(tar([main, { name: 'h', type: '1', link: 'main.py' }])), 1003, /link/],
      ['device', gzipSync(tar([main, { name: 'd', type: '3' }])), 1003, /device/],
      ['FIFO', gzipSync(tar([main, { name: 'f', type: '6' }])), 1003, /FIFO/],
      ['twice', gzipSync(tar([main, main])), 1003, /twice/],
      ['bad name', gzipSync(tar([main, { name: '-rf.py', data: 'x' }])), 1003, /names use/],
      [
        'not UTF-8',
        gzipSync(tar([main, { name: 'b.py', data: Buffer.from([0xff]) }])),
        1003,
        /UTF-8/,
      ],
      ['no files', gzipSync(tar([{ name: 'only/', type: '5' }])), 1003, /no files/],
      [
        'too many files',
        gzipSync(tar(Array.from({ length: 101 }, (_, i) => ({ name: `f${i}.py`, data: '' })))),
        1003,
        /more than 100 files/,
      ],
      [
        'over the source cap',
        gzipSync(tar([main, { name: 'big.py', data: '#'.repeat(300 * 1024) }])),
        201306,
        /source size limit/,
      ],
      // a small upload that unpacks to 64 MiB: stopped at the unpack cap
      ['gzip bomb', gzipSync(Buffer.alloc(64 * 1024 * 1024)), 201306, /unpacks to more than/],
      [
        'not a tar',
        gzipSync(Buffer.from('just text, not a tar archive'.repeat(40))),
        1003,
        /not a tar/,
      ],
      [
        'not gzip',
        Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('garbage')]),
        1003,
        /gzip/,
      ],
    ];
    for (const [what, archive, code, message] of cases) {
      const r = await postArchive(compilers(), archive, fields);
      assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.error_code, code, `${what}: ${JSON.stringify(r.json)}`);
      assert.match(r.json.message ?? '', message, what);
      assert.doesNotMatch(r.json.message ?? '', /\/tmp\/|se-exec/, `${what}: no host path`);
    }
    const both = await postArchive(compilers(), gzipSync(tar([main])), {
      ...fields,
      'files[x.py]': 'print(2)',
    });
    assert.equal(both.json.error_code, 1003);
    assert.match(both.json.message ?? '', /not both/);
    const last = await t.submit({ compilerId: PYTHON, source: 'print(2)' });
    assert.equal(last, first + 1, 'no refused archive was stored');
  });
});
