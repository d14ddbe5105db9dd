import { expect } from '@open-wc/testing';
import { editorText, mount, record, shadow, unmountAll, until } from './helpers.js';

const realFetch = window.fetch;

/** Records the URL of every request the page makes; `refuse` makes matching ones fail. */
function watchFetch(refuse?: RegExp): string[] {
  const urls: string[] = [];
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    urls.push(url);
    if (refuse?.test(url)) return Promise.reject(new TypeError('Failed to fetch'));
    return realFetch(input, init);
  };
  return urls;
}

afterEach(() => {
  window.fetch = realFetch;
  unmountAll();
});

const runReads = (urls: string[]) => urls.filter((u) => /\/v1\/workspace\/runs\/[^/]+$/.test(u));
const streams = (urls: string[]) =>
  urls.filter((u) => /\/v1\/workspace\/runs\/[^/]+\/events$/.test(u));

describe('<se-workspace> scenario progress', () => {
  it('follows a run over the event stream (no polling); se-stage fires once per stage, before the result', async () => {
    const el = await mount();
    await until(() => editorText(el).includes('def word_counts'), 'the editor');
    const urls = watchFetch();
    const events = record(el, ['se-scenario-start', 'se-stage', 'se-scenario-result']);
    const r = await el.runScenario('test');
    expect(r?.status.code).to.equal(14);
    expect(el.scenarioTransport).to.equal('events');
    expect(streams(urls).length).to.equal(1);
    expect(runReads(urls)).to.deep.equal([]);
    const types = events.map((e) => e.type);
    expect(types[0]).to.equal('se-scenario-start');
    expect(types.at(-1)).to.equal('se-scenario-result');
    const stages = events
      .filter((e) => e.type === 'se-stage')
      .map((e) => (e.detail as { stage: { name: string } }).stage.name);
    expect(stages).to.deep.equal(['init', 'build', 'run', 'test', 'post']);
    const testStage = events.find(
      (e) =>
        e.type === 'se-stage' && (e.detail as { stage: { name: string } }).stage.name === 'test',
    )?.detail as { id: string; scenario: string; stage: { skipped: boolean } };
    expect(testStage.scenario).to.equal('test');
    expect(testStage.id).to.equal(r?.id);
    expect(testStage.stage.skipped).to.equal(false);
    // What the stream brought is what the panel shows.
    await el.updateComplete;
    expect(shadow(el).querySelectorAll('[part~="tests"] tbody tr').length).to.equal(
      r?.tests?.length,
    );
  });

  it('falls back to reading the run when the event stream cannot be opened', async () => {
    const el = await mount();
    await until(() => editorText(el).includes('def word_counts'), 'the editor');
    const urls = watchFetch(/\/events$/);
    const events = record(el, ['se-stage', 'se-scenario-result', 'se-error']);
    const r = await el.runScenario('run');
    expect(r?.status.code).to.equal(15);
    expect(el.scenarioTransport).to.equal('polling');
    expect(streams(urls).length).to.equal(1);
    expect(runReads(urls).length).to.be.greaterThan(0);
    expect(events.filter((e) => e.type === 'se-error')).to.deep.equal([]);
    // Each stage at least once (a stage read while the run goes on fires again when it changes).
    const names = events
      .filter((e) => e.type === 'se-stage')
      .map((e) => (e.detail as { stage: { name: string } }).stage.name);
    expect([...new Set(names)].sort()).to.deep.equal(['build', 'init', 'post', 'run', 'test']);
    expect(el.getStageStream('run', 'stdout')).to.be.a('string');
  });

  it('a removed element stops following its run (the stream is cancelled, no se-error)', async () => {
    const el = await mount();
    await until(() => editorText(el).includes('def word_counts'), 'the editor');
    await el.setFileContent('main.py', 'import time\ntime.sleep(3)\n');
    const events = record(el, ['se-error', 'se-scenario-result']);
    const urls = watchFetch();
    const running = el.runScenario('run');
    await until(() => streams(urls).length === 1, 'the stream');
    el.remove();
    expect(await running).to.equal(null);
    expect(events).to.deep.equal([]);
    // Nothing more is read for it afterwards.
    const seen = urls.length;
    await new Promise((r) => setTimeout(r, 800));
    expect(urls.length).to.equal(seen);
  });
});
