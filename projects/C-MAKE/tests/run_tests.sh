#!/bin/bash
# Runs ./main on each hidden N.in and compares its output with N.out (trailing spaces and the
# final newline ignored); writes the JSON tests report to $SE_TESTS_REPORT. Exits 0 when the
# report was written: the report decides the status. No learner output goes into the report, so
# it needs no escaping.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
entries=()
for input in "$SE_TESTS_DIR"/*.in; do
  n=$(basename "$input" .in)
  start=$EPOCHREALTIME
  timeout 5 ./main < "$input" > "$out" 2> /dev/null
  code=$?
  time=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
  if [ "$code" -eq 124 ]; then
    entries+=("{\"name\":\"test $n\",\"classname\":\"output\",\"status\":\"error\",\"time\":$time,\"error\":\"timed out after 5 s\"}")
  elif [ "$code" -ne 0 ]; then
    entries+=("{\"name\":\"test $n\",\"classname\":\"output\",\"status\":\"error\",\"time\":$time,\"error\":\"exited with code $code\"}")
  elif diff -q <(sed 's/[[:space:]]*$//' "$out") <(sed 's/[[:space:]]*$//' "$SE_TESTS_DIR/$n.out") > /dev/null; then
    entries+=("{\"name\":\"test $n\",\"classname\":\"output\",\"status\":\"ok\",\"time\":$time}")
  else
    entries+=("{\"name\":\"test $n\",\"classname\":\"output\",\"status\":\"failure\",\"time\":$time,\"failure\":\"the output differs from the expected output\"}")
  fi
done
(IFS=,; printf '[%s]\n' "${entries[*]}") > "$SE_TESTS_REPORT"
echo "${#entries[@]} tests run"
