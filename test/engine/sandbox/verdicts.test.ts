// Verdicts of the execution core on the real sandbox: each test compiles and runs a real program
// and checks the status SANDBOX.md's table assigns, with the figures and streams around it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { editorLanguageOf } from '../../../src/shared/highlighters.js';
import { FilesError, signalDesc, signalName } from '../../../src/engine/exec/index.js';
import {
  BASH,
  C,
  compileRun,
  CPP,
  JAVA,
  NODE,
  PERL,
  pidsWithMarker,
  PY,
  startExecutor,
  type TestExecutor,
  expectedCgroups,
} from './helpers.js';
import { HIGHLIGHTER_KEYS } from '../helpers.js';

let t: TestExecutor;
before(async () => {
  t = await startExecutor();
});
after(async () => {
  await t?.close();
});

const HELLO: Record<number, { source: string; editor: string }> = {
  [PY]: { source: 'print("hello", input())', editor: 'python' },
  [CPP]: {
    source:
      '#include <iostream>\nint main(){std::string s; std::cin >> s; std::cout << "hello " << s << "\\n";}',
    editor: 'cpp',
  },
  [C]: {
    source:
      '#include <stdio.h>\nint main(){char s[64]; scanf("%63s", s); printf("hello %s\\n", s);}',
    editor: 'c',
  },
  [JAVA]: {
    source:
      'import java.util.*;\npublic class Hello { public static void main(String[] a) {\n' +
      '  System.out.println("hello " + new Scanner(System.in).next()); } }',
    editor: 'java',
  },
  [NODE]: {
    source: 'console.log("hello", require("fs").readFileSync(0, "utf8").trim())',
    editor: 'javascript',
  },
  [BASH]: { source: 'read x; echo "hello $x"', editor: 'shell' },
  [PERL]: { source: 'my $x = <STDIN>; chomp $x; print "hello $x\\n";', editor: 'perl' },
};

describe('languages', () => {
  it('passes the self-test on this machine', () => {
    assert.deepEqual(
      { ...t.ex.selfTest, limits: undefined },
      { ok: true, problems: [], limits: undefined },
    );
    const want = expectedCgroups();
    assert.ok(t.ex.selfTest.limits, 'the self-test says how limits are enforced');
    if (want) assert.equal(t.ex.selfTest.limits.cgroups, want);

    assert.equal(t.ex.unsandboxed, false);
  });

  it('lists Python 3, C++ and C, each with all ten highlighter keys an editor can map', () => {
    const langs = t.ex.languages();
    for (const id of [PY, CPP, C]) assert.ok(langs.has(id), `language ${id} is listed`);
    for (const lang of langs.values()) {
      assert.deepEqual(Object.keys(lang.highlighters).sort(), HIGHLIGHTER_KEYS);
      assert.equal(editorLanguageOf(lang.highlighters), HELLO[lang.id]?.editor, lang.name);
      assert.ok(lang.versions.some((v) => v.id === lang.defaultVersionId));
    }
    const cpp = langs.get(CPP);
    assert.ok(cpp?.versions.some((v) => v.name.startsWith('C++17')));
    assert.ok(cpp?.versions.some((v) => v.name.startsWith('C++20')));
    assert.match(cpp?.versions[0].name ?? '', /^C\+\+17/);
  });

  it('runs hello world with stdin in every detected language', async () => {
    for (const lang of t.ex.languages().values()) {
      const hello = HELLO[lang.id];
      assert.ok(hello, `a hello world for ${lang.name}`);
      const r = await compileRun(t.ex, lang.id, hello.source, { stdin: 'world\n' });
      assert.equal(r.status, 0, `${lang.name}: ${r.cmpinfo} ${r.err} ${r.internalError ?? ''}`);
      assert.equal(r.out, 'hello world\n', lang.name);
      assert.ok(r.memoryKb > 0, `${lang.name} reports memory`);
      assert.ok(r.timeSec >= 0 && r.timeSec < 2, `${lang.name} reports CPU time`);
    }
  });

  it('compiles C++ in the requested standard', async () => {
    const cpp = t.ex.languages().get(CPP);
    const v20 = cpp?.versions.find((v) => v.name.startsWith('C++20'));
    const v14 = cpp?.versions.find((v) => v.name.startsWith('C++14'));
    assert.ok(v20 && v14);
    const source = '#include <cstdio>\nint main(){ printf("%ld\\n", __cplusplus); }';
    for (const [v, want] of [
      [v20, '202002'],
      [v14, '201402'],
    ] as const) {
      const c = await t.ex.compile({ languageId: CPP, versionId: v.id, source }, 0);
      assert.ok(c.ok, c.cmpinfo);
      const r = await t.ex.run(c.program, {
        stdin: '',
        limits: { timeSec: 1, memoryKb: 65536 },
        slot: 1,
      });
      await c.program.dispose();
      assert.equal(r.stdout.toString(), `${want}\n`);
    }
  });
});

