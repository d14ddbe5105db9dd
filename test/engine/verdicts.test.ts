// Verdicts over HTTP with the real sandbox: one submission per status the spec lists. The
// execution core's own tests (test/engine/sandbox) cover containment in depth; these check that
// each outcome reaches the API with the right status, figures and streams.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { LIMITS } from '../../src/engine/index.js';
import { SLOT_UID_BASE } from '../../src/engine/sandbox/index.js';
import { BASH, C, CPP, NODEJS, PERL, PYTHON, startTestEngine, type TestEngine } from './helpers.js';

let t: TestEngine;
before(async () => {
  t = await startTestEngine({ workers: 2 });
  assert.ok(t.engine.selfTest.ok, `sandbox self-test: ${t.engine.selfTest.problems.join('; ')}`);
});
after(async () => {
  await t.close();
});

async function run(fields: Record<string, unknown>) {
  const id = await t.submit(fields);
  const d = await t.final(id, 60_000);
  return { id, d, status: d.result.status.code };
}

/**
 * This process's descendants running as a sandbox slot uid: there must be none between runs.
 * (Other engines on the machine use the same uids, so only our own tree counts.)
 */
function sandboxProcesses(): number[] {
  const procs = new Map<number, { ppid: number; uid: number }>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const status = readFileSync(`/proc/${e}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      procs.set(Number(e), { ppid, uid });
    } catch {
      // gone meanwhile
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = procs.get(pid)?.ppid; p; p = procs.get(p)?.ppid) {
      if (p === process.pid) return true;
    }
    return false;
  };
  return [...procs]
    .filter(([pid, { uid }]) => uid >= SLOT_UID_BASE && uid < SLOT_UID_BASE + 1000 && mine(pid))
    .map(([pid]) => pid);
}

describe('verdicts over HTTP', () => {
  it('15 for hello world, with stdin and UTF-8 output', async () => {
    const { id, d, status } = await run({
      compilerId: PYTHON,
      source: 'name = input()\nprint(f"cześć, {name} ✓ 😀")',
      input: 'świat\n',
    });
    assert.equal(status, 15);
    assert.equal(await t.stream(id, 'output'), 'cześć, świat ✓ 😀\n');
    assert.equal(d.result.streams.output?.size, Buffer.byteLength('cześć, świat ✓ 😀\n'));
    assert.ok(d.result.time! >= 0 && d.result.time! < 1);
    assert.ok(d.result.memory! > 1000, 'peak memory in KB');
  });

  it('12 with the traceback for a Python exception, and for a non-zero exit', async () => {
    const exc = await run({ compilerId: PYTHON, source: 'print("before")\n1 / 0' });
    assert.equal(exc.status, 12);
    assert.equal(await t.stream(exc.id, 'output'), 'before\n');
    const err = await t.stream(exc.id, 'error');
    assert.match(err, /Traceback/);
    assert.match(err, /ZeroDivisionError/);
    const exit = await run({ compilerId: PYTHON, source: 'import sys\nsys.exit(3)' });
    assert.equal(exit.status, 12);
    assert.equal(exit.d.result.signal, 0);
  });

  it('11 with cmpinfo for a C++ compile error', async () => {
    const { id, d, status } = await run({ compilerId: CPP, source: 'int main() { return x; }' });
    assert.equal(status, 11);
    assert.match(await t.stream(id, 'cmpinfo'), /error/);
    assert.equal(d.result.streams.output, null);
  });

  it('12 with SIGSEGV for a C segfault', async () => {
    const { d, status } = await run({
      compilerId: C,
      source: 'int main(void) { volatile int *p = 0; *p = 1; return 0; }',
    });
    assert.equal(status, 12);
    assert.equal(d.result.signal, 11);
    assert.match(d.result.signal_desc ?? '', /^SIGSEGV/);
  });

  it('13 for an infinite loop and for a long sleep with timeLimit 1', async () => {
    const [loop, sleep] = await Promise.all([
      run({ compilerId: PYTHON, source: 'while True: pass', timeLimit: 1 }),
      run({ compilerId: PYTHON, source: 'import time\ntime.sleep(60)', timeLimit: 1 }),
    ]);
    assert.equal(loop.status, 13);
    assert.ok(loop.d.result.time! >= 0.9, `time ${loop.d.result.time}`);
    assert.equal(sleep.status, 13);
  });

  it('17 for Python and C++ memory hogs', async () => {
    const [py, cpp] = await Promise.all([
      run({
        compilerId: PYTHON,
        source: 'b = bytearray(400 * 1024 * 1024)\nprint(len(b))',
        memoryLimit: 64 * 1024,
      }),
      run({
        compilerId: CPP,
        source:
          '#include <vector>\n#include <cstdio>\nint main() { std::vector<char> v(400u << 20, 1);' +
          ' std::printf("%d", v[12345]); }',
        memoryLimit: 64 * 1024,
      }),
    ]);
    assert.equal(py.status, 17);
    assert.equal(cpp.status, 17);
  });

  it('contains a fork bomb: no process left, the engine healthy after', async () => {
    const bomb = await run({
      compilerId: PYTHON,
      source:
        'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass',
      timeLimit: 2,
    });
    assert.ok([12, 13].includes(bomb.status), `status ${bomb.status}`);
    assert.deepEqual(sandboxProcesses(), []);
    const after = await run({ compilerId: PYTHON, source: 'print("alive")' });
    assert.equal(after.status, 15);
    assert.equal(await t.stream(after.id, 'output'), 'alive\n');
  });

  it('caps an output flood and flags it', async () => {
    const { id, d, status } = await run({
      compilerId: PYTHON,
      source: 'import sys\nwhile True: sys.stdout.write("x" * 65536)',
    });
    assert.equal(status, 12);
    assert.equal(d.result.streams.output?.size, LIMITS.outputBytes);
    assert.match(await t.stream(id, 'error'), /output exceeded the cap of \d+ bytes/);
  });

  it('19 for ptrace', async () => {
    const { d, status } = await run({
      compilerId: C,
      source:
        '#include <sys/ptrace.h>\n#include <stdio.h>\n' +
        'int main(void) { ptrace(PTRACE_TRACEME, 0, 0, 0); puts("traced"); return 0; }',
    });
    assert.equal(status, 19);
    assert.equal(d.result.signal, 31);
  });

  it('11 with the message and line for a syntax error in each interpreted language', async () => {
    // each program prints before its error: a syntax check must not run it
    const cases = [
      {
        compilerId: PYTHON,
        source: 'print("ran")\nprint("x"',
        said: /prog\.py", line 2[\s\S]*SyntaxError/,
      },
      {
        compilerId: NODEJS,
        source: 'console.log("ran");\nconsole.log(1',
        said: /prog\.js:2[\s\S]*SyntaxError/,
      },
      {
        compilerId: BASH,
        source: 'echo ran\nif true; then\necho',
        said: /prog\.sh: line 4: syntax error/,
      },
      {
        compilerId: PERL,
        source: 'print "ran\\n";\nif (',
        said: /syntax error at prog\.pl line 2/,
      },
    ];
    const runs = await Promise.all(
      cases.map((c) => run({ compilerId: c.compilerId, source: c.source })),
    );
    for (const [i, r] of runs.entries()) {
      const cmpinfo = await t.stream(r.id, 'cmpinfo');
      assert.equal(r.status, 11, `${cases[i].compilerId}: ${cmpinfo}`);
      assert.match(cmpinfo, cases[i].said);
      // none of the checker's own noise, no host path
      assert.doesNotMatch(cmpinfo, /node:internal|syntax OK|Traceback|sys\.argv/);
      assert.doesNotMatch(cmpinfo, new RegExp(t.dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      assert.equal(r.d.result.streams.output, null, 'nothing ran');
    }
  });

  it('runs valid interpreted programs after the check, and a runtime error stays 12', async () => {
    const ok = await Promise.all(
      [
        {
          compilerId: NODEJS,
          source: 'import fs from "node:fs";\nconsole.log(typeof fs.readFileSync)',
        },
        { compilerId: BASH, source: 'read -r x; echo "got $x"' },
        { compilerId: PERL, source: 'my $x = <STDIN>; print "got $x";' },
      ].map((f) => run({ ...f, input: 'a\n' })),
    );
    assert.deepEqual(
      ok.map((r) => r.status),
      [15, 15, 15],
    );
    assert.equal(await t.stream(ok[0].id, 'output'), 'function\n');
    assert.equal(await t.stream(ok[1].id, 'output'), 'got a\n');
    assert.equal(await t.stream(ok[2].id, 'output'), 'got a\n');
    assert.equal(await t.stream(ok[2].id, 'cmpinfo'), '', 'no "syntax OK" line');
    // a SyntaxError raised at run time by code that parses is a runtime error
    const evald = await run({ compilerId: PYTHON, source: 'print("ran")\neval("(")' });
    assert.equal(evald.status, 12);
    assert.match(await t.stream(evald.id, 'error'), /SyntaxError/);
    assert.equal(await t.stream(evald.id, 'output'), 'ran\n');
    // a name error is found only by running: still a runtime error
    const late = await run({ compilerId: PYTHON, source: 'print("ran")\nundefined_name' });
    assert.equal(late.status, 12);
    assert.equal(await t.stream(late.id, 'output'), 'ran\n');
  });

  it('11 naming the file for a syntax error in a module of a multi-file Python program', async () => {
    const { id, status } = await run({
      compilerId: PYTHON,
      files: { 'main.py': 'import util\nprint(util.f())', 'util.py': 'def f(:\n  return 1' },
    });
    assert.equal(status, 11);
    assert.match(await t.stream(id, 'cmpinfo'), /util\.py", line 1/);
  });

  it('15 for a multi-file C++ program', async () => {
    const { id, status } = await run({
      compilerId: CPP,
      files: {
        'main.cpp':
          '#include <cstdio>\n#include "lib/add.h"\nint main() { std::printf("%d\\n", add(2, 3)); }',
        'lib/add.h': 'int add(int a, int b);',
        'lib/add.cpp': '#include "add.h"\nint add(int a, int b) { return a + b; }',
      },
    });
    assert.equal(status, 15);
    assert.equal(await t.stream(id, 'output'), '5\n');
  });
});
