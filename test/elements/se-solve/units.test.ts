import { expect } from '@open-wc/testing';
import '../report-failures.js';
import { loadLanguage } from '../../../src/elements/editor/language.js';
import {
  compilerMarks,
  lineMarks,
  nodeMarks,
  pythonMarks,
} from '../../../src/elements/editor/message-lines.js';
import { messagesFor } from '../../../src/elements/i18n/index.js';
import { en } from '../../../src/elements/i18n/en.js';
import { pl } from '../../../src/elements/i18n/pl.js';
import { sanitizeStatement } from '../../../src/elements/se-solve/sanitize.js';
import { readServerSentEvents } from '../../../src/elements/se-solve/sse.js';
import { readClaims } from '../../../src/elements/se-solve/session-controller.js';

function html(fragment: DocumentFragment): string {
  const div = document.createElement('div');
  div.append(fragment);
  return div.innerHTML;
}

describe('statement sanitizing', () => {
  it('drops scripts, event handlers and styles, keeping the text around them', () => {
    const out = html(
      sanitizeStatement(
        '<p onclick="alert(1)" style="color:red">Sum <b>a</b> and <i>b</i>' +
          '<script>window.__pwned = 1</script><style>p{display:none}</style></p>',
      ),
    );
    expect(out).to.equal('<p>Sum <b>a</b> and <i>b</i></p>');
  });

  it('removes javascript:, data: and obfuscated URLs but keeps web links', () => {
    const out = html(
      sanitizeStatement(
        '<a href="javascript:alert(1)">x</a><a href="java\tscript:alert(1)">y</a>' +
          '<a href="data:text/html,<script>1</script>">z</a><a href="https://example.org/">ok</a>',
      ),
    );
    expect(out).not.to.match(/javascript|data:/i);
    expect(out).to.contain('href="https://example.org/"');
    expect(out).to.contain('rel="noopener noreferrer nofollow"');
  });

  it('never runs an image error handler, svg or iframe from a statement', async () => {
    const w = window as unknown as { __pwned?: number };
    delete w.__pwned;
    const host = document.createElement('div');
    host.append(
      sanitizeStatement(
        '<img src="x:y" onerror="window.__pwned=1"><svg onload="window.__pwned=2"></svg>' +
          '<iframe srcdoc="<script>parent.__pwned=3</script>"></iframe><math><mi>x</mi></math>',
      ),
    );
    document.body.append(host);
    await new Promise((r) => setTimeout(r, 100));
    host.remove();
    expect(w.__pwned).to.equal(undefined);
    expect(host.querySelector('svg, iframe, math, [onerror]')).to.equal(null);
  });

  it('keeps tables, lists, code and headings', () => {
    const out = html(
      sanitizeStatement(
        '<h3>Input</h3><ul><li>1</li></ul><pre><code>1 2</code></pre><table><tbody><tr><td colspan="2">a</td></tr></tbody></table>',
      ),
    );
    expect(out).to.equal(
      '<h3>Input</h3><ul><li>1</li></ul><pre><code>1 2</code></pre><table><tbody><tr><td colspan="2">a</td></tr></tbody></table>',
    );
  });
});

describe('line marks from messages', () => {
  it('reads gcc and g++ errors with line and column', () => {
    const marks = compilerMarks(
      "prog.cpp: In function 'int main()':\nprog.cpp:4:5: error: 'x' was not declared in this scope\n    4 |     x = 1;\n",
    );
    expect(marks).to.deep.equal([
      { line: 4, column: 5, severity: 'error', message: "'x' was not declared in this scope" },
    ]);
  });

  it('reads javac errors', () => {
    const marks = compilerMarks("Main.java:3: error: ';' expected\n        int x = 1\n");
    expect(marks[0]).to.include({ line: 3, severity: 'error' });
  });

  it('takes the innermost frame of the learner file from a Python traceback', () => {
    const marks = pythonMarks(
      'Traceback (most recent call last):\n  File "prog.py", line 5, in <module>\n    main()\n' +
        '  File "prog.py", line 2, in main\n    return 1 / 0\n' +
        '  File "/usr/lib/python3.11/x.py", line 9, in f\nZeroDivisionError: division by zero\n',
    );
    expect(marks).to.deep.equal([
      { line: 2, severity: 'error', message: 'ZeroDivisionError: division by zero' },
    ]);
  });

  it('reads Node.js errors', () => {
    const marks = nodeMarks(
      '/sandbox/prog.js:3\n  foo();\n  ^\n\nReferenceError: foo is not defined\n    at Object.<anonymous> (/sandbox/prog.js:3:3)\n',
    );
    expect(marks[0]).to.include({ line: 3, message: 'ReferenceError: foo is not defined' });
  });

  it('combines compiler messages and the error stream', () => {
    expect(lineMarks('a.c:7:1: error: expected ;', null)[0].line).to.equal(7);
    expect(lineMarks(null, 'plain text without lines')).to.deep.equal([]);
  });
});

describe('server-sent events reader', () => {
  it('parses events split across chunks, ignoring comments', async () => {
    const parts = [
      ': heartbeat\n\nevent: status\ndata: {"a":',
      '1}\n\nevent: result\r\ndata: line1\r\ndata: line2\r\n\r\n',
    ];
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of parts) c.enqueue(new TextEncoder().encode(p));
        c.close();
      },
    });
    const seen = [];
    for await (const ev of readServerSentEvents(body, new AbortController().signal)) seen.push(ev);
    expect(seen).to.deep.equal([
      { event: 'status', data: '{"a":1}', id: undefined },
      { event: 'result', data: 'line1\nline2', id: undefined },
    ]);
  });

  it('stops when aborted', async () => {
    const abort = new AbortController();
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('event: status\ndata: 1\n\n'));
      },
    });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const ev of readServerSentEvents(body, abort.signal)) seen.push(ev.data);
    })();
    await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    await reading;
    expect(seen).to.deep.equal(['1']);
  });
});

describe('message catalogs', () => {
  it('has every English key in Polish', () => {
    expect(Object.keys(pl).sort()).to.deep.equal(Object.keys(en).sort());
  });

  it('picks a catalog by locale and falls back to English', () => {
    expect(messagesFor('pl-PL').run).to.equal('Uruchom');
    expect(messagesFor('de').run).to.equal('Run');
    expect(messagesFor(undefined).run).to.equal('Run');
  });

  it('uses Polish plural forms', () => {
    expect(pl.testsPassed(1, 1)).to.equal('Zaliczono 1 z 1 testu.');
    expect(pl.testsPassed(2, 3)).to.equal('Zaliczono 2 z 3 testów.');
    expect(en.testsPassed(3, 5)).to.equal('3 of 5 tests passed.');
  });
});

describe('language packs', () => {
  it('loads a pack per language lazily and plain text as nothing', async () => {
    const python = await loadLanguage('python');
    const shell = await loadLanguage('shell');
    expect(python).to.not.deep.equal([]);
    expect(shell).to.not.deep.equal([]);
    expect(await loadLanguage('plain')).to.deep.equal([]);
  });
});

describe('token claims', () => {
  it('reads expiry and scope from a JWT payload without verifying it', () => {
    const b64 = (o: object) =>
      btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    const token = `${b64({ alg: 'HS256' })}.${b64({ exp: 1700000000, scope: { widget: 'w', problem: 'SUMTWO' } })}.sig`;
    expect(readClaims(token)).to.deep.equal({ exp: 1700000000, problem: 'SUMTWO', widget: 'w' });
    expect(readClaims('not a jwt')).to.deep.equal({ exp: null, problem: null, widget: null });
  });
});
