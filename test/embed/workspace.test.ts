// embedWorkspace() end to end in Chromium: the host SDK (from source) on the test page, the
// /embed/workspace page and its script from the real backend (another origin), the real engine's
// workspaces behind it.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import {
  embedWorkspace,
  type EmbedWorkspaceEventMap,
  type EmbedWorkspaceHandle,
} from '../../src/embed/index.js';
import { MAX_MESSAGE_BYTES, randomNonce, WORKSPACE_EVENTS } from '../../src/embed/protocol.js';
import {
  backendOrigin,
  backendUrl,
  container,
  frameAxeFindings,
  nextWorkspace,
  sleep,
  spyMessageListeners,
  until,
} from './helpers.js';

interface Inside {
  present: boolean;
  theme: string | null;
  terminal: string | null;
  text: string;
  alert: string | null;
  editor: string | null;
  focused: string | null;
  fill: boolean;
  innerHeight: number;
  innerWidth: number;
  scrollHeight: number;
  scrollWidth: number;
  elementBottom: number | null;
  barBottom: number | null;
}

/** What is inside the (cross-origin) workspace frame of `widget`. */
function probe(widget: string): Promise<Inside> {
  return executeServerCommand('se-embed-frame', { widget, action: 'workspace' }) as Promise<Inside>;
}

let n = 0;
/** A host-signed workspace session of a new learner. */
async function learnerToken(
  widget = 'workspace-demo',
  extra: Record<string, unknown> = {},
): Promise<string> {
  const r = await executeServerCommand<{ token: string }, Record<string, unknown>>(
    'se-sign-session',
    {
      widget,
      sub: `embed-ws-${Date.now().toString(36)}-${n++}`,
      actions: ['workspace'],
      ...extra,
    },
  );
  if (!r?.token) throw new Error('no token from the se-sign-session command');
  return r.token;
}

const handles = new Set<EmbedWorkspaceHandle>();
function embed(options: Partial<Parameters<typeof embedWorkspace>[1]> = {}, box = container()) {
  const h = embedWorkspace(box, { backend: backendUrl(), widget: 'workspace-demo', ...options });
  handles.add(h);
  return h;
}
afterEach(() => {
  for (const h of handles) h.destroy();
  handles.clear();
  for (const f of document.querySelectorAll('div > iframe')) f.parentElement?.remove();
});

const next = nextWorkspace;

