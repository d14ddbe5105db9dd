// The message rules of the iframe embed: the envelope checks both sides rely on, and the embed
// page's own enforcement of them, driven through a hand-made handshake (no SDK in between).
import { expect } from '@open-wc/testing';
import {
  COMMANDS,
  envelope,
  MAX_MESSAGE_BYTES,
  parseEnvelope,
  randomNonce,
  WORKSPACE_COMMANDS,
} from '../../src/embed/protocol.js';
import { backendOrigin, backendUrl, cleanup, container, sleep } from './helpers.js';

afterEach(() => cleanup());

describe('parseEnvelope', () => {
  const ok = { t: 'se:code.get', v: 1, id: 'c1', p: {} };

  it('accepts a well-formed command of an accepted type', () => {
    expect(parseEnvelope(ok, COMMANDS)).to.deep.equal(ok);
  });

  it('drops unknown types, types of the other direction and malformed names', () => {
    expect(parseEnvelope({ ...ok, t: 'se:code.explode' }, COMMANDS)).to.equal(null);
    expect(parseEnvelope({ t: 'se:frame.resize', v: 1, p: { height: 5 } }, COMMANDS)).to.equal(
      null,
    );
    expect(parseEnvelope({ ...ok, t: 'SE:CODE.GET' }, ['SE:CODE.GET'])).to.equal(null);
  });

  it('drops other versions, extra keys, a missing or bad id and non-objects', () => {
    expect(parseEnvelope({ ...ok, v: 2 }, COMMANDS)).to.equal(null);
    expect(parseEnvelope({ ...ok, v: '1' }, COMMANDS)).to.equal(null);
    expect(parseEnvelope({ ...ok, extra: true }, COMMANDS)).to.equal(null);
    expect(parseEnvelope({ t: ok.t, v: 1, p: {} }, COMMANDS)).to.equal(null);
    expect(parseEnvelope({ ...ok, id: 'bad id!' }, COMMANDS)).to.equal(null);
    expect(parseEnvelope(JSON.stringify(ok), COMMANDS)).to.equal(null);
    expect(parseEnvelope(null, COMMANDS)).to.equal(null);
    expect(parseEnvelope([ok], COMMANDS)).to.equal(null);
    expect(parseEnvelope(Object.assign(Object.create({ polluted: 1 }), ok), COMMANDS)).to.equal(
      null,
    );
  });

  it('checks each payload against its schema', () => {
    const set = (p: unknown) => parseEnvelope({ t: 'se:code.set', v: 1, id: 'a', p }, COMMANDS);
    expect(set({ source: 'x' })).to.not.equal(null);
    expect(set({ source: 'x', language: 'python3' })).to.not.equal(null);
    expect(set({ source: 1 })).to.equal(null);
    expect(set({ source: 'x', evil: '<img onerror=alert(1)>' })).to.equal(null);
    expect(set({})).to.equal(null);
    const theme = (t: unknown) =>
      parseEnvelope({ t: 'se:theme.set', v: 1, id: 'a', p: { theme: t } }, COMMANDS);
    expect(theme('dark')).to.not.equal(null);
    expect(theme('neon')).to.equal(null);
    const token = (t: unknown) =>
      parseEnvelope({ t: 'se:token.set', v: 1, id: 'a', p: { token: t } }, COMMANDS);
    expect(token('eyJ.abc.d-_')).to.not.equal(null);
    expect(token('a b')).to.equal(null);
    const connect = (p: unknown) =>
      parseEnvelope({ t: 'se:host.connect', v: 1, p }, ['se:host.connect']);
    expect(connect({ nonce: randomNonce() })).to.not.equal(null);
    expect(connect({ nonce: 'short' })).to.equal(null);
  });

  it('checks the workspace commands, and keeps them apart from the solve ones', () => {
    const cmd = (t: string, p: unknown) =>
      parseEnvelope({ t, v: 1, id: 'w', p }, WORKSPACE_COMMANDS);
    expect(cmd('se:file.get', { path: 'main.py' })).to.not.equal(null);
    expect(cmd('se:file.get', { path: 7 })).to.equal(null);
    expect(cmd('se:file.get', {})).to.equal(null);
    expect(cmd('se:file.set', { path: 'a.py', content: 'x' })).to.not.equal(null);
    expect(cmd('se:file.set', { path: 'a.py' })).to.equal(null);
    expect(cmd('se:scenario.run', {})).to.not.equal(null);
    expect(cmd('se:scenario.run', { scenario: 'test' })).to.not.equal(null);
    expect(cmd('se:scenario.run', { scenario: 'test', then: 'rm' })).to.equal(null);
    expect(cmd('se:stage.get', { stage: 'run', stream: 'stderr' })).to.not.equal(null);
    expect(cmd('se:stage.get', { stage: 'run', stream: 'env' })).to.equal(null);
    expect(cmd('se:workspace.reset', {})).to.not.equal(null);
    expect(cmd('se:workspace.reset', { path: 'main.py' })).to.not.equal(null);
    expect(cmd('se:workspace.flush', {})).to.not.equal(null);
    expect(cmd('se:code.get', {})).to.equal(null);
    expect(parseEnvelope({ t: 'se:file.get', v: 1, id: 'w', p: { path: 'a' } }, COMMANDS)).to.equal(
      null,
    );
    const emit = (name: string) =>
      parseEnvelope({ t: 'se:event.emit', v: 1, p: { name, detail: {} } }, ['se:event.emit']);
    expect(emit('se-scenario-result')).to.not.equal(null);
    expect(emit('se-result')).to.not.equal(null);
    expect(emit('se-anything')).to.equal(null);
  });

  it('drops a message over the size cap', () => {
    const big = {
      t: 'se:code.set',
      v: 1,
      id: 'a',
      p: { source: 'é'.repeat(MAX_MESSAGE_BYTES / 2) },
    };
    expect(parseEnvelope(big, COMMANDS)).to.equal(null);
    expect(() => envelope('se:code.set', { source: 'x'.repeat(MAX_MESSAGE_BYTES) })).to.throw(
      RangeError,
    );
  });

  it('makes unpredictable nonces', () => {
    const a = randomNonce();
    expect(a).to.match(/^[A-Za-z0-9_-]{32}$/);
    expect(randomNonce()).to.not.equal(a);
  });
});

