// The SDK drop-in's workspaces (/static/sdk/sdk.min.js) in Chromium: a page written as the hosted
// workspace documentation shows (test/embed/fixtures/hosted-workspace.html, only SE_BASE changed),
// the real backend serving the SDK and /embed/workspace, the real engine's workspaces behind it.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { SdkGlobal, SdkWorkspace } from '../../src/embed/index.js';
import { backendUrl, liveListeners, sleep, until, warnings } from './helpers.js';

const HASH = '0123456789abcdef0123456789abcdef';

type HostedWindow = Window & {
  SE: SdkGlobal;
  readyRan: string[];
  seen: Array<{ event: string; data: Record<string, unknown> }>;
};

let n = 0;
async function learnerToken(widget = 'hosted-workspace'): Promise<string> {
  const r = await executeServerCommand<{ token: string }, Record<string, unknown>>(
    'se-sign-session',
    { widget, sub: `sdk-ws-${Date.now().toString(36)}-${n++}`, actions: ['workspace'] },
  );
  if (!r?.token) throw new Error('no token from the se-sign-session command');
  return r.token;
}

interface Inside {
  present: boolean;
  alert: string | null;
  text: string;
  editor: string | null;
}
const inside = (widget = HASH) =>
  executeServerCommand('se-embed-frame', { widget, action: 'workspace' }) as Promise<Inside>;

const pages = new Set<HTMLIFrameElement>();
afterEach(() => {
  for (const p of pages) p.remove();
  pages.clear();
});

/** The fixture page in an iframe, its SDK pointed at the test backend, with this token. */
async function hostedWorkspace(token: string): Promise<{ win: HostedWindow; ws: SdkWorkspace }> {
  const iframe = document.createElement('iframe');
  iframe.setAttribute('allow', 'fullscreen');
  iframe.style.width = '900px';
  iframe.style.height = '900px';
  const url = new URL('/test/embed/fixtures/hosted-workspace.html', location.origin);
  url.searchParams.set('base', new URL(backendUrl()).host);
  url.searchParams.set('token', token);
  const loaded = new Promise((resolve) => iframe.addEventListener('load', resolve, { once: true }));
  iframe.src = url.href;
  document.body.append(iframe);
  pages.add(iframe);
  await loaded;
  const win = iframe.contentWindow as HostedWindow;
  await until(() => win.readyRan?.length === 1, 'the page’s SE.ready function');
  const ws = win.SE.workspace('example-workspace');
  if (!ws) throw new Error('no workspace');
  expect(await Promise.race([ws.ready, sleep(20000).then(() => 'no connection')])).to.equal(true);
  return { win, ws };
}

const of = (win: HostedWindow, event: string) => win.seen.filter((e) => e.event === event);

