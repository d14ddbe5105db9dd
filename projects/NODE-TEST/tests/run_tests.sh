#!/bin/bash
# Runs the hidden tests with node's own runner, its JUnit report going to $SE_TESTS_REPORT (the
# engine converts it). node exits 1 when a test fails; this exits 0 whenever the report was
# written, so only a broken runner fails the stage: the report decides the status.
node --test --test-reporter=junit --test-reporter-destination="$SE_TESTS_REPORT" \
  "$SE_TESTS_DIR"/*.test.cjs
code=$?
if [ "$code" -gt 1 ] || [ ! -s "$SE_TESTS_REPORT" ]; then
  echo "node --test failed (exit code $code) without a report" >&2
  exit 1
fi
echo "node --test exited with $code"