describe('verdicts', () => {
  it('sums many lines of stdin', async () => {
    const stdin = Array.from({ length: 10000 }, (_, i) => `${i}\n`).join('');
    const r = await compileRun(t.ex, PY, 'import sys\nprint(sum(int(l) for l in sys.stdin))', {
      stdin,
    });
    assert.equal(r.status, 0);
    assert.equal(r.out, `${(9999 * 10000) / 2}\n`);
  });

  it('keeps UTF-8 output intact', async () => {
    const text = 'zażółć gęślą jaźń — 日本語 🎉';
    const r = await compileRun(t.ex, PY, `print(${JSON.stringify(text)})`);
    assert.equal(r.status, 0);
    assert.equal(r.out, `${text}\n`);
  });

  it('reports a Python exception as runtime error with the traceback on stderr', async () => {
    const r = await compileRun(t.ex, PY, 'def f():\n    raise ValueError("boom")\nf()');
    assert.equal(r.status, 12);
    assert.equal(r.exitCode, 1);
    assert.match(r.err, /Traceback \(most recent call last\)/);
    assert.match(r.err, /ValueError: boom/);
  });

  it('reports a non-zero exit code as runtime error', async () => {
    const r = await compileRun(t.ex, PY, 'import sys\nprint("partial")\nsys.exit(3)');
    assert.equal(r.status, 12);
    assert.equal(r.exitCode, 3);
    assert.equal(r.signal, 0);
    assert.equal(r.out, 'partial\n');
  });

  it('reports a C++ compile error as status 11 with the compiler messages', async () => {
    const r = await compileRun(t.ex, CPP, 'int main() { return undefined_thing; }');
    assert.equal(r.status, 11);
    assert.match(r.cmpinfo, /undefined_thing/);
    assert.match(r.cmpinfo, /error/);
  });

  it('reports a C segfault as runtime error with signal 11', async () => {
    const r = await compileRun(
      t.ex,
      C,
      '#include <stdio.h>\nint main(){ volatile int *p = 0; puts("before"); fflush(stdout); *p = 1; return 0; }',
    );
    assert.equal(r.status, 12);
    assert.equal(r.signal, 11);
    assert.equal(signalName(r.signal), 'SIGSEGV');
    assert.equal(signalDesc(r.signal), 'SIGSEGV (Segmentation fault)');
    assert.equal(signalDesc(0), '');
    assert.equal(r.out, 'before\n');
  });

  it('stops an infinite loop at the CPU limit (13)', async () => {
    const r = await compileRun(t.ex, PY, 'while True:\n    pass', {
      limits: { timeSec: 1, memoryKb: 65536 },
    });
    assert.equal(r.status, 13);
    assert.ok(r.timeSec >= 1 && r.timeSec <= 2.1, `time ${r.timeSec}`);
  });

  it('stops a long sleep with the wall timer (13, time = the limit)', async () => {
    const t0 = Date.now();
    const r = await compileRun(t.ex, PY, 'import time\ntime.sleep(30)', {
      limits: { timeSec: 1, memoryKb: 65536 },
    });
    const took = Date.now() - t0;
    assert.equal(r.status, 13);
    assert.equal(r.timeSec, 1);
    assert.equal(r.signal, 9);
    // the wall limit is max(2 x 1 s, 1 s + 1 s) = 2 s; the upper bounds leave room for a loaded
    // machine (sandbox set-up, a late kill) and still prove the 30 s sleep was cut short
    assert.ok(r.wallMs >= 1900 && r.wallMs < 10_000, `wall ${r.wallMs} ms`);
    assert.ok(took < 20_000, `took ${took} ms`);
  });

  it('reports a Python memory hog as memory limit exceeded (17)', async () => {
    const r = await compileRun(t.ex, PY, 'a = bytearray(400 * 1024 * 1024)\nprint(len(a))', {
      limits: { timeSec: 2, memoryKb: 64 * 1024 },
    });
    assert.equal(r.status, 17);
    assert.equal(r.out, '');
    assert.ok(r.memoryKb > 32 * 1024 && r.memoryKb <= 80 * 1024, `memory ${r.memoryKb} KB`);
  });

  it('reports a C++ memory hog as memory limit exceeded (17)', async () => {
    const r = await compileRun(
      t.ex,
      CPP,
      '#include <vector>\nint main(){ std::vector<std::vector<char>> v; for(;;) v.emplace_back(1 << 20, 1); }',
      { limits: { timeSec: 2, memoryKb: 64 * 1024 } },
    );
    assert.equal(r.status, 17);
  });

  it('contains a fork bomb and leaves none of its processes behind', async () => {
    const marker = `bomb${randomBytes(4).toString('hex')}`;
    const r = await compileRun(
      t.ex,
      C,
      '#include <sys/prctl.h>\n#include <unistd.h>\n' +
        `int main(){ prctl(PR_SET_NAME, "${marker}"); for(;;) fork(); }`,
      { limits: { timeSec: 1, memoryKb: 128 * 1024 } },
    );
    assert.ok([12, 13].includes(r.status), `status ${r.status}`);
    assert.deepEqual(pidsWithMarker(marker), []);
    // and the engine still runs code
    const ok = await compileRun(t.ex, PY, 'print(6 * 7)');
    assert.equal(ok.status, 0);
    assert.equal(ok.out, '42\n');
  });

  it('contains a shell fork bomb that waits for its children', async () => {
    const marker = `shbomb${randomBytes(4).toString('hex')}`;
    const r = await compileRun(
      t.ex,
      BASH,
      `exec -a ${marker} /usr/bin/bash -c 'b(){ b | b & }; b; wait; sleep 10'`,
      { limits: { timeSec: 1, memoryKb: 128 * 1024 } },
    );
    assert.ok([12, 13].includes(r.status), `status ${r.status}`);
    assert.deepEqual(pidsWithMarker(marker), []);
  });

  it('caps an output flood, flags it and stops the program quickly', async () => {
    const cap = 64 * 1024;
    const t0 = Date.now();
    const r = await compileRun(t.ex, PY, 'while True:\n    print("x" * 999)', {
      limits: { timeSec: 5, memoryKb: 65536 },
      outputCapBytes: cap,
    });
    assert.equal(r.status, 12);
    assert.equal(r.stdoutTruncated, true);
    assert.equal(r.stdout.length, cap);
    assert.ok(r.out.startsWith('x'.repeat(999)));
    // The limits are 5 s of CPU and 10 s of wall time: stopped by the cap, well before either
    // (generous bounds: a loaded machine starts Python slowly).
    assert.ok(Date.now() - t0 < 8000, 'stopped well before the time limit');
    assert.ok(r.wallMs < 4000, `wall ${r.wallMs}`);
  });

  it('caps stderr the same way', async () => {
    const r = await compileRun(
      t.ex,
      C,
      '#include <stdio.h>\nint main(){ for(;;) fputs("e", stderr); }',
      {
        outputCapBytes: 10000,
      },
    );
    assert.equal(r.status, 12);
    assert.equal(r.stderrTruncated, true);
    assert.equal(r.stderr.length, 10000);
  });

  it('kills a program that calls ptrace (19, SIGSYS)', async () => {
    const r = await compileRun(
      t.ex,
      C,
      '#include <sys/ptrace.h>\n#include <stdio.h>\nint main(){ printf("%ld\\n", ptrace(PTRACE_TRACEME, 0, 0, 0)); }',
    );
    assert.equal(r.status, 19);
    assert.equal(r.signal, 31);
  });

  it('kills a program that calls mount (19)', async () => {
    const r = await compileRun(
      t.ex,
      C,
      '#include <sys/mount.h>\n#include <stdio.h>\nint main(){ printf("%d\\n", mount("none", "/tmp", "tmpfs", 0, 0)); }',
    );
    assert.equal(r.status, 19);
  });

  it('refuses new namespaces inside the sandbox', async () => {
    const r = await compileRun(
      t.ex,
      C,
      '#define _GNU_SOURCE\n#include <sched.h>\n#include <stdio.h>\n#include <errno.h>\n#include <sys/wait.h>\n#include <unistd.h>\n#include <sys/syscall.h>\n#include <signal.h>\n' +
        'int main(){ long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0); if (r == 0) _exit(0);\n' +
        '  printf("%ld %d\\n", r, errno == EPERM); return 0; }',
    );
    assert.equal(r.status, 0);
    assert.equal(r.out, '-1 1\n');
  });
});

