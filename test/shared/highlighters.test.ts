import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Highlighters } from '../../src/shared/compilers.js';
import { editorLanguageOf, editorLanguages } from '../../src/shared/highlighters.js';

/** Every family naming one id, as the engine answers for single-language compilers. */
const all = (id: string, over: Partial<Highlighters> = {}): Highlighters => ({
  ace: id,
  geshi: id,
  pygments: id,
  highlights: id,
  rouge: id,
  codemirror: id,
  highlightjs: id,
  prism: id,
  monaco: id,
  code_prettify: id,
  ...over,
});

describe('editorLanguageOf', () => {
  it('takes an unambiguous CodeMirror id as it is', () => {
    assert.equal(editorLanguageOf(all('python')), 'python');
    assert.equal(editorLanguageOf(all('perl')), 'perl');
    assert.equal(editorLanguageOf(all('x', { codemirror: 'shell' })), 'shell');
  });

  it('tells C++ from C inside clike, as in the spec example', () => {
    const cpp: Highlighters = {
      ace: 'c_cpp',
      geshi: 'cpp',
      pygments: 'cpp',
      highlights: 'c',
      rouge: 'cpp',
      codemirror: 'clike',
      highlightjs: 'cpp',
      prism: 'cpp',
      monaco: 'cpp',
      code_prettify: 'cpp',
    };
    assert.equal(editorLanguageOf(cpp), 'cpp');
    const c = { ...all('c'), codemirror: 'clike', ace: 'c_cpp' };
    assert.equal(editorLanguageOf(c), 'c');
  });

  it('tells Java, C# and Kotlin inside clike', () => {
    assert.equal(editorLanguageOf(all('java', { codemirror: 'clike' })), 'java');
    assert.equal(editorLanguageOf(all('csharp', { codemirror: 'clike' })), 'csharp');
    assert.equal(editorLanguageOf(all('kotlin', { codemirror: 'clike' })), 'kotlin');
  });

  it('falls back to the family default when nothing else names the language', () => {
    assert.equal(editorLanguageOf(all('', { codemirror: 'clike' })), 'c');
  });

  it('maps common aliases of other families', () => {
    assert.equal(editorLanguageOf(all('node', { codemirror: 'javascript' })), 'javascript');
    assert.equal(editorLanguageOf(all('typescript', { codemirror: 'javascript' })), 'typescript');
    assert.equal(editorLanguageOf(all('sh', { codemirror: '' })), 'shell');
    assert.equal(editorLanguageOf(all('bash', { codemirror: 'bash' })), 'shell');
  });

  it('answers plain for unknown or missing ids', () => {
    assert.equal(editorLanguageOf(all('brainfuck-ish')), 'plain');
    assert.equal(editorLanguageOf(null), 'plain');
    assert.equal(editorLanguageOf({}), 'plain');
  });

  it('answers only keys of the known list', () => {
    for (const id of ['python', 'clike', 'shell', 'go', 'ruby', 'pascal', 'nonsense'])
      assert.ok(editorLanguages.includes(editorLanguageOf(all(id))));
  });
});