/** An embed page of the backend that has announced itself, not yet connected. */
async function announcedEmbed(): Promise<HTMLIFrameElement> {
  const iframe = document.createElement('iframe');
  iframe.title = 'Raw embed';
  const announced = new Promise<void>((resolve) => {
    const onMessage = (e: MessageEvent) => {
      const d = e.data as { t?: unknown };
      if (e.source === iframe.contentWindow && d?.t === 'se:frame.announce') {
        expect(e.origin).to.equal(backendOrigin());
        window.removeEventListener('message', onMessage);
        resolve();
      }
    };
    window.addEventListener('message', onMessage);
  });
  iframe.src = `${backendUrl()}/embed/solve?widget=run-demo&sdk=1`;
  container().append(iframe);
  await announced;
  return iframe;
}

/** A hand-made handshake: the test holds the port. */
async function handshake(
  iframe: HTMLIFrameElement,
): Promise<{ port: MessagePort; replies: unknown[] }> {
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
  iframe.contentWindow!.postMessage({ t: 'se:host.connect', v: 1, p: { nonce } }, backendOrigin(), [
    channel.port2,
  ]);
  await ready;
  return { port: channel.port1, replies };
}

/** An embed page with a hand-made handshake. */
async function rawEmbed(): Promise<{
  iframe: HTMLIFrameElement;
  port: MessagePort;
  replies: unknown[];
}> {
  const iframe = await announcedEmbed();
  return { iframe, ...(await handshake(iframe)) };
}

function repliesTo(replies: unknown[], id: string): Array<{ p: { ok: boolean; value?: unknown } }> {
  return replies.filter(
    (r) =>
      (r as { t?: string; id?: string }).t === 'se:command.reply' &&
      (r as { id?: string }).id === id,
  ) as Array<{ p: { ok: boolean; value?: unknown } }>;
}