describe('SDK drop-in: a page written for the hosted workspaces', () => {
  it('finds the data-workspace placeholder and opens the learner’s workspace in a frame', async () => {
    const { win, ws } = await hostedWorkspace(await learnerToken());
    expect(win.readyRan).to.deep.equal(['found']);
    const frame = win.document.querySelector('[data-workspace] iframe') as HTMLIFrameElement;
    const src = new URL(frame.src);
    expect(src.pathname).to.equal('/embed/workspace');
    expect(src.searchParams.get('widget')).to.equal(HASH);
    expect(frame.src).to.not.match(/token/i);
    expect(win.SE.workspace('example-workspace')).to.equal(ws);
    const seen = warnings(win);
    expect(win.SE.workspace('no-such-workspace')).to.equal(null);
    // A workspace is not a widget: SE.widget says so.
    expect(win.SE.widget('example-workspace')).to.equal(null);
    expect(seen.some((s) => s.includes("'example-workspace' is a workspace"))).to.equal(true);
    // data-features="fullscreenmode" is known: no warning about it.
    expect(seen.some((s) => s.includes('feature'))).to.equal(false);
    let editor: string | null = null;
    for (const end = Date.now() + 15000; !editor?.includes('word_counts') && Date.now() < end;)
      editor = (await inside()).editor ?? (await sleep(200), null);
    expect(editor).to.contain('word_counts');
  });

  it('getFileContent answers with a fileContent event, and its promise resolves the text', async () => {
    const { win, ws } = await hostedWorkspace(await learnerToken());
    const text = await ws.getFileContent('main.py');
    expect(text).to.contain('def word_counts');
    expect(of(win, 'fileContent')).to.deep.equal([
      { event: 'fileContent', data: { path: 'main.py', content: text } },
    ]);
  });

  it('a learner’s scenario run: afterScenarioExecution and afterScenarioExecutionExt; getStageStream', async () => {
    const { win, ws } = await hostedWorkspace(await learnerToken());
    // The learner presses the default scenario's button (run) in the frame.
    await executeServerCommand('se-embed-frame', {
      widget: HASH,
      action: 'workspace-click',
      part: 'default-scenario',
    });
    await until(() => of(win, 'afterScenarioExecutionExt').length === 1, 'the events', 45000);
    const [plain] = of(win, 'afterScenarioExecution');
    const [ext] = of(win, 'afterScenarioExecutionExt');
    expect(plain!.data.scenario).to.equal('run');
    expect(Object.keys(plain!.data).sort()).to.deep.equal([
      'id',
      'scenario',
      'score',
      'stages',
      'status',
      'tests',
      'time',
    ]);
    expect((plain!.data.status as { code: number }).code).to.equal(15);
    expect(ext!.data).to.deep.equal(plain!.data);
    // getStageStream: the promise and the stageStream event.
    const out = await ws.getStageStream('run', 'stdout');
    expect(out).to.equal('{}\n'); // the template's word_counts() is still to be written
    expect(of(win, 'stageStream')).to.deep.equal([
      { event: 'stageStream', data: { stage: 'run', stream: 'stdout', content: out } },
    ]);
    // The promise variant of a run (ours), with tests.
    const test = await ws.runScenario('test');
    expect(test?.scenario).to.equal('test');
    expect(test?.tests?.length ?? 0).to.be.greaterThan(0);
    await until(() => of(win, 'afterScenarioExecution').length === 2, 'the second run');
    expect(of(win, 'afterScenarioExecution')[1]!.data).to.deep.equal(test);
  });

  it('a workspace added later: SE.create(id, element) with its own token', async () => {
    const { win } = await hostedWorkspace(await learnerToken());
    const el = win.document.createElement('div');
    el.dataset.workspace = 'hosted-workspace';
    el.dataset.workspaceToken = await learnerToken();
    win.document.body.prepend(el);
    const ws = win.SE.create<SdkWorkspace>('later', el)!;
    expect(await ws.ready).to.equal(true);
    expect(win.SE.workspace('later')).to.equal(ws);
    const got: unknown[] = [];
    ws.events.subscribe('fileContent', (e) => got.push(e.data.path));
    expect(await ws.getFileContent('main.py')).to.contain('word_counts');
    expect(got).to.deep.equal(['main.py']);
  });
});

describe('SDK drop-in: workspaces in full screen', () => {
  it('enterFullScreen and exitFullScreen follow the workspace’s own Full screen button', async () => {
    const { win, ws } = await hostedWorkspace(await learnerToken());
    ws.events.subscribe('enterFullScreen', (e) => win.seen.push(e as never));
    ws.events.subscribe('exitFullScreen', (e) => win.seen.push(e as never));
    (win.frameElement as HTMLElement).scrollIntoView();
    const frame = win.document.querySelector('[data-workspace] iframe');
    for (let attempt = 0; attempt < 3 && !win.document.fullscreenElement; attempt++) {
      // A learner's click (a user gesture) on the button inside the frame.
      await executeServerCommand('se-embed-frame', {
        widget: HASH,
        action: 'workspace-click',
        part: 'fullscreen-button',
      });
      await until(() => !!win.document.fullscreenElement, 'fullscreen', 3000).catch(() => {});
    }
    await until(() => of(win, 'enterFullScreen').length === 1, 'enterFullScreen');
    expect(win.document.fullscreenElement).to.equal(frame);
    expect(of(win, 'enterFullScreen')[0]).to.deep.equal({ event: 'enterFullScreen', data: {} });
    await win.document.exitFullscreen();
    await until(() => of(win, 'exitFullScreen').length === 1, 'exitFullScreen');
  });
});

