// Browser tests: Debian's Chromium, TypeScript through esbuild. The real signing backend and the
// embedded engine run in this Node process (startAll from src/cli/serve.ts, loaded through tsx),
// with the demo widgets allowed on the test page's origin; tests read its URL from
// window.__SE_BACKEND__ and mint host-signed tokens with the `se-sign-session` server command.
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromiumLaunchOptions } from './scripts/chromium.mjs';
import { countReporter } from './scripts/wtr-count-reporter.mjs';

const root = fileURLToPath(new URL('.', import.meta.url));

/** @type {{url: string, sessionSecret: string, close(): Promise<void>} | null} */
let backend = null;
/** @type {Promise<void> | null} */
let starting = null;
let backendError = '';

async function startBackend(pageOrigin) {
  const entry = `${root}src/cli/serve.ts`;
  if (!existsSync(entry)) throw new Error('src/cli/serve.ts is missing');
  const { register } = await import('tsx/esm/api');
  register();
  const serve = await import(pathToFileURL(entry).href);
  const server = await import(pathToFileURL(`${root}src/server/index.ts`).href);
  const { defaultConfigJson } = await import(
    pathToFileURL(`${root}src/server/default-config.ts`).href
  );
  if (typeof serve.startAll !== 'function') throw new Error('startAll is not exported yet');
  const raw = structuredClone(defaultConfigJson);
  const many = { subject: 10000, ip: 10000 };
  raw.widgets = raw.widgets.map((w) => ({ ...w, origins: ['self', pageOrigin] }));
  // A host-signed widget (no anonymous sessions), for the token tests.
  raw.widgets.push({ ...raw.widgets[0], id: 'signed-run', public: false });
  // A host-signed problem widget: its tokens need not name the problem (the widget does).
  raw.widgets.push({ ...raw.widgets[1], id: 'signed-problem', public: false });
  // A widget that does not list the test page's origin (only the backend's own).
  raw.widgets.push({ ...raw.widgets[0], id: 'other-origin', origins: ['self'] });
  // A widget that allows one run a minute, for the rate-limit message.
  raw.widgets.push({
    ...raw.widgets[0],
    id: 'one-run',
    origins: ['self', pageOrigin],
    limits: { runsPerMinute: { subject: 1, ip: 10000 } },
  });
  // A problem whose statement attacks the page (created in the engine below).
  raw.widgets.push({
    ...raw.widgets[1],
    id: 'hostile-problem',
    problem: 'HOSTILE',
    origins: ['self', pageOrigin],
  });
  // A workspace widget whose main.py is read-only (for <se-workspace>'s tree).
  const workspace = raw.widgets.find((w) => w.id === 'workspace-demo');
  if (workspace)
    raw.widgets.push({
      ...workspace,
      id: 'workspace-policy',
      public: false,
      workspace: { ...workspace.workspace, readOnly: ['main.py'] },
    });
  // A C workspace (build stage with gcc), for compile errors marked in the editor.
  if (workspace)
    raw.widgets.push({
      ...workspace,
      id: 'workspace-c',
      public: false,
      workspace: { project: 'C-MAKE', scenarios: ['run', 'test'], terminal: false },
    });
  // Widgets reached by a hosted widget hash (pages written for the hosted JS SDK), allowed on
  // the test page's origin and on a second one (the same test server by its IP address).
  const secondOrigin = pageOrigin.replace('//localhost:', '//127.0.0.1:');
  raw.widgets.push({
    ...raw.widgets[0],
    id: 'hosted-compilers',
    hash: 'c0ffee00c0ffee00c0ffee00c0ffee00',
    origins: ['self', pageOrigin, secondOrigin],
  });
  raw.widgets.push({
    ...raw.widgets[1],
    id: 'hosted-problem',
    hash: 'feedface0feedface0feedface0feed0',
    origins: ['self', pageOrigin, secondOrigin],
  });
  // A workspace widget reached by a hosted workspace id (pages written for the hosted JS SDK's
  // workspaces), host-signed only: the page's data-workspace-token is its session.
  if (workspace)
    raw.widgets.push({
      ...workspace,
      id: 'hosted-workspace',
      hash: '0123456789abcdef0123456789abcdef',
      public: false,
      origins: ['self', pageOrigin, secondOrigin],
    });
  raw.sessions = { ...raw.sessions, perMinute: many };
  raw.limits = {
    ...raw.limits,
    runsPerMinute: many,
    submissionsPerMinute: many,
    concurrentRuns: 50,
  };
  const engineToken = `wtr-${Math.random().toString(36).slice(2)}`;
  backend = await serve.startAll({
    port: 0,
    config: server.parseConfig(raw),
    log: () => {},
    accessLog: false,
    // The <se-workspace> tests give each test a learner of its own, so a run holds more running
    // workspaces than the default 20 slots.
    engine: { accessToken: engineToken, containers: { slots: 120 } },
  });
  backend.signSession = server.signSession;
  backend.signSdkFields = server.signSdkFields;
  await createHostileProblem(backend.engineUrl, engineToken);
}