describe('the embed page enforces the protocol', () => {
  it('answers a valid command and drops unknown, malformed and oversized ones', async () => {
    const { port, replies } = await rawEmbed();
    port.postMessage({
      t: 'se:code.set',
      v: 1,
      id: 'set',
      p: { source: 'print(1)', language: 'python3' },
    });
    port.postMessage({ t: 'se:code.explode', v: 1, id: 'unknown', p: {} });
    port.postMessage({ t: 'se:code.set', v: 2, id: 'version', p: { source: 'v2' } });
    port.postMessage({ t: 'se:code.set', v: 1, id: 'extra', p: { source: 'x', html: '<b>' } });
    port.postMessage({
      t: 'se:code.set',
      v: 1,
      id: 'big',
      p: { source: 'x'.repeat(MAX_MESSAGE_BYTES + 10) },
    });
    port.postMessage('se:code.get');
    port.postMessage({ t: 'se:code.get', v: 1, p: {} }); // no id
    await new Promise((r) => setTimeout(r, 300));
    port.postMessage({ t: 'se:code.get', v: 1, id: 'get', p: {} });
    const end = Date.now() + 10000;
    while (!repliesTo(replies, 'get').length && Date.now() < end) await sleep(20);
    expect(repliesTo(replies, 'set').map((r) => r.p.ok)).to.deep.equal([true]);
    expect(repliesTo(replies, 'get')[0]?.p.value).to.deep.include({ source: 'print(1)' });
    for (const id of ['unknown', 'version', 'extra', 'big'])
      expect(repliesTo(replies, id), id).to.deep.equal([]);
  });

  it('accepts exactly one handshake', async () => {
    const { iframe, port, replies } = await rawEmbed();
    const second = new MessageChannel();
    const got: unknown[] = [];
    second.port1.onmessage = (e) => got.push(e.data);
    iframe.contentWindow!.postMessage(
      { t: 'se:host.connect', v: 1, p: { nonce: randomNonce() } },
      backendOrigin(),
      [second.port2],
    );
    second.port1.postMessage({ t: 'se:code.get', v: 1, id: 'hijack', p: {} });
    await sleep(500);
    expect(got).to.deep.equal([]);
    port.postMessage({ t: 'se:code.get', v: 1, id: 'still', p: {} });
    const end = Date.now() + 10000;
    while (!repliesTo(replies, 'still').length && Date.now() < end) await sleep(20);
    expect(repliesTo(replies, 'still')[0]?.p.ok).to.equal(true);
  });

  it('ignores a handshake from a window that is not its parent', async () => {
    const iframe = await announcedEmbed();
    const seen: unknown[] = [];
    const onMessage = (e: MessageEvent) => {
      if (e.origin === location.origin && e.data && typeof e.data === 'object') seen.push(e.data);
    };
    window.addEventListener('message', onMessage);
    try {
      const impostor = document.createElement('iframe');
      impostor.title = 'Impostor host';
      impostor.src = '/test/embed/fixtures/impostor-host.html';
      container().append(impostor);
      const end = Date.now() + 5000;
      while (!seen.some((d) => (d as { impostorSent?: boolean }).impostorSent) && Date.now() < end)
        await sleep(20);
      expect(seen).to.deep.include({ impostorSent: true });
      await sleep(500);
      expect(seen.filter((d) => 'impostorGot' in (d as object))).to.deep.equal([]);
      // The frame still takes its parent's handshake: the impostor's was not the one it accepted.
      const { replies } = await handshake(iframe);
      expect(replies.length).to.be.greaterThan(0);
    } finally {
      window.removeEventListener('message', onMessage);
    }
  });

  it('announces itself with nothing but the widget id', async () => {
    const iframe = document.createElement('iframe');
    iframe.title = 'Announce';
    const data = new Promise<unknown>((resolve) => {
      const onMessage = (e: MessageEvent) => {
        if (
          e.source === iframe.contentWindow &&
          (e.data as { t?: string })?.t === 'se:frame.announce'
        ) {
          window.removeEventListener('message', onMessage);
          resolve(e.data);
        }
      };
      window.addEventListener('message', onMessage);
    });
    iframe.src = `${backendUrl()}/embed/solve?widget=run-demo&sdk=1`;
    container().append(iframe);
    expect(await data).to.deep.equal({ t: 'se:frame.announce', v: 1, p: { widget: 'run-demo' } });
  });
});
