// A @web/test-runner reporter that writes the counts of the run to a JSON file.
import { writeFileSync } from 'node:fs';

function count(suite, counts) {
  for (const t of suite?.tests ?? []) {
    if (t.skipped) counts.skipped++;
    else if (t.passed) counts.passed++;
    else counts.failed++;
  }
  for (const s of suite?.suites ?? []) count(s, counts);
}

export function countReporter(file) {
  return {
    onTestRunFinished({ sessions }) {
      const counts = { passed: 0, failed: 0, skipped: 0 };
      for (const session of sessions) {
        count(session.testResults, counts);
        // A file that failed to load or threw outside a test has errors but maybe no tests.
        if (!session.passed && (session.errors?.length ?? 0) > 0) counts.failed++;
      }
      if (file) writeFileSync(file, JSON.stringify(counts) + '\n');
    },
  };
}
