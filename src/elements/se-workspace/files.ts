/**
 * Pure helpers of `<se-workspace>`: the file tree from the flat listing, the editor language of a
 * file name, compiler and traceback lines of a stage's streams, and the learner's unsent edits in
 * `localStorage`.
 */
import type { EditorLanguage } from '../../shared/highlighters.js';
import type { V1FileEntry } from '../../shared/v1-workspace.js';
import type { LineMark } from '../editor/message-lines.js';

export interface TreeNode {
  path: string;
  name: string;
  type: 'file' | 'dir';
  readOnly: boolean;
  depth: number;
  children: TreeNode[];
}

/** The tree of a listing: folders first, then files, each by name; missing parents made up. */
export function buildTree(entries: readonly V1FileEntry[]): TreeNode[] {
  const nodes = new Map<string, TreeNode>();
  const roots: TreeNode[] = [];
  const node = (path: string, type: 'file' | 'dir', readOnly: boolean): TreeNode => {
    let n = nodes.get(path);
    if (n) {
      n.readOnly = readOnly;
      return n;
    }
    const cut = path.lastIndexOf('/');
    const parentPath = cut < 0 ? '' : path.slice(0, cut);
    n = {
      path,
      name: path.slice(cut + 1),
      type,
      readOnly,
      depth: parentPath ? parentPath.split('/').length : 0,
      children: [],
    };
    nodes.set(path, n);
    (parentPath ? node(parentPath, 'dir', false).children : roots).push(n);
    return n;
  };
  for (const e of entries) node(e.path, e.type, e.readOnly);
  const sort = (list: TreeNode[]) => {
    list.sort((a, b) =>
      a.type !== b.type ? (a.type === 'dir' ? -1 : 1) : a.name.localeCompare(b.name),
    );
    for (const n of list) sort(n.children);
  };
  sort(roots);
  return roots;
}

/** The rows a tree shows: each node whose ancestors are all expanded, in order. */
export function visibleRows(roots: readonly TreeNode[], expanded: ReadonlySet<string>): TreeNode[] {
  const out: TreeNode[] = [];
  const walk = (list: readonly TreeNode[]) => {
    for (const n of list) {
      out.push(n);
      if (n.type === 'dir' && expanded.has(n.path)) walk(n.children);
    }
  };
  walk(roots);
  return out;
}

const byExtension: Record<string, EditorLanguage> = {
  py: 'python',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  hh: 'cpp',
  java: 'java',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  ts: 'typescript',
  tsx: 'typescript',
  cs: 'csharp',
  kt: 'kotlin',
  scala: 'scala',
  m: 'objectivec',
  dart: 'dart',
  sh: 'shell',
  bash: 'shell',
  pl: 'perl',
  rb: 'ruby',
  go: 'go',
  rs: 'rust',
  php: 'php',
  hs: 'haskell',
  lua: 'lua',
  pas: 'pascal',
  r: 'r',
  swift: 'swift',
  sql: 'sql',
  f90: 'fortran',
  f: 'fortran',
  erl: 'erlang',
  clj: 'clojure',
  lisp: 'commonlisp',
  scm: 'scheme',
  ml: 'ocaml',
  fs: 'fsharp',
  d: 'd',
  jl: 'julia',
  groovy: 'groovy',
  tcl: 'tcl',
};

/** The editor language of a file, by its extension (`Makefile` and unknown ones: plain text). */
export function languageOfPath(path: string): EditorLanguage {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return 'plain';
  return byExtension[name.slice(dot + 1)] ?? 'plain';
}

export interface FileMark extends LineMark {
  /** the workspace path the message names */
  path: string;
}

/** A path from a message, as one of the workspace's files (by the longest matching tail). */
function workspacePath(named: string, files: readonly string[]): string | null {
  const clean = named.replace(/^\.\//, '');
  if (files.includes(clean)) return clean;
  let best: string | null = null;
  for (const f of files)
    if ((clean.endsWith(`/${f}`) || clean === f) && (!best || f.length > best.length)) best = f;
  return best;
}

/**
 * Error lines of a build or run stage's streams that name a workspace file: gcc/clang/javac-like
 * `file:line[:col]: error: text`, and the innermost frame of a Python traceback in a workspace file.
 */
export function stageMarks(text: string, files: readonly string[]): FileMark[] {
  const out: FileMark[] = [];
  const seen = new Set<string>();
  const add = (m: FileMark) => {
    const key = `${m.path}:${m.line}:${m.column ?? 0}:${m.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(m);
  };
  const re = /^([^\s:][^:\n]*):(\d+)(?::(\d+))?:\s*(fatal error|error|warning|note)?:?\s*(.*)$/gm;
  for (const m of text.matchAll(re)) {
    const path = workspacePath(m[1], files);
    if (!path) continue;
    if (!m[4] && !/error/i.test(m[5])) continue;
    const kind = (m[4] ?? 'error').toLowerCase();
    add({
      path,
      line: Number(m[2]),
      column: m[3] ? Number(m[3]) : undefined,
      severity: kind === 'warning' ? 'warning' : kind === 'note' ? 'info' : 'error',
      message: m[5].trim() || kind,
    });
  }
  const frames = [...text.matchAll(/^\s*File "([^"]+)", line (\d+)/gm)]
    .map((m) => ({ path: workspacePath(m[1], files), line: Number(m[2]) }))
    .filter((f): f is { path: string; line: number } => f.path !== null);
  if (frames.length) {
    const last = frames[frames.length - 1];
    const tail = text.trimEnd().split('\n');
    add({ ...last, severity: 'error', message: tail[tail.length - 1].trim() });
  }
  return out;
}

/** A learner's edit not yet known to be saved, kept in `localStorage`. */
export interface LocalEdit {
  content: string;
  /** the file's version this edit started from */
  base: string | null;
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The learner's unsent edits of one workspace (one key per workspace, a map of paths). */
export class LocalEdits {
  constructor(readonly key: string) {}

  all(): Record<string, LocalEdit> {
    try {
      const raw = storage()?.getItem(this.key);
      const v = raw ? (JSON.parse(raw) as unknown) : null;
      return v && typeof v === 'object' ? (v as Record<string, LocalEdit>) : {};
    } catch {
      return {};
    }
  }

  private write(map: Record<string, LocalEdit>): void {
    try {
      if (Object.keys(map).length) storage()?.setItem(this.key, JSON.stringify(map));
      else storage()?.removeItem(this.key);
    } catch {
      // quota exceeded or storage disabled: the edit stays in memory only
    }
  }

  set(path: string, edit: LocalEdit): void {
    this.write({ ...this.all(), [path]: edit });
  }

  delete(path: string): void {
    const map = this.all();
    if (!(path in map)) return;
    delete map[path];
    this.write(map);
  }

  clear(): void {
    this.write({});
  }
}
