// A node:test reporter for scripts/vm/run-tests.mjs: one JSON line with the counts (counted as
// scripts/node-count-reporter.mjs counts them) and, for each failure, its file, its name with the
// suites above it, and the first lines of its error.
const MAX_LINES = 4;

function firstLines(error) {
  const e = error?.cause ?? error;
  let text = String(e?.message ?? e ?? 'unknown error');
  if (!text.trim() && e) {
    // assert.ok(x) with no message: name where it failed and what it got
    const at = String(e.stack ?? '')
      .split('\n')
      .find((l) => /\.test\.ts:\d+/.test(l));
    text = `${e.name ?? 'Error'}${at ? ` ${at.trim()}` : ''}`;
    if ('actual' in e)
      text += `: got ${JSON.stringify(e.actual)}, expected ${JSON.stringify(e.expected)}`;
  }
  const lines = text.split('\n').filter((l) => l.trim());
  return lines.slice(0, MAX_LINES).join('\n').slice(0, 600);
}

export default async function* failureReporter(source) {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const failures = [];
  const names = new Map(); // file -> names of the tests open at each nesting level
  for await (const event of source) {
    const data = event.data;
    if (event.type === 'test:start') {
      const stack = names.get(data.file) ?? [];
      stack[data.nesting] = data.name;
      stack.length = data.nesting + 1;
      names.set(data.file, stack);
      continue;
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const stack = names.get(data.file) ?? [];
    const path = [...stack.slice(0, data.nesting), data.name].join(' > ');
    const failure = () =>
      failures.push({
        file: data.file ?? null,
        name: path,
        error: firstLines(data.details?.error),
      });
    if (data.details?.type === 'suite') {
      // A suite that failed outside its tests (a hook, an import) still counts as a failure.
      if (event.type === 'test:fail' && data.details?.error?.failureType !== 'subtestsFailed') {
        counts.failed++;
        failure();
      }
      continue;
    }
    if (data.skip || data.todo) counts.skipped++;
    else if (event.type === 'test:pass') counts.passed++;
    else {
      counts.failed++;
      failure();
    }
  }
  yield JSON.stringify({ counts, failures }) + '\n';
}
