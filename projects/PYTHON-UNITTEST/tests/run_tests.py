"""Runs the hidden tests on the learner's workspace and writes the JSON tests report.

Run with `python3 -I` (isolated: the workspace is not on sys.path while Python starts, so a planted
sitecustomize.py there is never imported). Exits 0 when the report was written, whatever the tests
said: the report decides the status.

A failure's message is the assertion's own (what was expected and what came), and an error's is
the traceback through the learner's files only: no line of the hidden tests reaches the learner.
"""
import json
import os
import sys
import time
import traceback
import unittest

tests_dir = os.environ["SE_TESTS_DIR"]
report_path = os.environ["SE_TESTS_REPORT"]
sys.path[:0] = [os.getcwd(), tests_dir]

entries = []


class Result(unittest.TestResult):
    def startTest(self, test):
        super().startTest(test)
        self._started = time.monotonic()

    def _add(self, test, status, detail=None):
        parts = test.id().rsplit(".", 1)
        entry = {
            "name": parts[-1],
            "classname": parts[0] if len(parts) > 1 else "",
            "status": status,
            "time": round(time.monotonic() - getattr(self, "_started", time.monotonic()), 6),
        }
        if detail is not None:
            entry[status] = detail
        entries.append(entry)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._add(test, "ok")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._add(test, "failure", learner_view(err))

    def addError(self, test, err):
        super().addError(test, err)
        self._add(test, "error", learner_view(err))


def learner_view(err):
    """The exception and the frames of the learner's own files (none of the hidden tests')."""
    etype, value, tb = err
    workspace = os.getcwd() + os.sep
    frames = [f for f in traceback.extract_tb(tb) if f.filename.startswith(workspace)]
    shown = "".join(traceback.format_list(frames))
    if shown:
        shown = "Traceback (most recent call last, in your files):\n" + shown
    return shown + "".join(traceback.format_exception_only(etype, value))


suite = unittest.defaultTestLoader.discover(tests_dir, pattern="test_*.py", top_level_dir=tests_dir)
suite.run(Result())
with open(report_path, "w", encoding="utf-8") as f:
    json.dump(entries, f)
print(f"{sum(e['status'] == 'ok' for e in entries)} of {len(entries)} tests passed")