/** A problem whose statement holds a script, event handlers and a javascript: link. */
async function createHostileProblem(engineUrl, token) {
  const api = `${engineUrl}/problems/api/v4`;
  const post = async (path, body) => {
    const res = await fetch(`${api}${path}?access_token=${token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`engine ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const { id } = await post('/problems', {
    code: 'HOSTILE',
    name: 'Hostile statement',
    masterjudgeId: 1001,
    body:
      '<p onclick="window.__pwned=1" style="color:red">Add <b>a</b> and b.' +
      '<script>window.__pwned=2</script></p>' +
      '<img src="x:y" onerror="window.__pwned=3">' +
      '<a href="javascript:window.__pwned=4">a link</a>' +
      '<a href="https://example.org/">a web link</a>',
  });
  await post(`/problems/${id}/testcases`, { input: '1 2\n', output: '3\n', judgeId: 1 });
}

/* global document, window, location -- used in functions that run in the embed page */
/**
 * test/embed: looks inside the embed page's iframe, which is cross-origin to the test page (the
 * backend), through the browser's own protocol: its layout, the widget's results, or axe-core.
 */
async function probeEmbedFrame(session, { action = 'layout', widget = '', part = '' }) {
  const page = session.browser.getPage(session.id);
  const match = (f) =>
    /\/embed\/(solve|workspace)\?/.test(f.url()) && f.url().includes(`widget=${widget}`);
  // The frame is out of process: the browser may tell of it (or of its URL) a little after the
  // page heard from it, more so on a loaded machine. Wait for it, within a bound.
  const frame =
    page.frames().find(match) ??
    (await page.waitForFrame(match, { timeout: 15000 }).catch(() => null));
  if (!frame) throw new Error(`no embed frame of widget '${widget}' on the page`);
  if (action === 'axe') {
    // Evaluated by the debugger protocol: the page's script policy does not apply to it.
    await frame.evaluate(readFileSync(`${root}node_modules/axe-core/axe.min.js`, 'utf8'));
    return frame.evaluate(async () => {
      const r = await globalThis.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => `${v.impact}: ${v.id} (${v.nodes.length}) ${v.help}`);
    });
  }
  if (action === 'state') {
    // What the SDK tests set through the frame: the picker's languages, the input, the code.
    return frame.evaluate(() => {
      const el = document.querySelector('se-solve');
      const options = [...(el?.shadowRoot?.querySelectorAll('select option') ?? [])];
      return {
        languages: el?.languages ?? null,
        options: options.map((o) => o.value),
        input: el?.input ?? null,
        source: el?.source ?? null,
        theme: el?.theme ?? null,
        text: document.body.innerText.slice(0, 500),
        shadowText: el?.shadowRoot?.textContent?.replace(/\s+/g, ' ').slice(0, 2000) ?? null,
      };
    });
  }
  if (action === 'workspace-click') {
    // A click on a part of <se-workspace> in the frame (e.g. a scenario button), as a learner's,
    // once the workspace shows it enabled (a click on a disabled button would be lost).
    await frame
      .waitForFunction(
        (name) => {
          const target = document
            .querySelector('se-workspace')
            ?.shadowRoot?.querySelector(`[part~="${name}"]`);
          return target && !target.disabled;
        },
        { timeout: 30000 },
        part,
      )
      .catch(() => null);
    // The frames may still move (their height follows the content): a click that did not reach
    // the part is tried again at its new place, at most three times.
    for (let attempt = 0; attempt < 3; attempt++) {
      const box = await frame.evaluate((name) => {
        const target = document
          .querySelector('se-workspace')
          ?.shadowRoot?.querySelector(`[part~="${name}"]`);
        if (!target) return null;
        target.scrollIntoView();
        window.__seClicked = false;
        target.addEventListener('click', () => (window.__seClicked = true), { once: true });
        const r = target.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
      }, part);
      if (!box) throw new Error(`no part '${part}' in the workspace frame`);
      const element = await frame.frameElement();
      const outer = await element.boundingBox();
      await page.mouse.click(outer.x + box.x, outer.y + box.y);
      if (await frame.evaluate(() => window.__seClicked)) return true;
    }
    throw new Error(`three clicks missed the part '${part}' in the workspace frame`);
  }
  if (action === 'workspace-open-window') {
    // A real click on "Open in a new window" of a workspace frame; what the opened window shows.
    const opened = new Promise((resolve) => page.browser().once('targetcreated', resolve));
    await frame.click('#se-open');
    const popup = await (await opened).page();
    try {
      await popup.waitForFunction(
        () => document.querySelector('se-workspace')?.shadowRoot?.querySelector('.cm-content'),
        { timeout: 20000 },
      );
      return await popup.evaluate(() => ({
        url: location.href,
        editor: document.querySelector('se-workspace').shadowRoot.querySelector('.cm-content')
          .textContent,
        barHidden: document.querySelector('.bar').hidden,
      }));
    } finally {
      await popup.close();
    }
  }
  if (action === 'workspace') {
    // What the iframe-embed tests of <se-workspace> read inside the frame.
    return frame.evaluate(() => {
      const el = document.querySelector('se-workspace');
      const root = el?.shadowRoot;
      return {
        present: Boolean(el),
        theme: el?.getAttribute('theme') ?? null,
        terminal: el?.terminal ?? null,
        text: document.body.innerText.slice(0, 1000),
        alert: document.querySelector('[role="alert"]')?.textContent ?? null,
        editor: root?.querySelector('.cm-content')?.textContent ?? null,
        focused: root?.activeElement?.className ?? null,
        fill: document.documentElement.classList.contains('fill'),
        innerHeight: window.innerHeight,
        innerWidth: window.innerWidth,
        scrollHeight: document.documentElement.scrollHeight,
        scrollWidth: document.documentElement.scrollWidth,
        elementBottom: el ? el.getBoundingClientRect().bottom : null,
        barBottom: document.querySelector('.bar')?.getBoundingClientRect().bottom ?? null,
      };
    });
  }
  if (action === 'open-window') {
    // A real click on "Open in a new window"; reports what the opened window shows.
    const opened = new Promise((resolve) => page.browser().once('targetcreated', resolve));
    await frame.click('#se-open');
    const popup = await (await opened).page();
    try {
      await popup.waitForFunction(
        () => document.querySelector('se-solve')?.shadowRoot?.querySelector('select:enabled'),
        { timeout: 15000 },
      );
      return await popup.evaluate(() => ({
        url: location.href,
        source: document.querySelector('se-solve').source,
        barHidden: document.querySelector('.bar').hidden,
      }));
    } finally {
      await popup.close();
    }
  }
  return frame.evaluate(() => {
    const el = document.querySelector('se-solve');
    const root = el?.shadowRoot;
    const bar = document.querySelector('.bar');
    return {
      fill: document.documentElement.classList.contains('fill'),
      innerHeight: window.innerHeight,
      innerWidth: window.innerWidth,
      scrollHeight: document.documentElement.scrollHeight,
      scrollWidth: document.documentElement.scrollWidth,
      elementBottom: el ? el.getBoundingClientRect().bottom : null,
      barBottom: bar ? bar.getBoundingClientRect().bottom : null,
      theme: el?.getAttribute('theme') ?? null,
      results: root?.querySelector('[part~="results"]')?.textContent ?? null,
      source: el?.source ?? null,
      focused: root?.activeElement?.className ?? null,
    };
  });
}

/** The protocol session holding each test page's touch emulation (see `se-touch`). */
const touchSessions = new Map();

const backendPlugin = {
  name: 'se-backend',
  async serverStart({ config }) {
    const origin = `http://${config.hostname ?? 'localhost'}:${config.port}`;
    starting = startBackend(origin).catch((err) => {
      backendError = err instanceof Error ? err.message : String(err);
      process.stderr.write(`web-test-runner: the backend did not start: ${backendError}\n`);
    });
    await starting;
  },
  async serverStop() {
    await backend?.close();
  },
  async executeCommand({ command, payload, session }) {
    if (command === 'se-embed-frame') return probeEmbedFrame(session, payload ?? {});
    if (command === 'se-touch') {
      // A touch-only device, as Chromium's device emulation presents one (coarse pointer).
      // DevTools overrides belong to the protocol session that set them: one session turns the
      // emulation on, and detaching it turns the emulation off for the files that follow.
      const page = session.browser.getPage(session.id);
      if (payload?.on) {
        touchSessions.get(session.id)?.detach();
        const cdp = await page.createCDPSession();
        touchSessions.set(session.id, cdp);
        await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 5 });
        await cdp.send('Emulation.setEmitTouchEventsForMouse', { enabled: true });
      } else {
        const cdp = touchSessions.get(session.id);
        touchSessions.delete(session.id);
        if (cdp) {
          await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: false });
          await cdp.send('Emulation.setEmitTouchEventsForMouse', { enabled: false });
          await cdp.detach();
        }
      }
      return true;
    }
    if (command === 'se-sign-sdk') {
      // A host server signing a placeholder of a page written for the hosted JS SDK.
      if (!backend) throw new Error(`no backend: ${backendError}`);
      const { ttlSeconds, ageMs = 0, ...fields } = payload;
      return backend.signSdkFields(backend.sessionSecret, fields, ttlSeconds, Date.now() - ageMs);
    }
    if (command !== 'se-sign-session') return undefined;
    if (!backend) throw new Error(`no backend: ${backendError}`);
    return backend.signSession({ secret: backend.sessionSecret, sub: 'browser-test', ...payload });
  },
};

export default {
  files: ['test/elements/**/*.test.ts', 'test/embed/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  // Bounds for a slow or loaded CI machine (the defaults are 30 s, 20 s and 2 min): a stuck
  // browser or file still fails the run, a slow one does not.
  browserStartTimeout: 120000,
  testsStartTimeout: 120000,
  testsFinishTimeout: 300000,
  plugins: [
    esbuildPlugin({
      ts: true,
      target: 'es2022',
      // The plugin reads the file as is (no "extends"): the base holds the decorator settings.
      tsconfig: fileURLToPath(new URL('./tsconfig.base.json', import.meta.url)),
    }),
    backendPlugin,
  ],
  testRunnerHtml: (testFramework) => `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8">
    <script>window.__SE_BACKEND__ = ${JSON.stringify(backend?.url ?? null)};
      window.__SE_BACKEND_ERROR__ = ${JSON.stringify(backendError)};</script>
  </head>
  <body><script type="module" src="${testFramework}"></script></body>
</html>`,
  browsers: [chromeLauncher({ launchOptions: chromiumLaunchOptions })],
  testFramework: { config: { timeout: 60000 } },
  reporters: [defaultReporter(), countReporter(process.env.WTR_COUNT_FILE)],
};
