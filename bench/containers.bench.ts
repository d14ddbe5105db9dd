// The Containers module on this machine (issue 13's targets), each against a baseline measured in
// the same run:
// - create-to-running of a workspace (target under 300 ms), against one bare sandboxed run;
// - a scenario's wall time against the same commands run bare (bash, no sandbox) in this
//   process (target within 1.5x of bare plus 50 ms);
// - disk and processes of an idle workspace (target: no process), and idle workspaces held at once.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE, fixtureEngine, ms } from './containers-engine.js';

const HELD = Number(process.env.SE_BENCH_WORKSPACES ?? 40);

const { engine, dataDir, call } = await fixtureEngine('se-containers-bench-', HELD + 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  const project = (await call('GET', '/projects')).items.find(
    (p: { name: string }) => p.name === 'FIXTURE',
  ).id;

  // create-to-running
  const starts: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = process.hrtime.bigint();
    const w = (await call('POST', '/workspaces', { project_id: project })).workspace;
    while ((await call('GET', `/workspaces/${w.id}`)).state.code === 1)
      await new Promise((r) => setTimeout(r, 5));
    starts.push(ms(t0));
    ids.push(w.id);
  }
  // scenario wall time, against the same commands bare
  const id = ids[0]!;
  await call('POST', `/workspaces/${id}/files`, { filepath: 'answer.txt', filedata: '42' });
  const walls: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = process.hrtime.bigint();
    const sid = (await call('POST', `/workspaces/${id}/scenarios`, { scenario: 'tests' })).id;
    while ((await call('GET', `/submissions/${sid}`)).executing)
      await new Promise((r) => setTimeout(r, 5));
    walls.push(ms(t0));
  }
  const bareDir = mkdtempSync(join(tmpdir(), 'se-containers-bare-'));
  cpSync(join(FIXTURE, 'workspace'), bareDir, { recursive: true });
  const bare: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = process.hrtime.bigint();
    for (const cmd of [
      'echo building; echo warn >&2',
      'true',
      `SE_TESTS_REPORT=${bareDir}/r SE_TESTS_DIR=${FIXTURE}tests bash ${FIXTURE}tests/check.sh`,
      'echo post ran',
    ])
      spawnSync('/bin/bash', ['--norc', '--noprofile', '-c', cmd], {
        cwd: bareDir,
        stdio: 'ignore',
      });
    bare.push(ms(t0));
  }
  rmSync(bareDir, { recursive: true, force: true });

  // idle workspaces held at once: disk and processes
  for (let i = ids.length; i < HELD; i++) {
    const w = (await call('POST', '/workspaces', { project_id: project })).workspace;
    ids.push(w.id);
  }
  for (const w of ids)
    while ((await call('GET', `/workspaces/${w}`)).state.code === 1)
      await new Promise((r) => setTimeout(r, 5));
  const running = (await call('GET', '/workspaces?states[]=2&limit=30')).paging;
  void running;
  let disk = 0;
  for (const w of ids) {
    try {
      disk += statSync(join(dataDir, 'containers', 'workspaces', `${w}.img`)).blocks * 512;
    } catch {
      disk +=
        Number(
          execFileSync('du', ['-sk', join(dataDir, 'containers', 'workspaces', w)])
            .toString()
            .split('\t')[0],
        ) * 1024;
    }
  }
  const procs = spawnSync('ps', ['-e', '-o', 'uid='], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((u) => Number(u) >= 200_000).length;

  const start = median(starts);
  const wall = median(walls);
  const b = median(bare);
  const out = [
    `create-to-running, median of 7        ${start.toFixed(0).padStart(6)} ms   target under 300 ms: ${start < 300 ? 'met' : 'NOT met'}`,
    `scenario 'tests' (4 stages), median   ${wall.toFixed(0).padStart(6)} ms`,
    `the same 4 commands bare, median      ${b.toFixed(0).padStart(6)} ms`,
    `scenario / bare: x${(wall / b).toFixed(2)}; target within 1.5x of bare + 50 ms (${(1.5 * b + 50).toFixed(0)} ms): ${wall <= 1.5 * b + 50 ? 'met' : 'NOT met'}`,
    `idle workspaces held at once          ${String(ids.length).padStart(6)}   (SE_BENCH_WORKSPACES; slots ${HELD + 5})`,
    `disk per idle workspace               ${(disk / ids.length / 1024 / 1024).toFixed(2).padStart(6)} MiB`,
    `processes of idle workspaces          ${String(procs).padStart(6)}      target none: ${procs === 0 ? 'met' : 'NOT met'}`,
  ];
  process.stdout.write(out.join('\n') + '\n');
  for (const w of ids) await call('PUT', `/workspaces/${w}/remove`, {});
} finally {
  await engine.close();
  rmSync(dataDir, { recursive: true, force: true });
}
