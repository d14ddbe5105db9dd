/**
 * A scenario's stages (init, build, run, test, post), each a sandboxed run with its own timeout,
 * a clean environment, a fixed PATH and a fresh HOME (runner.ts), and the status they decide:
 *
 * | stage | fails by                                   | status |
 * |-------|--------------------------------------------|--------|
 * | init  | exit != 0, a signal, its timeout           | 22 project error |
 * | build | exit != 0, a signal, its timeout           | 11 build error   |
 * | run   | its timeout                                | 13 time limit    |
 * | run   | exit != 0, a signal                        | 12 runtime error |
 * | test  | a report with a failure or an error        | 14 fail          |
 * | test  | timeout, a signal, a malformed report, or exit != 0 without a report | 22 |
 * | post  | never changes the status                   |        |
 *
 * A failing stage skips the stages after it but post. The sandbox failing is 20. The test
 * stage's report is read from /.se-report/report, a folder made empty for that stage alone: no
 * earlier stage can plant it.
 */
import {
  chownSync,
  closeSync,
  constants,
  fstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ContainersStreamName, StageName, StageResult } from '../../shared/containers.js';
import { statusName } from '../../shared/status.js';
import type { StageOutcome } from '../exec/types.js';
import type { ScenarioConfig } from './config.js';
import { parseTestsReport, type TestsReportEntry } from './reports.js';
import {
  REPORT_DIR,
  REPORT_FILE,
  TESTS_DIR,
  type PreparedRun,
  type WorkspaceRunner,
  type WorkspaceTarget,
} from './runner.js';

export const STAGES: readonly StageName[] = ['init', 'build', 'run', 'test', 'post'];

/** Limits every stage shares (the timeout is the stage's own). */
export interface StageCaps {
  memoryBytes: number;
  pids: number;
  /** the largest file a stage may write */
  fileBytes: number;
  /** each of stdout and stderr */
  outputBytes: number;
  /** the auxdata archive */
  auxdataBytes: number;
}

export interface ScenarioInput {
  name: string;
  scenario: ScenarioConfig;
  /** host folder of the project's hidden tests (reachable by the uid), or null */
  tests: string | null;
  /** a folder of the engine's, reachable by the uid, for the report folder of the test stage */
  scratch: string;
  /**
   * Keep a tar.gz of the workspace as the first stage finds it, of at most this many bytes (the
   * submission's source), taken by that stage's sandbox before its command (runner.ts).
   */
  snapshotBytes?: number;
}