describe('SDK drop-in: workspaces, bad input and destroy', () => {
  it('a token of another learner’s workspace: a warning, and the frame says why', async () => {
    const { win } = await hostedWorkspace(await learnerToken());
    const seen = warnings(win);
    const el = win.document.createElement('div');
    el.dataset.workspace = 'hosted-workspace';
    // A token for another workspace widget (workspace-policy), not the one the placeholder names.
    el.dataset.workspaceToken = await learnerToken('workspace-policy');
    win.document.body.prepend(el);
    const ws = win.SE.create<SdkWorkspace>('not-mine', el)!;
    await until(() => seen.some((s) => s.includes('not the learner')), 'the warning', 20000);
    expect(seen.find((s) => s.includes('not the learner'))).to.contain(
      `workspace 'not-mine' (data-workspace="hosted-workspace")`,
    );
    const frame = await inside('hosted-workspace');
    expect(frame.present).to.equal(false);
    expect(frame.alert).to.contain('is not the learner');
    expect(await ws.getFileContent('main.py')).to.equal(null);
    expect(of(win, 'fileContent')).to.deep.equal([]);
  });

  it('unknown workspace id, event, stream, feature: warnings naming them, nothing thrown', async () => {
    const { win, ws } = await hostedWorkspace(await learnerToken());
    const seen = warnings(win);
    expect(ws.events.subscribe('noSuchEvent' as 'ready', () => {})).to.equal(false);
    expect(ws.events.unsubscribe('noSuchEvent' as 'ready', () => {})).to.equal(false);
    expect(seen.filter((s) => s.includes("unknown event 'noSuchEvent'"))).to.have.length(2);
    // A Problems widget's event is not a workspace's.
    expect(ws.events.subscribe('checkStatus' as 'ready', () => {})).to.equal(false);
    expect(await ws.getStageStream('run', 'env' as 'stdout')).to.equal(null);
    expect(seen.some((s) => s.includes("unknown stream 'env'"))).to.equal(true);
    const el = win.document.createElement('div');
    el.dataset.workspace = 'no-such-workspace';
    el.dataset.features = 'fullscreenmode, hologram';
    win.document.body.prepend(el);
    const bad = win.SE.create<SdkWorkspace>('unknown', el)!;
    expect(seen.some((s) => s.includes("unknown feature 'hologram'"))).to.equal(true);
    await until(
      () => seen.some((s) => s.includes('data-workspace="no-such-workspace"')),
      'the warning',
      20000,
    );
    expect((await inside('no-such-workspace')).text).to.contain(
      'There is no widget “no-such-workspace”',
    );
    void bad.destroy();
  });

  it('destroy() leaves no frame and no listener; calls after it warn and resolve false or null', async () => {
    const { win } = await hostedWorkspace(await learnerToken());
    const live = liveListeners(win);
    const el = win.document.createElement('div');
    el.dataset.workspace = HASH;
    el.dataset.workspaceToken = await learnerToken();
    win.document.body.prepend(el);
    const ws = win.SE.create<SdkWorkspace>('temp', el)!;
    expect(await ws.ready).to.equal(true);
    expect(live.get('message')).to.equal(1);
    expect(live.get('fullscreenchange')).to.equal(1);
    const seen = warnings(win);
    expect(await ws.destroy()).to.equal(true);
    expect(el.querySelector('iframe')).to.equal(null);
    for (const [type, count] of live) expect(count, type).to.equal(0);
    expect(await ws.getFileContent('main.py')).to.equal(null);
    expect(await ws.getStageStream('run', 'stdout')).to.equal(null);
    expect(await ws.destroy()).to.equal(false);
    expect(ws.events.subscribe('fileContent', () => {})).to.equal(false);
    expect(seen.some((s) => s.includes("workspace 'temp' was destroyed"))).to.equal(true);
  });
});