describe('multi-file', () => {
  it('compiles every C++ source of a multi-file submission', async () => {
    const r = await compileRun(
      t.ex,
      CPP,
      {
        'main.cpp':
          '#include "lib/util.h"\n#include <cstdio>\nint main(){ printf("%d\\n", twice(21)); }',
        'lib/util.h': 'int twice(int);',
        'lib/util.cpp': '#include "util.h"\nint twice(int x){ return 2 * x; }',
      },
      { stdin: '' },
    );
    assert.equal(r.status, 0, r.cmpinfo);
    assert.equal(r.out, '42\n');
  });

  it('runs main.py importing a sibling module', async () => {
    const r = await compileRun(t.ex, PY, {
      'main.py': 'from helper import greet\nprint(greet("files"))',
      'helper.py': 'def greet(x):\n    return "hi " + x',
    });
    assert.equal(r.status, 0, r.err);
    assert.equal(r.out, 'hi files\n');
  });

  it('honours the build and run scripts', async () => {
    const r = await compileRun(t.ex, C, {
      build: 'set -e\ngcc -O2 -o app src/a.c\necho built > stamp',
      run: 'cat stamp\n./app "$@"',
      'src/a.c': '#include <stdio.h>\nint main(){ puts("from app"); }',
    });
    assert.equal(r.status, 0, `${r.cmpinfo} ${r.err}`);
    assert.equal(r.out, 'built\nfrom app\n');
  });

  it('reports a failing build script as a compilation error', async () => {
    const r = await compileRun(t.ex, C, {
      build: 'echo "no way" >&2\nexit 1',
      'a.c': 'int main(){return 0;}',
    });
    assert.equal(r.status, 11);
    assert.match(r.cmpinfo, /no way/);
  });

  it('reports a build that writes no ./prog as a compilation error', async () => {
    const r = await compileRun(t.ex, C, {
      build: 'gcc -o other a.c',
      'a.c': 'int main(){return 0;}',
    });
    assert.equal(r.status, 11);
    assert.match(r.cmpinfo, /the build wrote no \.\/prog/);
  });

  it('reports a ./prog that cannot be executed as a runtime error, not an internal one', async () => {
    const r = await compileRun(t.ex, C, {
      build: 'echo "not a program" > prog && chmod 644 prog',
      'a.c': 'int main(){return 0;}',
    });
    assert.equal(r.status, 12);
    assert.match(r.err, /cannot execute \.\/prog/);
  });

  it('stops a build that fills its folder', async () => {
    // 10 GB asked for: the cap, not the compile time limit, ends it (cmpinfo says which)
    const r = await compileRun(t.ex, C, {
      build: 'for i in $(seq 200); do head -c 50000000 /dev/zero > f$i; done',
      'a.c': 'int main(){return 0;}',
    });
    assert.equal(r.status, 11);
    assert.match(r.cmpinfo, /the build wrote more than 256 MB/);
    assert.doesNotMatch(r.cmpinfo, /compilation stopped: over/);
  });

  it('rejects unsafe or oversized file sets before running anything', async () => {
    const lang = t.ex.languages().get(CPP);
    assert.ok(lang);
    const bad: Array<Record<string, string>> = [
      { '/etc/passwd': 'x' },
      { '../escape.cpp': 'x' },
      { 'a/../../b.cpp': 'x' },
      { '-o.cpp': 'x' },
      { 'a.cpp': 'x', 'a.cpp/b.cpp': 'y' },
      {},
      Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`f${i}.cpp`, ''])),
      { 'big.cpp': 'x'.repeat(2 * 1024 * 1024) },
    ];
    for (const files of bad)
      await assert.rejects(
        t.ex.compile({ languageId: CPP, versionId: lang.defaultVersionId, files }, 0),
        FilesError,
        JSON.stringify(Object.keys(files).slice(0, 3)),
      );
  });
});
