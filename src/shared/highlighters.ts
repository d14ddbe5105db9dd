/**
 * From a compiler's `highlighters` metadata to the editor language the widgets load.
 * Pure: no imports, no DOM; the elements map each key to a lazily loaded CodeMirror pack.
 */
import type { Highlighters } from './compilers.js';

/** The editor languages the widgets know how to highlight; `plain` is no highlighting. */
export const editorLanguages = [
  'python',
  'cpp',
  'c',
  'java',
  'csharp',
  'kotlin',
  'scala',
  'objectivec',
  'dart',
  'javascript',
  'typescript',
  'shell',
  'perl',
  'ruby',
  'go',
  'rust',
  'php',
  'haskell',
  'lua',
  'pascal',
  'r',
  'swift',
  'sql',
  'fortran',
  'erlang',
  'clojure',
  'commonlisp',
  'scheme',
  'ocaml',
  'fsharp',
  'd',
  'julia',
  'groovy',
  'tcl',
  'octave',
  'cobol',
  'plain',
] as const;

export type EditorLanguage = (typeof editorLanguages)[number];

const known = new Set<string>(editorLanguages);

/** Ids used by the highlighter families (ace, prism, pygments, ...) that differ from ours. */
const aliases: Record<string, EditorLanguage> = {
  python: 'python',
  python2: 'python',
  python3: 'python',
  py: 'python',
  cpp: 'cpp',
  'c++': 'cpp',
  c_cpp: 'cpp',
  cxx: 'cpp',
  cc: 'cpp',
  c: 'c',
  java: 'java',
  csharp: 'csharp',
  cs: 'csharp',
  'c#': 'csharp',
  kotlin: 'kotlin',
  kt: 'kotlin',
  scala: 'scala',
  objectivec: 'objectivec',
  objc: 'objectivec',
  'objective-c': 'objectivec',
  dart: 'dart',
  javascript: 'javascript',
  js: 'javascript',
  node: 'javascript',
  nodejs: 'javascript',
  typescript: 'typescript',
  ts: 'typescript',
  shell: 'shell',
  sh: 'shell',
  bash: 'shell',
  zsh: 'shell',
  perl: 'perl',
  pl: 'perl',
  ruby: 'ruby',
  rb: 'ruby',
  go: 'go',
  golang: 'go',
  rust: 'rust',
  rs: 'rust',
  php: 'php',
  haskell: 'haskell',
  hs: 'haskell',
  lua: 'lua',
  pascal: 'pascal',
  delphi: 'pascal',
  objectpascal: 'pascal',
  r: 'r',
  swift: 'swift',
  sql: 'sql',
  mysql: 'sql',
  fortran: 'fortran',
  erlang: 'erlang',
  clojure: 'clojure',
  commonlisp: 'commonlisp',
  lisp: 'commonlisp',
  'common-lisp': 'commonlisp',
  scheme: 'scheme',
  ocaml: 'ocaml',
  mllike: 'ocaml',
  fsharp: 'fsharp',
  'f#': 'fsharp',
  d: 'd',
  julia: 'julia',
  groovy: 'groovy',
  tcl: 'tcl',
  octave: 'octave',
  matlab: 'octave',
  cobol: 'cobol',
};

/** CodeMirror mode ids that cover several languages; the other highlighter ids decide. */
const ambiguous: Record<string, EditorLanguage> = {
  clike: 'c',
  mllike: 'ocaml',
  javascript: 'javascript',
};

/** Highlighter families that vote when the CodeMirror id is ambiguous; ties go to the earlier. */
const voters: ReadonlyArray<keyof Highlighters> = [
  'pygments',
  'geshi',
  'prism',
  'highlightjs',
  'rouge',
  'monaco',
  'code_prettify',
  'ace',
  'highlights',
];

function lookup(id: string | undefined): EditorLanguage | undefined {
  if (!id) return undefined;
  const key = id.trim().toLowerCase();
  return aliases[key] ?? (known.has(key) ? (key as EditorLanguage) : undefined);
}

/**
 * The editor language for a compiler's highlighter ids. The `codemirror` id decides when it names
 * one language; when it names a family (`clike` is C, C++, Java, C#, Kotlin, Scala, ...), the other
 * families' ids decide by majority; with no usable id the answer is `plain`.
 */
export function editorLanguageOf(
  highlighters: Partial<Highlighters> | null | undefined,
): EditorLanguage {
  if (!highlighters) return 'plain';
  const cm = highlighters.codemirror?.trim().toLowerCase();
  if (cm && !(cm in ambiguous)) {
    const direct = lookup(cm);
    if (direct) return direct;
  }
  // Each family votes once; the most named language wins, so one family's coarse id (ace's
  // "c_cpp" for C, "highlights" saying "c" for C++) cannot outvote the rest.
  const votes = new Map<EditorLanguage, number>();
  for (const family of voters) {
    const found = lookup(highlighters[family]);
    if (found && found !== 'plain') votes.set(found, (votes.get(found) ?? 0) + 1);
  }
  let best: EditorLanguage | undefined;
  for (const [language, count] of votes)
    if (!best || count > (votes.get(best) ?? 0)) best = language;
  if (best) return best;
  if (cm && cm in ambiguous) return ambiguous[cm];
  return 'plain';
}
