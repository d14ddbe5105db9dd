/**
 * Language support by editor language key. Each pack is a dynamic import, so bundlers put it in its
 * own chunk, fetched only when a learner picks that language.
 */
import type { Extension } from '@codemirror/state';
import { LanguageSupport, StreamLanguage, type StreamParser } from '@codemirror/language';
import type { EditorLanguage } from '../../shared/highlighters.js';

// StreamLanguage comes with @codemirror/language, which the editor core loads anyway; only the
// modes themselves are lazy.
async function legacy<T>(
  load: Promise<T>,
  pick: (m: T) => StreamParser<unknown>,
): Promise<Extension> {
  return StreamLanguage.define(pick(await load));
}

// The Lezer packs are taken without their completion sources: the editor has no autocompletion,
// and leaving them out keeps @codemirror/autocomplete out of the page (about 3 KB gzip).
const loaders: Partial<Record<EditorLanguage, () => Promise<Extension>>> = {
  python: async () => new LanguageSupport((await import('@codemirror/lang-python')).pythonLanguage),
  cpp: async () => (await import('@codemirror/lang-cpp')).cpp(),
  c: async () => (await import('@codemirror/lang-cpp')).cpp(),
  java: async () => (await import('@codemirror/lang-java')).java(),
  javascript: async () =>
    new LanguageSupport((await import('@codemirror/lang-javascript')).javascriptLanguage),
  typescript: async () =>
    new LanguageSupport((await import('@codemirror/lang-javascript')).typescriptLanguage),
  csharp: () => legacy(import('@codemirror/legacy-modes/mode/clike'), (m) => m.csharp),
  kotlin: () => legacy(import('@codemirror/legacy-modes/mode/clike'), (m) => m.kotlin),
  scala: () => legacy(import('@codemirror/legacy-modes/mode/clike'), (m) => m.scala),
  objectivec: () => legacy(import('@codemirror/legacy-modes/mode/clike'), (m) => m.objectiveC),
  dart: () => legacy(import('@codemirror/legacy-modes/mode/clike'), (m) => m.dart),
  shell: () => legacy(import('@codemirror/legacy-modes/mode/shell'), (m) => m.shell),
  perl: () => legacy(import('@codemirror/legacy-modes/mode/perl'), (m) => m.perl),
  ruby: () => legacy(import('@codemirror/legacy-modes/mode/ruby'), (m) => m.ruby),
  go: () => legacy(import('@codemirror/legacy-modes/mode/go'), (m) => m.go),
  rust: () => legacy(import('@codemirror/legacy-modes/mode/rust'), (m) => m.rust),
  php: async () => {
    // PHP's legacy mode needs the HTML mixed mode; the C-like PHP tokenizer is enough for code.
    const { clike } = await import('@codemirror/legacy-modes/mode/clike');
    return StreamLanguage.define(clike({ name: 'php', multiLineStrings: true }));
  },
  haskell: () => legacy(import('@codemirror/legacy-modes/mode/haskell'), (m) => m.haskell),
  lua: () => legacy(import('@codemirror/legacy-modes/mode/lua'), (m) => m.lua),
  pascal: () => legacy(import('@codemirror/legacy-modes/mode/pascal'), (m) => m.pascal),
  r: () => legacy(import('@codemirror/legacy-modes/mode/r'), (m) => m.r),
  swift: () => legacy(import('@codemirror/legacy-modes/mode/swift'), (m) => m.swift),
  sql: () => legacy(import('@codemirror/legacy-modes/mode/sql'), (m) => m.standardSQL),
  fortran: () => legacy(import('@codemirror/legacy-modes/mode/fortran'), (m) => m.fortran),
  erlang: () => legacy(import('@codemirror/legacy-modes/mode/erlang'), (m) => m.erlang),
  clojure: () => legacy(import('@codemirror/legacy-modes/mode/clojure'), (m) => m.clojure),
  commonlisp: () => legacy(import('@codemirror/legacy-modes/mode/commonlisp'), (m) => m.commonLisp),
  scheme: () => legacy(import('@codemirror/legacy-modes/mode/scheme'), (m) => m.scheme),
  ocaml: () => legacy(import('@codemirror/legacy-modes/mode/mllike'), (m) => m.oCaml),
  fsharp: () => legacy(import('@codemirror/legacy-modes/mode/mllike'), (m) => m.fSharp),
  d: () => legacy(import('@codemirror/legacy-modes/mode/d'), (m) => m.d),
  julia: () => legacy(import('@codemirror/legacy-modes/mode/julia'), (m) => m.julia),
  groovy: () => legacy(import('@codemirror/legacy-modes/mode/groovy'), (m) => m.groovy),
  tcl: () => legacy(import('@codemirror/legacy-modes/mode/tcl'), (m) => m.tcl),
  octave: () => legacy(import('@codemirror/legacy-modes/mode/octave'), (m) => m.octave),
  cobol: () => legacy(import('@codemirror/legacy-modes/mode/cobol'), (m) => m.cobol),
};

const cache = new Map<EditorLanguage, Promise<Extension>>();

/**
 * The language extension for a key: highlighting, indentation and folding where the pack has them,
 * nothing for `plain`. Loaded once per page; a failed load answers plain text and is retried later.
 */
export function loadLanguage(key: EditorLanguage): Promise<Extension> {
  const load = loaders[key];
  if (!load) return Promise.resolve([]);
  let p = cache.get(key);
  if (!p) {
    p = load().catch(() => {
      cache.delete(key);
      return [];
    });
    cache.set(key, p);
  }
  return p;
}
