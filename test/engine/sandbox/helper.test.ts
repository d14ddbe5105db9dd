// The box's PID-1 helper (native/se-init.c) shares the program's uid: nothing the program does to
// it may change the verdict. Each test runs a real hostile program against it.
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

// Lowers every rlimit of PID 1 it can (the helper's), signals it with everything, then does what
// the test asks: exit 0, or allocate past the memory limit.
const attack = (then: string) => `#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
int main(void) {
  struct rlimit zero = {0, 0};
  int res[] = {RLIMIT_CPU, RLIMIT_NOFILE, RLIMIT_SIGPENDING, RLIMIT_AS, RLIMIT_STACK};
  int refused = 0;
  for (int i = 0; i < 5; i++)
    if (prlimit(1, res[i], &zero, NULL) != 0 && errno == EPERM) refused++;
  printf("refused %d of 5\\n", refused);
  for (int round = 0; round < 20; round++)
    for (int s = 1; s < 65; s++)
      if (s != SIGKILL && s != SIGSTOP) kill(1, s);
  fflush(stdout);
  ${then}
  return 0;
}`;

describe("the box's PID-1 helper", () => {
  it("keeps the program from lowering the helper's rlimits or signalling it to death", async () => {
    const r = await compileRun(t.ex, C, attack('usleep(300000);'));
    assert.equal(r.status, 0, `${r.internalError ?? ''} ${r.err}`);
    assert.equal(r.out, 'refused 5 of 5\n');
  });

  it('still gives 17 to a program that attacked the helper and then outgrew its memory', async () => {
    // without cgroups the helper's watchdog decides memory: blinding it (RLIMIT_NOFILE 0 on it
    // stops it reading /proc) used to let the program through
    const grow =
      'for (int i = 0; i < 64; i++) { char *p = malloc(4 << 20); if (!p) return 3; memset(p, 1, 4 << 20); }';
    const r = await compileRun(t.ex, C, attack(grow), {
      limits: { timeSec: 2, memoryKb: 64 * 1024 },
    });
    assert.equal(r.status, 17, `${r.internalError ?? ''} ${r.err} ${r.out}`);
  });
});
