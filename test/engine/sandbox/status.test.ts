// SANDBOX.md's outcome-to-status table, row by row, in its order (first match wins).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decideStatus,
  type InitReport,
  type StatusInput,
} from '../../../src/engine/sandbox/index.js';

const ok: InitReport = {
  exit: 0,
  signal: 0,
  cpu_ms: 100,
  maxrss_kb: 5000,
  wall_ms: 120,
  wall_killed: 0,
  stopped: 0,
  exec_errno: 0,
};
const base: StatusInput = {
  stage: 'run',
  report: ok,
  setupError: null,
  engineStop: null,
  oomKills: 0,
  cpuLimitSec: 1,
  outputTruncated: false,
};
const status = (over: Partial<StatusInput>, report: Partial<InitReport> = {}) =>
  decideStatus({ ...base, ...over, report: over.report === null ? null : { ...ok, ...report } })
    .status;

describe('outcome to status', () => {
  it('compile stage: any failure, time or memory kill is 11; success is 0', () => {
    assert.equal(status({ stage: 'compile' }, { exit: 1 }), 11);
    assert.equal(status({ stage: 'compile' }, { signal: 9, wall_killed: 1 }), 11);
    assert.equal(status({ stage: 'compile', oomKills: 1 }, { signal: 9 }), 11);
    assert.equal(status({ stage: 'compile', outputTruncated: true }, { signal: 9 }), 11);
    assert.equal(status({ stage: 'compile' }), 0);
  });

  it('sandbox setup failures are 20, in both stages', () => {
    assert.equal(status({ setupError: 'cgroup: EACCES' }), 20);
    assert.equal(status({ stage: 'compile', setupError: 'spawn: ENOENT' }), 20);
    assert.equal(status({ report: null }), 20);
    assert.equal(status({}, { exec_errno: 2, exit: 127 }), 20);
    assert.equal(status({ programInBox: true }, { exec_errno: 13, exit: 127 }), 12);
  });

  it('a rise of the oom_kill counter is 17, before time', () => {
    assert.equal(status({ oomKills: 1 }, { signal: 9 }), 17);
    assert.equal(status({ oomKills: 1 }, { signal: 9, wall_killed: 1 }), 17);
  });

  it('the wall timer, SIGXCPU or CPU over the limit is 13', () => {
    assert.equal(status({}, { signal: 9, wall_killed: 1 }), 13);
    assert.equal(status({ engineStop: 'wall', report: null }), 13);
    assert.equal(status({}, { signal: 24 }), 13);
    assert.equal(status({}, { cpu_ms: 1001 }), 13);
    assert.equal(status({ cpuLimitSec: 0.5 }, { cpu_ms: 600 }), 13);
  });

  it('SIGSYS is 19', () => {
    assert.equal(status({}, { signal: 31 }), 19);
  });

  it('output over the cap, another signal or a non-zero exit is 12', () => {
    assert.equal(
      status({ outputTruncated: true, engineStop: 'output' }, { signal: 9, stopped: 1 }),
      12,
    );
    assert.equal(status({ outputTruncated: true, engineStop: 'output', report: null }), 12);
    assert.equal(status({}, { signal: 11 }), 12);
    assert.equal(status({}, { exit: 1 }), 12);
    assert.equal(status({ engineStop: 'caller' }, { signal: 9, stopped: 1 }), 12);
  });

  it('exit 0 inside the limits is 0', () => {
    assert.equal(status({}), 0);
    assert.equal(status({}, { cpu_ms: 1000 }), 0);
  });
});
