import { expect, oneEvent } from '@open-wc/testing';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import type { SeWorkspace } from '../../../src/elements/index.js';
import { backendUrl, learnerToken, record, shadow, unmountAll, until } from './helpers.js';

afterEach(() => unmountAll());

const names = [
  'se-ready',
  'se-state',
  'se-file-open',
  'se-file-change',
  'se-file-save',
  'se-scenario-start',
  'se-stage',
  'se-scenario-result',
  'se-terminal',
  'se-error',
  'se-token-expired',
];

type Rec = Array<{ type: string; detail: unknown }>;
const of = (rec: Rec, type: string) => rec.filter((e) => e.type === type).map((e) => e.detail);

describe('<se-workspace> events', () => {
  it('fires each event of the contract with its detail', async () => {
    const el = document.createElement('se-workspace') as SeWorkspace;
    el.setAttribute('backend', backendUrl());
    el.setAttribute('token', await learnerToken());
    const rec = record(el, names);
    const ready = oneEvent(el, 'se-ready');
    document.body.append(el);
    try {
      await ready;
      // se-ready: the tree, the scenarios and the terminal flag.
      const [r] = of(rec, 'se-ready') as Array<{
        files: Array<{ path: string }>;
        scenarios: Array<{ name: string; default: boolean }>;
        terminal: boolean;
      }>;
      expect(r.files.map((f) => f.path)).to.include('main.py');
      expect(r.scenarios).to.deep.equal([
        { name: 'run', default: true },
        { name: 'test', default: false },
      ]);
      expect(r.terminal).to.equal(true);
      // se-state: connecting first, then saved.
      const states = () => (of(rec, 'se-state') as Array<{ state: string }>).map((s) => s.state);
      expect(states()[0]).to.equal('connecting');
      await until(() => states().includes('saved'), 'the saved state');
      // se-file-open of the first file.
      expect(of(rec, 'se-file-open')[0]).to.deep.equal({ path: 'main.py', readOnly: false });

      // se-file-change by the learner's keystrokes, then se-file-save.
      await until(() => shadow(el).querySelector('.cm-content') !== null, 'the editor');
      (shadow(el).querySelector('.cm-content') as HTMLElement).focus();
      await sendKeys({ press: 'End' });
      await sendKeys({ type: '# typed' });
      await until(() => of(rec, 'se-file-save').length > 0, 'se-file-save');
      const change = of(rec, 'se-file-change').at(-1) as {
        path: string;
        content: string;
        byUser: boolean;
      };
      expect(change.path).to.equal('main.py');
      expect(change.byUser).to.equal(true);
      expect(change.content).to.contain('# typed');
      const save = of(rec, 'se-file-save')[0] as { path: string; version: string };
      expect(save.path).to.equal('main.py');
      expect(save.version).to.be.a('string').and.not.equal('');
      expect(states()).to.include('saving');
      // A host change reports byUser false.
      await el.setFileContent('main.py', 'print(1)\n');
      expect((of(rec, 'se-file-change').at(-1) as { byUser: boolean }).byUser).to.equal(false);

      // se-scenario-start, se-stage, se-scenario-result.
      const result = await el.runScenario('run');
      const [start] = of(rec, 'se-scenario-start') as Array<{ scenario: string; id: string }>;
      expect(start.scenario).to.equal('run');
      expect(start.id).to.be.a('string').and.not.equal('');
      const stages = of(rec, 'se-stage') as Array<{
        id: string;
        stage: { name: string; output: string };
      }>;
      expect(stages.length).to.be.greaterThan(0);
      expect(stages.every((s) => s.id === start.id)).to.equal(true);
      expect(stages.some((s) => s.stage.name === 'run' && s.stage.output === '1\n')).to.equal(true);
      const [res] = of(rec, 'se-scenario-result') as Array<Record<string, unknown>>;
      expect(res).to.deep.equal(result);
      expect(res.id).to.equal(start.id);
      expect(res.scenario).to.equal('run');
      expect(res.status).to.deep.include({ code: 15 });
      expect(Object.keys(res).sort()).to.deep.equal([
        'id',
        'scenario',
        'score',
        'stages',
        'status',
        'tests',
        'time',
      ]);
      expect(states()).to.include('running');

      // se-terminal when the terminal connects.
      shadow(el).querySelector<HTMLElement>('[role="tab"][data-panel="terminal"]')?.click();
      await until(() => of(rec, 'se-terminal').length > 0, 'se-terminal', 30000);
      expect(of(rec, 'se-terminal')[0]).to.deep.equal({ state: 'open', code: null, reason: '' });

      // se-error: a file that is not there.
      await el.openFile('no-such-file.py').catch(() => undefined);
      const [err] = of(rec, 'se-error') as Array<{ code: string; status: number }>;
      expect(err.code).to.equal('not_found');
      expect(err.status).to.equal(404);
    } finally {
      el.remove();
    }
  });

  it('fires se-token-expired when the host token has ended', async () => {
    const r = await executeServerCommand<{ token: string }, object>('se-sign-session', {
      widget: 'workspace-demo',
      sub: `expired-${Date.now()}`,
      actions: ['workspace'],
      ttlSeconds: 1,
    });
    await new Promise((res) => setTimeout(res, 1500));
    const el = document.createElement('se-workspace') as SeWorkspace;
    el.setAttribute('backend', backendUrl());
    el.setAttribute('token', r.token);
    const rec = record(el, ['se-token-expired', 'se-error', 'se-ready']);
    document.body.append(el);
    try {
      await until(
        () =>
          of(rec, 'se-token-expired').some((d) => (d as { reason: string }).reason === 'expired'),
        'se-token-expired with reason expired',
      );
      const ev = of(rec, 'se-token-expired')[0] as { reason: string; expiresAt: string };
      expect(['expiring', 'expired']).to.include(ev.reason);
      expect(Date.parse(ev.expiresAt)).to.be.lessThan(Date.now());
      expect(of(rec, 'se-ready')).to.deep.equal([]);
    } finally {
      el.remove();
    }
  });
});