export interface ScenarioOutcome {
  status: number;
  stages: Record<StageName, StageResult>;
  time: number;
  memoryKb: number;
  signal: number;
  score: number;
  report: TestsReportEntry[] | null;
  streams: Partial<Record<ContainersStreamName, Buffer>>;
  debugLog: string[];
  /** what the operator's log should get (a sandbox failure) */
  internalError: string | null;
  /** with `snapshotBytes`: the archive, or why there is none (no stage ran: `not-taken`) */
  snapshot: { data: Buffer } | { error: 'too-large' | 'failed' | 'not-taken' } | null;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function skipped(): StageResult {
  return { time: 0, skipped: true, exit_code: null, signal: null, status_changed_to: null };
}

/** Runs the stages of `input.scenario` in the workspace `ws`. */
export async function runScenario(
  runner: WorkspaceRunner,
  ws: WorkspaceTarget,
  input: ScenarioInput,
  caps: StageCaps,
): Promise<ScenarioOutcome> {
  const stages = Object.fromEntries(STAGES.map((s) => [s, skipped()])) as Record<
    StageName,
    StageResult
  >;
  const streams: ScenarioOutcome['streams'] = {};
  const debugLog: string[] = [];
  let status = 15;
  let failedAt: StageName | null = null;
  let internalError: string | null = null;
  let memoryKb = 0;
  let signal = 0;
  let report: TestsReportEntry[] | null = null;
  let snapshot: ScenarioOutcome['snapshot'] =
    input.snapshotBytes === undefined ? null : { error: 'not-taken' };

  const change = (stage: StageName, code: number, desc: string | null) => {
    status = code;
    failedAt = stage;
    stages[stage].status_changed_to = { code, name: statusName(code), desc };
    debugLog.push(`${stage}: status ${code} (${statusName(code)})${desc ? `: ${desc}` : ''}`);
  };

  const runnable = STAGES.filter((stage) => {
    const cfg = input.scenario.stages[stage];
    return cfg && cfg.command !== null && !cfg.skip;
  });
  /** A stage set up in its sandbox, waiting for `run.go()` (runner.ts, `prepare`). */
  interface Planned {
    stage: StageName;
    cfg: NonNullable<ScenarioConfig['stages'][StageName]>;
    reportDir: string | null;
    snapshotFile: string | null;
    run: PreparedRun;
  }
  const plan = (stage: StageName, first: boolean): Planned => {
    const cfg = input.scenario.stages[stage]!;
    let reportDir: string | null = null;
    const mounts = [];
    if (stage === 'test') {
      reportDir = mkdtempSync(join(input.scratch, 'report-'));
      if (process.getuid?.() === 0) chownSync(reportDir, ws.uid, ws.uid);
      mounts.push({ target: REPORT_DIR, host: reportDir, writable: true });
      if (input.tests) mounts.push({ target: TESTS_DIR, host: input.tests, writable: false });
    }
    // the first stage takes the snapshot (the submission's source) before its command
    const snapshotFile =
      first && input.snapshotBytes !== undefined
        ? join(input.scratch, `snapshot-${randomBytes(6).toString('hex')}`)
        : null;
    const run = runner.prepare(ws, {
      argv: ['/bin/bash', '--norc', '--noprofile', '-c', cfg.command!],
      env: {
        SE_SCENARIO: input.name,
        SE_STAGE: stage,
        ...(stage === 'test' ? { SE_TESTS_DIR: TESTS_DIR, SE_TESTS_REPORT: REPORT_FILE } : {}),
      },
      limits: {
        cpuSec: cfg.timeout,
        wallMs: cfg.timeout * 1000,
        memoryBytes: caps.memoryBytes,
        pids: caps.pids,
        nofile: 1024,
        fsizeBytes: caps.fileBytes,
        stackBytes: 64 * 1024 * 1024,
        tmpBytes: 256 * 1024 * 1024,
      },
      outputCapBytes: caps.outputBytes,
      mounts,
      readOnlyBinds: true,
      ...(snapshotFile ? { snapshot: { file: snapshotFile, capBytes: input.snapshotBytes! } } : {}),
    });
    return { stage, cfg, reportDir, snapshotFile, run };
  };
  const drop = (p: Planned) => {
    p.run.cancel();
    if (p.reportDir) rmSync(p.reportDir, { recursive: true, force: true });
  };

  let next: Planned | null = null;
  for (let i = 0; i < runnable.length; i++) {
    const stage = runnable[i]!;
    if (failedAt !== null && stage !== 'post') continue;
    const current: Planned = next?.stage === stage ? next : plan(stage, i === 0);
    if (next && next !== current) drop(next);
    next = null;
    const { cfg, reportDir, snapshotFile } = current;
    const running = current.run.go();
    // the stage after this one is set up while this one runs (it is dropped if not wanted)
    const following = runnable[i + 1];
    if (following) next = plan(following, false);
    const out: StageOutcome = await running;
    if (snapshotFile) snapshot = takeSnapshot(snapshotFile, out, input.snapshotBytes!);
    const r = stages[stage];
    r.skipped = false;
    r.time = round(out.wallMs / 1000);
    r.exit_code = out.exitCode;
    r.signal = out.signal || null;
    memoryKb = Math.max(memoryKb, out.memoryKb);
    if (out.signal) signal = out.signal;
    if (cfg.redirect_streams_to !== 'none') {
      streams[`stage_${stage}_output`] = out.stdout;
      streams[`stage_${stage}_error`] = out.stderr;
    }
    if (out.internalError) {
      internalError = out.internalError;
      if (reportDir) rmSync(reportDir, { recursive: true, force: true });
      if (stage !== 'post') change(stage, 20, 'the sandbox failed');
      continue;
    }
    const timedOut =
      out.reason?.kind === 'wall_time' || out.reason?.kind === 'cpu_time' || out.status === 13;
    const failed = out.exitCode !== 0 || out.signal !== 0 || out.status !== 0;
    const why = timedOut
      ? `stopped after its timeout of ${cfg.timeout} s`
      : out.signal
        ? `killed by signal ${out.signal}`
        : `exit code ${out.exitCode}`;
    if (stage === 'init' && failed) change(stage, 22, `the init stage failed: ${why}`);
    else if (stage === 'build' && failed) change(stage, 11, `the build failed: ${why}`);
    else if (stage === 'run' && timedOut) change(stage, 13, why);
    else if (stage === 'run' && failed) change(stage, 12, why);
    else if (stage === 'test') {
      const data = reportDir ? readReport(reportDir) : null;
      if (reportDir) rmSync(reportDir, { recursive: true, force: true });
      if (timedOut || out.signal) change(stage, 22, `the test stage broke: ${why}`);
      else if (data === 'bad')
        change(stage, 22, 'the tests report is not a regular file of at most 4 MiB');
      else if (data) {
        const parsed = parseTestsReport(data);
        if (!parsed.ok) change(stage, 22, `malformed tests report: ${parsed.reason}`);
        else {
          report = parsed.entries;
          streams.tests_report = Buffer.from(parsed.json);
          const bad = parsed.entries.filter((e) => e.status !== 'ok');
          if (bad.length)
            change(
              stage,
              14,
              `${bad.length} of ${parsed.entries.length} tests failed: ` +
                bad
                  .slice(0, 10)
                  .map((e) => e.name)
                  .join(', '),
            );
        }
      } else if (failed) change(stage, 22, `the test stage wrote no report and ended with ${why}`);
    }
  }
  if (next) drop(next);
  const time = round(STAGES.reduce((t, s) => t + stages[s].time, 0));
  const passed = report ? report.filter((e) => e.status === 'ok').length : 0;
  const score = report && report.length ? round((passed / report.length) * 100) : 0;
  return {
    status,
    stages,
    time,
    memoryKb,
    signal,
    score,
    report,
    streams,
    debugLog,
    internalError,
    snapshot,
  };
}

/** The snapshot a stage's sandbox wrote to `file` (then removed). */
function takeSnapshot(file: string, out: StageOutcome, cap: number): ScenarioOutcome['snapshot'] {
  try {
    if (!out.pre) return { error: out.internalError ? 'not-taken' : 'failed' };
    if (out.pre.killed) return { error: 'failed' };
    const data = readFileSync(file);
    if (data.length > cap || out.truncatedFds?.length) return { error: 'too-large' };
    return data.length ? { data } : { error: 'failed' };
  } catch {
    return { error: 'failed' };
  } finally {
    rmSync(file, { force: true });
  }
}

/** The most a tests report may hold. */
const REPORT_BYTES = 4 * 1024 * 1024;

/**
 * The report the test stage left in its own folder (every process of the stage is gone): null
 * when there is none, 'bad' when it is not a regular file (a symlink is never followed) or too big.
 */
function readReport(dir: string): Buffer | null | 'bad' {
  let fd: number;
  try {
    fd = openSync(
      join(dir, 'report'),
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
    );
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? null : 'bad';
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > REPORT_BYTES) return 'bad';
    const buf = Buffer.alloc(st.size);
    let at = 0;
    while (at < buf.length) {
      const n = readSync(fd, buf, at, buf.length - at, at);
      if (n === 0) break;
      at += n;
    }
    return buf.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}
