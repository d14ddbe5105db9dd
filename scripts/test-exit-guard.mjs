// Loaded by `npm test` into every Node test file's process (--import). Node 20's runner waits for a
// file's process to exit on its own, so a file that leaves a server, socket or child process open
// (say, a test that failed half-way) would hang the whole run. Once the file's tests and hooks are
// done, this gives it a grace period to close what it opened, then fails the file by name and
// exits. (--test-force-exit would do the exit, but it loses the count reporter's file.)
import { after } from 'node:test';

const GRACE_MS = 60_000;

// Only in a test file's own process, never in the runner that spawns them.
if (process.env.NODE_TEST_CONTEXT?.startsWith('child')) {
  after(() => {
    setTimeout(() => {
      const open = process.getActiveResourcesInfo().filter((r) => r !== 'Timeout');
      process.stderr.write(
        `test-exit-guard: ${process.argv[1] ?? 'a test file'} still had open handles ` +
          `${GRACE_MS / 1000} s after its tests ended (${open.join(', ') || 'unknown'}); ` +
          'failing it instead of waiting forever\n',
      );
      process.exit(1);
    }, GRACE_MS).unref();
  });
}
