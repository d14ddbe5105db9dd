// Containment: what a program in the sandbox can see, read and write. Each test runs a real
// program that tries to get out and reports what it found.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readBoxFile } from '../../../src/engine/exec/index.js';
import { BASH, C, compileRun, LIMITS, PY, startExecutor, type TestExecutor } from './helpers.js';

// Placed in the engine's own environment before the executor exists: no program may see it.
const SECRET = `s3cret-${randomBytes(12).toString('hex')}`;
process.env.SE_TEST_SECRET = SECRET;

let t: TestExecutor;
before(async () => {
  t = await startExecutor();
});
after(async () => {
  await t?.close();
  delete process.env.SE_TEST_SECRET;
});

describe('containment', () => {
  it("shows the program only its own loopback interface, not the host's", async () => {
    // A server on the host's loopback: the engine's own HTTP API lives there too. (Only loopback:
    // a test never aims traffic beyond this machine, even if the sandbox were broken.)
    const host = createServer((s) => s.end('host\n'));
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
    const { port } = host.address() as AddressInfo;
    try {
      const r = await compileRun(
        t.ex,
        PY,
        'import socket\nprint(sorted(n for _, n in socket.if_nameindex()))\n' +
          'print(open("/proc/net/dev").read().count(":"))\n' +
          `try:\n    socket.create_connection(("127.0.0.1", ${port}), timeout=1)\n    print("connected")\n` +
          'except OSError as e:\n    print("no network")',
      );
      assert.equal(r.status, 0, r.err);
      assert.equal(r.out, "['lo']\n1\nno network\n");
    } finally {
      await new Promise((r) => host.close(r));
    }
  });

  it("keeps the engine's environment secret from every path a program can try", async () => {
    // Reads every readable file of every visible process (environ, cmdline, status, ...), its own
    // environment, and grep -r over /proc/self, /proc/1 and the few folders that are mounted.
    const probe = [
      'import os, glob',
      // built at run time so that the source in /box does not itself contain the secret
      `secret = ${JSON.stringify(SECRET.slice(0, 10))} + ${JSON.stringify(SECRET.slice(10))}`,
      'hits = [k for k, v in os.environ.items() if secret in v]',
      'readable = 0',
      'for path in glob.glob("/proc/[0-9]*/*"):',
      '    try:',
      '        with open(path, "rb") as f:',
      '            data = f.read(1 << 20)',
      '        readable += 1',
      '        if secret.encode() in data: hits.append(path)',
      '    except OSError:',
      '        pass',
      'for root in ["/tmp", "/box", "/etc", "/dev", "/usr/local"]:',
      '    for dirpath, _, files in os.walk(root):',
      '        for name in files:',
      '            p = os.path.join(dirpath, name)',
      '            if os.path.islink(p) or not os.path.isfile(p): continue',
      '            try:',
      '                with open(p, "rb") as f:',
      '                    if secret.encode() in f.read(1 << 20): hits.append(name)',
      '            except OSError:',
      '                pass',
      'print("hits", hits)',
      'print("readable", readable > 10)',
      'try:',
      '    open("/proc/1/environ", "rb").read()',
      '    print("pid1 environ readable")',
      'except OSError as e:',
      '    print("pid1 environ", e.errno)',
      'print(sorted(os.environ))',
      // the helper (PID 1) holds fds of host folders: they must stay out of reach
      'for p in ["/proc/1/fd", "/proc/1/root/", "/proc/1/cwd/", "/proc/1/mem", "/proc/1/maps"]:',
      '    try:',
      '        os.listdir(p) if p.endswith(("fd", "/")) else open(p, "rb").read(16)',
      '        print(p, "open")',
      '    except OSError as e:',
      '        print(p, "denied")',
    ].join('\n');
    const r = await compileRun(t.ex, PY, probe);
    assert.equal(r.status, 0, r.err);
    const lines = r.out.split('\n');
    assert.equal(lines[0], 'hits []');
    assert.equal(lines[1], 'readable True');
    assert.equal(lines[2], 'pid1 environ 13'); // EACCES
    assert.equal(lines[3], "['HOME', 'LANG', 'PATH', 'PWD', 'TMPDIR']");
    assert.deepEqual(lines.slice(4, 9), [
      '/proc/1/fd denied',
      '/proc/1/root/ denied',
      '/proc/1/cwd/ denied',
      '/proc/1/mem denied',
      '/proc/1/maps denied',
    ]);
    assert.ok(!r.out.includes(SECRET) && !r.err.includes(SECRET));
  });

  it('runs as an unprivileged user with no capabilities and leaks no fds', async () => {
    const r = await compileRun(
      t.ex,
      BASH,
      'id -u; grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\\t" " "; ls /proc/self/fd | sort -n | tr "\\n" " "',
    );
    assert.equal(r.status, 0, r.err);
    const lines = r.out.split('\n');
    assert.notEqual(lines[0], '0');
    assert.deepEqual(lines.slice(1, 4), [
      'CapEff: 0000000000000000',
      'NoNewPrivs: 1',
      'Seccomp: 2',
    ]);
    // 0-2 and the one ls opened for the listing: nothing of the engine's
    assert.equal(lines[4], '0 1 2 3 ');
  });

  it('fails every write outside /tmp and the working folder /box', async () => {
    const r = await compileRun(
      t.ex,
      PY,
      [
        'import os',
        'for p in ["/usr/x", "/etc/x", "/x", "/box/x", "/bin/x", "/proc/sys/kernel/hostname", "/dev/x", "/sys/x", "/tmp/ok", "/dev/shm/ok"]:',
        '    try:',
        '        with open(p, "w") as f: f.write("x")',
        '        print(p, "written")',
        '    except OSError as e:',
        '        print(p, "refused")',
      ].join('\n'),
    );
    assert.equal(r.status, 0, r.err);
    assert.equal(
      r.out,
      [
        '/usr/x refused',
        '/etc/x refused',
        '/x refused',
        '/box/x written',
        '/bin/x refused',
        '/proc/sys/kernel/hostname refused',
        '/dev/x refused',
        '/sys/x refused',
        '/tmp/ok written',
        '/dev/shm/ok written',
        '',
      ].join('\n'),
    );
  });

  it("keeps the run stage's program files read-only, new files in /box apart", async () => {
    // compile and run on the same slot: the run's uid owns made.txt, only the mount refuses
    const r = await compileRun(
      t.ex,
      C,
      {
        build: 'gcc -o prog a.c && echo made > made.txt',
        'a.c':
          '#include <stdio.h>\n#include <errno.h>\n#include <string.h>\n' +
          'int main(){ FILE *f = fopen("/box/made.txt", "a"); printf("%s\\n", f ? "writable" : strerror(errno));' +
          ' f = fopen("/box/new.txt", "w"); printf("%s\\n", f ? "writable" : strerror(errno)); }',
      },
      { slot: 0 },
      0,
    );
    assert.equal(r.status, 0, r.cmpinfo + r.err);
    // what the build made stays as built; what the run makes lives in its own capped tmpfs
    assert.equal(r.out, 'Read-only file system\nwritable\n');
  });

  it('fills /tmp only up to its cap, and charges it to the memory limit', async () => {
    const source =
      'n = 0\ntry:\n    with open("/tmp/big", "wb") as f:\n' +
      '        for _ in range(200):\n            f.write(b"x" * (1 << 20)); f.flush(); n += 1\n' +
      'except OSError as e:\n    print("stopped", e.errno)\nprint(n)';
    const roomy = await compileRun(t.ex, PY, source, {
      limits: { timeSec: 5, memoryKb: 512 * 1024 },
    });
    assert.equal(roomy.status, 0, roomy.err);
    assert.equal(roomy.out, 'stopped 27\n64\n'); // EFBIG at 64 MiB
    const tight = await compileRun(t.ex, PY, source, {
      limits: { timeSec: 5, memoryKb: 48 * 1024 },
    });
    assert.equal(tight.status, 17);
  });

  it('does not carry /tmp over between runs', async () => {
    const lang = t.ex.languages().get(PY);
    assert.ok(lang);
    const c = await t.ex.compile(
      {
        languageId: PY,
        versionId: lang.defaultVersionId,
        source:
          'import os\nprint(os.listdir("/tmp"))\nopen("/tmp/marker", "w").write("x")\nprint(os.listdir("/tmp"))',
      },
      0,
    );
    assert.ok(c.ok);
    try {
      for (const slot of [0, 0, 1]) {
        const r = await t.ex.run(c.program, { stdin: '', limits: LIMITS, slot });
        assert.equal(r.stdout.toString(), "[]\n['marker']\n");
      }
    } finally {
      await c.program.dispose();
    }
  });

  it('never follows a symlink the program planted in its box', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'se-symlink-target-'));
    const target = join(outside, 'host-secret.txt');
    await writeFile(target, SECRET);
    try {
      const lang = t.ex.languages().get(BASH);
      assert.ok(lang);
      const c = await t.ex.compile(
        {
          languageId: BASH,
          versionId: lang.defaultVersionId,
          files: {
            build: `ln -s ${target} leak\nln -s ${outside} dirleak\nln -s / root\nmkdir -p d && ln -s ${target} d/leak`,
            'main.sh': 'cat leak 2>&1 || echo "no leak"',
          },
        },
        0,
      );
      assert.ok(c.ok, c.cmpinfo);
      // inside, the link points at a path that does not exist in the sandbox
      const r = await t.ex.run(c.program, { stdin: '', limits: LIMITS, slot: 1 });
      assert.match(r.stdout.toString(), /no leak/);
      assert.ok(!r.stdout.toString().includes(SECRET));
      // the engine refuses to read through the links
      for (const name of ['leak', 'dirleak/host-secret.txt', 'root/etc/hostname', 'd/leak'])
        await assert.rejects(readBoxFile(c.program.dir, name, 1024), name);
      // removing the program removes the links, not what they point at
      await c.program.dispose();
      assert.equal(existsSync(c.program.dir), false);
      assert.equal(readFileSync(target, 'utf8'), SECRET);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('reads a regular file of a box with a cap', async () => {
    const lang = t.ex.languages().get(BASH);
    assert.ok(lang);
    const c = await t.ex.compile(
      {
        languageId: BASH,
        versionId: lang.defaultVersionId,
        files: { build: 'printf 12345 > out.txt', 'main.sh': 'true' },
      },
      0,
    );
    assert.ok(c.ok, c.cmpinfo);
    try {
      assert.equal((await readBoxFile(c.program.dir, 'out.txt', 5)).toString(), '12345');
      await assert.rejects(readBoxFile(c.program.dir, 'out.txt', 4), /larger than 4 bytes/);
      await assert.rejects(readBoxFile(c.program.dir, '../x', 4), /not a plain relative path/);
    } finally {
      await c.program.dispose();
    }
  });
});