/** Reads a file from the backend as the learner (not through the frame). */
async function backendFile(token: string, path: string): Promise<string> {
  const r = await fetch(`${backendUrl()}/v1/workspace/file?path=${encodeURIComponent(path)}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!r.ok) throw new Error(`GET ${path}: ${r.status}`);
  return ((await r.json()) as { content: string }).content;
}

/** Creates a file in the learner's workspace on the backend (not through the frame). */
async function backendWrite(token: string, path: string, content: string): Promise<void> {
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const created = await fetch(`${backendUrl()}/v1/workspace/files`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ path, type: 'file' }),
  });
  if (!created.ok) throw new Error(`POST files ${path}: ${created.status}`);
  const r = await fetch(`${backendUrl()}/v1/workspace/file`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({ path, content }),
  });
  if (!r.ok) throw new Error(`PUT ${path}: ${r.status} ${await r.text()}`);
}

describe('embedWorkspace: the iframe and the handshake', () => {
  it('creates a titled iframe of /embed/workspace, permissions before the address, no token in it', async () => {
    const token = await learnerToken();
    const box = container();
    const h = embed({ token, terminal: 'hidden' }, box);
    const names = h.iframe.getAttributeNames();
    expect(names.indexOf('allow')).to.be.lessThan(names.indexOf('src'));
    expect(h.iframe.getAttribute('allow')).to.equal('clipboard-write; fullscreen');
    expect(h.iframe.title).to.equal('Coding workspace');
    expect(h.iframe.parentElement).to.equal(box);
    const src = new URL(h.iframe.src);
    expect(src.origin).to.equal(backendOrigin());
    expect(src.pathname).to.equal('/embed/workspace');
    expect(src.searchParams.get('widget')).to.equal('workspace-demo');
    expect(src.searchParams.get('terminal')).to.equal('hidden');
    expect(h.iframe.src).to.not.match(/token/i);
    expect(h.iframe.src).to.not.include(token.split('.')[2]!);
    const connect = next(h, 'connect');
    const ready = await next(h, 'se-ready');
    expect((await connect).widget).to.equal('workspace-demo');
    expect(ready.files.map((f) => f.path)).to.include('main.py');
    expect(ready.scenarios.map((s) => s.name)).to.deep.equal(['run', 'test']);
    expect((await probe('workspace-demo')).terminal).to.equal('hidden');
  });

  it('ignores an announce from a frame of another origin', async () => {
    const Original = window.MessageChannel;
    let channels = 0;
    window.MessageChannel = class extends Original {
      constructor() {
        super();
        channels++;
      }
    };
    try {
      const h = embed({ token: await learnerToken() });
      await h.ready;
      expect(channels).to.equal(1);
      const announced = new Promise<void>((resolve) => {
        const onMessage = (e: MessageEvent) => {
          if (e.source === h.iframe.contentWindow && e.origin === location.origin) {
            window.removeEventListener('message', onMessage);
            resolve();
          }
        };
        window.addEventListener('message', onMessage);
      });
      // The right window, the wrong origin: a page of the test server announcing itself.
      h.iframe.src = new URL('/test/embed/fixtures/announce.html', location.href).href;
      await announced;
      await sleep(400);
      expect(channels).to.equal(1);
    } finally {
      window.MessageChannel = Original;
    }
  });

  it('refuses a token of another workspace widget: se-error, and the page says why', async () => {
    const h = embed({ token: await learnerToken('workspace-policy') });
    const err = await next(h, 'se-error');
    expect(err.code).to.equal('forbidden');
    expect(err.message).to.contain('not the learner');
    const inside = await probe('workspace-demo');
    expect(inside.present).to.equal(false);
    expect(inside.alert).to.contain('is not the learner');
    let failure: unknown = null;
    await h.getFileContent('main.py').catch((e: unknown) => (failure = e));
    expect(String(failure)).to.contain('not the learner');
  });
});

describe('embedWorkspace: each method over the channel', () => {
  it('setFileContent, flush, getFileContent and openFile reach the real workspace', async () => {
    const token = await learnerToken();
    // A second file, written by the learner elsewhere (another tab) before the frame opens.
    await backendWrite(token, 'notes.txt', 'a note of the learner');
    const h = embed({ token });
    await next(h, 'se-ready');
    const saved = next(h, 'se-file-save');
    await h.setFileContent('main.py', 'print("from the host")\n');
    expect(await h.getFileContent('main.py')).to.equal('print("from the host")\n');
    await h.flush();
    expect((await saved).path).to.equal('main.py');
    // Saved in the learner's workspace on the backend, not only in the frame's editor.
    expect(await backendFile(token, 'main.py')).to.equal('print("from the host")\n');
    const opened = next(h, 'se-file-open');
    await h.openFile('notes.txt');
    expect(await opened).to.deep.equal({ path: 'notes.txt', readOnly: false });
    expect((await probe('workspace-demo')).editor).to.equal('a note of the learner');
    let failure: unknown = null;
    await h.openFile('no-such-file.py').catch((e: unknown) => (failure = e));
    expect(String(failure)).to.contain("No file 'no-such-file.py'");
  });

  it('runScenario gives the result with tests; getStageStream reads a stage of it', async () => {
    const h = embed({ token: await learnerToken() });
    await next(h, 'se-ready');
    await h.setFileContent('main.py', 'print(6 * 7)\n');
    const run = await h.runScenario('run');
    expect(run?.scenario).to.equal('run');
    expect(run?.status.code).to.equal(15);
    expect(await h.getStageStream('run', 'stdout')).to.equal('42\n');
    expect(await h.getStageStream('run', 'stderr')).to.equal('');
    expect(await h.getStageStream('no-such-stage', 'stdout')).to.equal(null);
    const resultEvent = next(h, 'se-scenario-result', 60000);
    const test = await h.runScenario('test');
    expect(test?.scenario).to.equal('test');
    expect(test?.tests?.length ?? 0).to.be.greaterThan(0);
    expect(test!.tests!.every((t) => typeof t.name === 'string')).to.equal(true);
    // The template fails its tests: not every one is ok.
    expect(test!.tests!.some((t) => t.status !== 'ok')).to.equal(true);
    expect(await resultEvent).to.deep.equal(test);
  });

  it('reset(path) puts a file back to the template; setTheme and focus act in the frame', async () => {
    const token = await learnerToken();
    const h = embed({ token });
    await next(h, 'se-ready');
    const template = await h.getFileContent('main.py');
    await h.setFileContent('main.py', 'x = 1\n');
    await h.flush();
    expect(await backendFile(token, 'main.py')).to.equal('x = 1\n');
    await h.reset('main.py');
    expect(await h.getFileContent('main.py')).to.equal(template);
    expect(await backendFile(token, 'main.py')).to.equal(template);
    await h.setTheme('dark');
    expect((await probe('workspace-demo')).theme).to.equal('dark');
    await h.focus();
    await until(() => document.activeElement === h.iframe, 'focus in the iframe');
    expect((await probe('workspace-demo')).focused).to.contain('cm-content');
  });

  it('queues calls given before the handshake, and rejects one over the size cap', async () => {
    const h = embed({ token: await learnerToken() });
    const set = h.setFileContent('main.py', 'print("early")\n');
    const got = h.getFileContent('main.py');
    await set;
    expect(await got).to.equal('print("early")\n');
    let error: unknown = null;
    await h.setFileContent('main.py', 'x'.repeat(MAX_MESSAGE_BYTES + 1)).catch((e) => (error = e));
    expect(error).to.be.instanceOf(RangeError);
  });
});

describe('embedWorkspace: events', () => {
  it('mirrors every event of <se-workspace>', async () => {
    const seen = new Map<string, unknown[]>();
    const listen = (h: EmbedWorkspaceHandle) => {
      for (const name of WORKSPACE_EVENTS)
        h.on(name, (d) => seen.set(name, [...(seen.get(name) ?? []), d]));
    };
    const token = await learnerToken();
    const h = embed({ token, terminal: 'open' });
    listen(h);
    await next(h, 'se-ready');
    await h.setFileContent('main.py', 'print(1)\n');
    await h.flush();
    const result = await h.runScenario('run');
    await h.createEntry('notes', 'dir');
    await h.createEntry('notes/a.txt');
    await h.renameEntry('notes/a.txt', 'notes/b.txt');
    await h.deleteEntry('notes');
    await h.openFile('no-such-file.py').catch(() => undefined);
    await until(() => seen.has('se-terminal'), 'se-terminal', 30000);
    // A learner whose token has ended: se-token-expired (a second frame).
    const expired = await learnerToken('workspace-demo', { ttlSeconds: 1 });
    await sleep(1500);
    const h2 = embed({ token: expired });
    listen(h2);
    await until(() => seen.has('se-token-expired'), 'se-token-expired', 30000);
    expect([...seen.keys()].sort()).to.deep.equal([...WORKSPACE_EVENTS].sort());
    // Each with the element's detail.
    const ready = seen.get('se-ready')![0] as EmbedWorkspaceEventMap['se-ready'];
    expect(ready.terminal).to.equal(true);
    const states = (seen.get('se-state') as EmbedWorkspaceEventMap['se-state'][]).map(
      (s) => s.state,
    );
    expect(states).to.include.members(['connecting', 'saved', 'running']);
    expect(seen.get('se-file-open')![0]).to.deep.equal({ path: 'main.py', readOnly: false });
    expect(seen.get('se-file-change')!.at(-1)).to.deep.equal({
      path: 'main.py',
      content: 'print(1)\n',
      byUser: false,
    });
    expect((seen.get('se-file-save')![0] as { path: string }).path).to.equal('main.py');
    expect(seen.get('se-file-create')).to.deep.equal([
      { path: 'notes', type: 'dir' },
      { path: 'notes/a.txt', type: 'file' },
    ]);
    expect(seen.get('se-file-rename')).to.deep.equal([
      { from: 'notes/a.txt', to: 'notes/b.txt', type: 'file' },
    ]);
    expect(seen.get('se-file-delete')).to.deep.equal([{ path: 'notes', type: 'dir' }]);
    expect(await h.getFileContent('notes/b.txt').catch(() => 'gone')).to.equal('gone');
    const start = seen.get('se-scenario-start')![0] as { scenario: string; id: string };
    expect(start).to.deep.equal({ scenario: 'run', id: result!.id });
    const stages = seen.get('se-stage') as EmbedWorkspaceEventMap['se-stage'][];
    expect(stages.some((s) => s.stage.name === 'run' && s.stage.output === '1\n')).to.equal(true);
    expect(seen.get('se-scenario-result')).to.deep.equal([result]);
    expect(seen.get('se-terminal')![0]).to.deep.equal({ state: 'open', code: null, reason: '' });
    const errors = seen.get('se-error') as Array<{ code: string }>;
    expect(errors.some((e) => e.code === 'not_found')).to.equal(true);
    const ended = seen.get('se-token-expired')![0] as { reason: string };
    expect(['expiring', 'expired']).to.include(ended.reason);
  });
});

/** A /embed/workspace page announced, with a hand-made handshake: the test holds the port. */
async function rawWorkspace(token: string): Promise<{ port: MessagePort; replies: unknown[] }> {
  const iframe = document.createElement('iframe');
  iframe.title = 'Raw workspace embed';
  const announced = new Promise<void>((resolve) => {
    const onMessage = (e: MessageEvent) => {
      if (
        e.source === iframe.contentWindow &&
        (e.data as { t?: string })?.t === 'se:frame.announce'
      ) {
        window.removeEventListener('message', onMessage);
        resolve();
      }
    };
    window.addEventListener('message', onMessage);
  });
  iframe.src = `${backendUrl()}/embed/workspace?widget=workspace-demo&sdk=1`;
  container().append(iframe);
  await announced;
  const channel = new MessageChannel();
  const replies: unknown[] = [];
  const nonce = randomNonce();
  const ready = new Promise<void>((resolve) => {
    channel.port1.onmessage = (e) => {
      replies.push(e.data);
      const d = e.data as { t?: string; p?: { nonce?: string } };
      if (d.t === 'se:frame.ready' && d.p?.nonce === nonce) resolve();
    };
  });
  iframe.contentWindow!.postMessage(
    { t: 'se:host.connect', v: 1, p: { nonce, token } },
    backendOrigin(),
    [channel.port2],
  );
  await ready;
  return { port: channel.port1, replies };
}

const repliesTo = (replies: unknown[], id: string) =>
  replies.filter(
    (r) =>
      (r as { t?: string; id?: string }).t === 'se:command.reply' &&
      (r as { id?: string }).id === id,
  ) as Array<{ p: { ok: boolean; value?: unknown; error?: string } }>;

describe('the /embed/workspace page enforces the protocol', () => {
  it('answers valid commands and drops unknown, malformed, solve-only and oversized ones', async () => {
    const { port, replies } = await rawWorkspace(await learnerToken());
    const bad: Array<[string, unknown]> = [
      ['unknown', { t: 'se:file.explode', v: 1, id: 'unknown', p: { path: 'main.py' } }],
      ['solve', { t: 'se:code.get', v: 1, id: 'solve', p: {} }],
      ['version', { t: 'se:file.get', v: 2, id: 'version', p: { path: 'main.py' } }],
      ['extra', { t: 'se:file.get', v: 1, id: 'extra', p: { path: 'main.py', x: 1 } }],
      ['type', { t: 'se:file.set', v: 1, id: 'type', p: { path: 'main.py', content: 5 } }],
      ['stream', { t: 'se:stage.get', v: 1, id: 'stream', p: { stage: 'run', stream: 'env' } }],
      [
        'big',
        {
          t: 'se:file.set',
          v: 1,
          id: 'big',
          p: { path: 'a', content: 'x'.repeat(MAX_MESSAGE_BYTES + 10) },
        },
      ],
    ];
    for (const [, m] of bad) port.postMessage(m);
    port.postMessage({ t: 'se:file.get', v: 1, p: { path: 'main.py' } }); // no id
    port.postMessage({
      t: 'se:file.set',
      v: 1,
      id: 'set',
      p: { path: 'main.py', content: 'y = 2\n' },
    });
    port.postMessage({ t: 'se:file.get', v: 1, id: 'get', p: { path: 'main.py' } });
    await until(() => repliesTo(replies, 'get').length > 0, 'the answer to se:file.get', 30000);
    expect(repliesTo(replies, 'set').map((r) => r.p.ok)).to.deep.equal([true]);
    expect(repliesTo(replies, 'get')[0]!.p.value).to.deep.equal({ content: 'y = 2\n' });
    await sleep(300);
    for (const [id] of bad) expect(repliesTo(replies, id), id).to.deep.equal([]);
  });
});

describe('embedWorkspace: sizing', () => {
  it('follows the heights the frame reports, and LMSs get lti.frameResize', async () => {
    const lti: Array<{ subject: string; height: number }> = [];
    const onMessage = (e: MessageEvent) => {
      const d = e.data as { subject?: unknown };
      if (e.origin === backendOrigin() && typeof d?.subject === 'string')
        lti.push(e.data as { subject: string; height: number });
    };
    window.addEventListener('message', onMessage);
    try {
      const h = embed({ token: await learnerToken(), height: 200 });
      const first = await next(h, 'resize');
      expect(first.height).to.be.greaterThan(200);
      expect(h.iframe.style.height).to.equal(`${first.height}px`);
      await until(
        () =>
          lti.some((m) => m.subject === 'lti.frameResize' && m.height === first.height) &&
          lti.some(
            (m) => m.subject === 'org.imsglobal.lti.frameResize' && m.height === first.height,
          ),
        'LTI resize messages',
      );
      await until(() => h.iframe.getBoundingClientRect().height === first.height, 'the new height');
      const inside = await probe('workspace-demo');
      expect(inside.fill).to.equal(false);
      expect(inside.scrollHeight).to.be.at.most(inside.innerHeight);
    } finally {
      window.removeEventListener('message', onMessage);
    }
  });

  it('fills a fixed 600 px frame, the link in view, and fits 320 px of width', async () => {
    const h = embed(
      { token: await learnerToken(), height: 600, autoResize: false },
      container('320px'),
    );
    let resized = 0;
    h.on('resize', () => resized++);
    await next(h, 'se-ready');
    await sleep(300);
    expect(h.iframe.getBoundingClientRect().height).to.equal(600);
    expect(resized).to.equal(0);
    const inside = await probe('workspace-demo');
    expect(inside.fill).to.equal(true);
    expect(inside.innerHeight).to.equal(600);
    expect(inside.scrollHeight).to.be.at.most(600);
    expect(inside.barBottom).to.be.at.most(600);
    expect(inside.elementBottom).to.be.greaterThan(400);
    expect(inside.scrollWidth).to.be.at.most(inside.innerWidth);
  });
});

describe('the /embed/workspace page: open in a new window', () => {
  it('opens the workspace in a window of its own, with the session', async () => {
    // hosted-workspace has no public sessions: the new window works only with the handed-over token.
    const token = await learnerToken('hosted-workspace');
    const h = embed({ widget: 'hosted-workspace', token });
    await next(h, 'se-ready');
    await h.setFileContent('main.py', 'print("carried over")\n');
    await h.flush();
    const opened = (await executeServerCommand('se-embed-frame', {
      widget: 'hosted-workspace',
      action: 'workspace-open-window',
    })) as { url: string; editor: string; barHidden: boolean };
    const url = new URL(opened.url);
    expect(url.origin).to.equal(backendOrigin());
    expect(url.pathname).to.equal('/embed/workspace');
    expect(url.search).to.not.match(/token|sdk/);
    // The same learner's workspace: the file saved through the frame.
    expect(opened.editor).to.equal('print("carried over")');
    expect(opened.barHidden).to.equal(true);
  });
});

describe('embedWorkspace: accessibility', () => {
  it('has no serious or critical accessibility finding inside the frame', async () => {
    const h = embed({ token: await learnerToken() });
    await next(h, 'se-ready');
    expect(await frameAxeFindings('workspace-demo')).to.deep.equal([]);
  });
});

describe('embedWorkspace: destroy', () => {
  it('removes the frame and its listener; pending and later calls reject', async () => {
    const spy = spyMessageListeners();
    const { added, removed } = spy;
    try {
      const h = embedWorkspace(container(), { backend: backendUrl(), widget: 'workspace-demo' });
      await h.ready;
      const pending = h.runScenario('run');
      h.destroy();
      h.destroy();
      expect(added.length).to.equal(1);
      expect(removed).to.deep.equal(added);
      expect(h.iframe.isConnected).to.equal(false);
      let pendingError: unknown = null;
      await pending.catch((e: unknown) => (pendingError = e));
      expect(String(pendingError)).to.match(/destroyed/);
      let laterError: unknown = null;
      await h.getFileContent('main.py').catch((e: unknown) => (laterError = e));
      expect(String(laterError)).to.match(/destroyed/);
    } finally {
      spy.stop();
    }
  });

  it('checks its options', () => {
    expect(() => embedWorkspace(container(), { backend: 'ftp://x', widget: 'w' })).to.throw(
      /embedWorkspace: backend/,
    );
    expect(() => embedWorkspace(container(), { backend: backendUrl(), widget: '' })).to.throw(
      /widget is required/,
    );
    expect(() =>
      embedWorkspace(container(), {
        backend: backendUrl(),
        widget: 'workspace-demo',
        terminal: 'big' as 'open',
      }),
    ).to.throw(/terminal/);
  });
});
