// Hostile programs whose verdict learners and course authors expect to be the plain one: each
// test runs a real program in the real sandbox (every cgroup mode: SE_ENGINE_CGROUPS=none too).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { C, compileRun, startExecutor, type TestExecutor } from './helpers.js';

let t: TestExecutor;
before(async () => {
  t = await startExecutor();
});
after(async () => {
  await t?.close();
});

const MB = 1024;

describe('hostile programs', () => {
  it('gives 17, not 20, to many empty files in /tmp under a small memory limit', async () => {
    // empty files cost no data, only kernel memory (inodes, dentries): the OOM killer must pick
    // the program, never the sandbox's own processes
    const src = `#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
  char name[64];
  for (int i = 0; i < 400000; i++) {
    snprintf(name, sizeof name, "/tmp/f%d", i);
    int fd = open(name, O_CREAT | O_WRONLY, 0600);
    if (fd < 0) { printf("stopped at %d\\n", i); return 0; }
    close(fd);
  }
  printf("created all\\n");
  return 0;
}`;
    const r = await compileRun(t.ex, C, src, { limits: { timeSec: 5, memoryKb: 24 * MB } });
    assert.equal(r.status, 17, `${r.internalError ?? ''} ${r.err} ${r.out}`);
  });

  it('reports a stack overflow as a runtime error with SIGSEGV (12), not memory (17)', async () => {
    const src = `#include <stdio.h>
#include <string.h>
int depth(int n) {
  volatile char pad[1024];
  pad[0] = (char)n;
  int r = depth(n + 1); /* the volatile read after the call keeps it a real recursion */
  return r + pad[0];
}
int main(void) { printf("%d\\n", depth(0)); return 0; }`;
    const r = await compileRun(t.ex, C, src, { limits: { timeSec: 5, memoryKb: 64 * MB } });
    assert.equal(r.status, 12, `${r.internalError ?? ''} ${r.err}`);
    assert.equal(r.signal, 11);
  });
});
