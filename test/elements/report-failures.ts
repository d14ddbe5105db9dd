/**
 * Imported by every browser test file: keeps a failed assertion reportable. web-test-runner copies
 * a test's error out of the page with structuredClone, and chai puts the compared values on it
 * (`actual`, `expected`); one that cannot be cloned (a class, a function, an element) breaks the
 * report, and the file then "does not finish" minutes later with its message lost. Such values are
 * replaced by their text, after the test and before the report.
 */
afterEach(function () {
  const err = this.currentTest?.err as { actual?: unknown; expected?: unknown } | undefined;
  if (!err) return;
  for (const key of ['actual', 'expected'] as const) {
    if (!(key in err)) continue;
    try {
      structuredClone(err[key]);
    } catch {
      err[key] = String(err[key]);
    }
  }
});
