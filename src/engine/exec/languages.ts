/**
 * The languages the engine knows, and their detection: a language is listed only when its
 * toolchain lives under /usr (the only host tree the sandbox mounts) and a probe run of it in the
 * sandbox succeeds. Ids are the Sphere Engine compiler ids; version ids are stable per language
 * (C++ 1 is always C++17), so stored submissions keep their meaning across restarts.
 */
import { lstatSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compilerItem } from '../../shared/compiler-item.js';
import type { Compiler, Highlighters } from '../../shared/compilers.js';
import type { LanguageInfo } from './types.js';

/** A version a language may offer; `arg` is what the compile or run command needs for it. */
interface VersionDef {
  id: number;
  label: string;
  arg: string;
}

export interface Toolchain {
  /** how to build and run; `files` are the sources (relative to /box) */
  compile?(version: string, files: string[]): string[];
  /** argv of a run; `entry` is the file (interpreted) or main class (Java) */
  run(version: string, entry: string, memoryKb: number): string[];
  /**
   * An interpreted language's syntax check of the sources, run as its compile stage (read-only
   * box): a failure is a compilation error (status 11) with the message in cmpinfo.
   */
  check?(files: string[]): string[];
  /** what of the check's output is noise (success lines, the interpreter's own stack frames) */
  checkNoise?: RegExp;
  /** the error output of a failed run that may come from a syntax error (then the check runs) */
  checkHint?: RegExp;
}

export interface LanguageDef extends Toolchain {
  id: number;
  name: string;
  short: string;
  highlighters: Highlighters;
  sourceFile: string;
  /** source extensions a multi-file submission compiles or looks for */
  extensions: string[];
  /** host binaries that must exist (under /usr) */
  binaries: string[];
  /** argv of the probe run; prints the version (stdout or stderr) */
  probe: string[];
  /** the version string from the probe's output */
  parseVersion(out: string): string | null;
  /** candidate versions; detection keeps those the probe reports (`std:<arg>` lines) or all */
  versions?: VersionDef[];
  /** run-stage pids.max (threads count) and open files */
  pids: number;
  nofile: number;
  /** compile-stage overrides */
  compileMemoryMb?: number;
  compilePids?: number;
  /** host paths the toolchain needs besides /usr (found at detection) */
  binds?(): string[];
}

/** A detected language: the public info plus what the executor needs to build and run it. */
export interface Language {
  info: LanguageInfo;
  def: LanguageDef;
  /** version id -> its argument (e.g. `gnu++17`) */
  versionArgs: Map<number, string>;
  binds: string[];
}

function hl(
  common: string,
  overrides: Partial<Highlighters> & { codemirror: string },
): Highlighters {
  return {
    ace: common,
    geshi: common,
    pygments: common,
    highlights: common,
    rouge: common,
    highlightjs: common,
    prism: common,
    monaco: common,
    code_prettify: common,
    ...overrides,
  };
}

const firstMatch = (re: RegExp) => (out: string) => re.exec(out)?.[1] ?? null;

/** Source-standard probe for gcc/g++: which `-std=` values the compiler accepts. */
function stdProbe(cc: string, lang: 'c' | 'c++', versions: VersionDef[]): string[] {
  const tries = versions
    .map(
      (v) =>
        `if ${cc} -std=${v.arg} -fsyntax-only -x ${lang} /dev/null 2>/dev/null; then echo std:${v.arg}; fi`,
    )
    .join('; ');
  return ['/bin/sh', '-c', `echo version:$(${cc} -dumpfullversion); ${tries}`];
}

/** The gcc/g++ compile stage: one optimised build of every source, with libm. */
const gccCompile = (cc: string) => (std: string, files: string[]) => [
  cc,
  `-std=${std}`,
  '-O2',
  '-pipe',
  '-o',
  'prog',
  ...files,
  '-lm',
];

const CPP_VERSIONS: VersionDef[] = [
  { id: 1, label: 'C++17', arg: 'gnu++17' },
  { id: 2, label: 'C++14', arg: 'gnu++14' },
  { id: 3, label: 'C++20', arg: 'gnu++20' },
  { id: 4, label: 'C++11', arg: 'gnu++11' },
  { id: 5, label: 'C++23', arg: 'gnu++23' },
  { id: 6, label: 'C++98', arg: 'gnu++98' },
];
const C_VERSIONS: VersionDef[] = [
  { id: 1, label: 'C17', arg: 'gnu17' },
  { id: 2, label: 'C11', arg: 'gnu11' },
  { id: 3, label: 'C99', arg: 'gnu99' },
  { id: 4, label: 'C89', arg: 'gnu89' },
  { id: 5, label: 'C2x', arg: 'gnu2x' },
];

/** JVM flags: fast start, one GC thread, no perf-data files in /tmp. */
const JVM_FLAGS = ['-XX:+UseSerialGC', '-XX:-UsePerfData', '-Xshare:auto'];

/** Folders under /etc that files of a JDK link to (Debian keeps its config there). */
function javaBinds(): string[] {
  let home: string;
  try {
    home = dirname(dirname(realpathSync('/usr/bin/java')));
  } catch {
    return [];
  }
  const found = new Set<string>();
  const walk = (dir: string, depth: number) => {
    if (depth > 6) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (e.isSymbolicLink()) {
        let target: string;
        try {
          target = readlinkSync(p);
        } catch {
          continue;
        }
        if (!target.startsWith('/etc/')) continue;
        const top = target.split('/').slice(0, 3).join('/');
        found.add(top.startsWith('/etc/java') ? top : dirname(target));
      }
    }
  };
  walk(home, 0);
  const existing = [...found].filter((p) => {
    try {
      return lstatSync(p).isDirectory();
    } catch {
      return false;
    }
  });
  // drop folders already inside another bound folder
  return existing.sort().filter((p, i, all) => !all.slice(0, i).some((q) => p.startsWith(`${q}/`)));
}

/**
 * Python's syntax check: compiles each file without running or writing anything, and prints a
 * syntax error as Python does (file, line, caret, message) without the checker's own frames.
 */
const PY_CHECK = [
  'import sys',
  'bad = 0',
  'for f in sys.argv[1:]:',
  '    try:',
  '        with open(f, "rb") as h: compile(h.read(), f, "exec", dont_inherit=True)',
  '    except (SyntaxError, ValueError) as e:',
  '        import traceback',
  '        bad = 1',
  '        sys.stderr.write("".join(traceback.format_exception_only(type(e), e)))',
  'sys.exit(bad)',
].join('\n');

/** Runs `$1 FILE` for every further argument; fails when any check fails (all are reported). */
const EACH_CHECK = 'c=$1; shift; s=0; for f in "$@"; do $c "$f" || s=1; done; exit $s';

export const LANGUAGE_DEFS: LanguageDef[] = [
  {
    id: 1,
    name: 'C++',
    short: 'CPP',
    highlighters: hl('cpp', { ace: 'c_cpp', codemirror: 'clike', rouge: 'cpp' }),
    sourceFile: 'prog.cpp',
    extensions: ['.cpp', '.cc', '.cxx', '.c++'],
    binaries: ['/usr/bin/g++'],
    probe: stdProbe('/usr/bin/g++', 'c++', CPP_VERSIONS),
    parseVersion: firstMatch(/version:(\S+)/),
    versions: CPP_VERSIONS,
    compile: gccCompile('/usr/bin/g++'),
    run: () => ['./prog'],
    pids: 64,
    nofile: 128,
  },
  {
    id: 11,
    name: 'C',
    short: 'C',
    highlighters: hl('c', { ace: 'c_cpp', codemirror: 'clike' }),
    sourceFile: 'prog.c',
    extensions: ['.c'],
    binaries: ['/usr/bin/gcc'],
    probe: stdProbe('/usr/bin/gcc', 'c', C_VERSIONS),
    parseVersion: firstMatch(/version:(\S+)/),
    versions: C_VERSIONS,
    compile: gccCompile('/usr/bin/gcc'),
    run: () => ['./prog'],
    pids: 64,
    nofile: 128,
  },
  {
    id: 116,
    name: 'Python 3',
    short: 'PYTHON3',
    highlighters: hl('python', { codemirror: 'python' }),
    sourceFile: 'prog.py',
    extensions: ['.py'],
    binaries: ['/usr/bin/python3'],
    probe: ['/usr/bin/python3', '--version'],
    parseVersion: firstMatch(/Python (\S+)/),
    // -B: the box is read-only at run time anyway; no .pyc attempts
    run: (_v, entry) => ['/usr/bin/python3', '-B', entry],
    // -S: no site module (half of the start-up time); the check needs nothing from it
    check: (files) => ['/usr/bin/python3', '-B', '-I', '-S', '-c', PY_CHECK, ...files],
    checkHint: /^(SyntaxError|IndentationError|TabError)\b/m,
    pids: 64,
    nofile: 128,
  },
  {
    id: 10,
    name: 'Java',
    short: 'JAVA',
    highlighters: hl('java', { codemirror: 'clike' }),
    sourceFile: 'Main.java',
    extensions: ['.java'],
    binaries: ['/usr/bin/java', '/usr/bin/javac'],
    probe: ['/usr/bin/java', ...JVM_FLAGS, '-version'],
    parseVersion: firstMatch(/version "([^"]+)"/),
    compile: (_v, files) => [
      '/usr/bin/javac',
      ...JVM_FLAGS.map((f) => `-J${f}`),
      '-J-XX:TieredStopAtLevel=1',
      '-J-Xmx384m',
      '-encoding',
      'UTF-8',
      '-d',
      '.',
      ...files,
    ],
    run: (_v, mainClass, memoryKb) => [
      '/usr/bin/java',
      ...JVM_FLAGS,
      // the heap stays under the memory limit, leaving room for the JVM's own memory
      `-Xmx${Math.max(16, Math.floor((memoryKb / 1024) * 0.8))}m`,
      '-Xss64m',
      '-cp',
      '.',
      mainClass,
    ],
    pids: 256,
    nofile: 1024,
    compileMemoryMb: 1024,
    compilePids: 512,
    binds: javaBinds,
  },
  {
    id: 56,
    name: 'Node.js',
    short: 'NODEJS',
    highlighters: hl('javascript', { codemirror: 'javascript', code_prettify: 'js' }),
    sourceFile: 'prog.js',
    extensions: ['.js', '.mjs', '.cjs'],
    binaries: ['/usr/bin/node'],
    probe: ['/usr/bin/node', '--version'],
    parseVersion: firstMatch(/v(\d+\.\d+\.\d+)/),
    run: (_v, entry) => ['/usr/bin/node', entry],
    check: (files) => ['/bin/sh', '-c', EACH_CHECK, 'check', '/usr/bin/node --check', ...files],
    checkNoise: /^ {4}at .*\(node:internal\/.*\n|^Node\.js v[\d.]+\n?/gm,
    checkHint: /^SyntaxError\b/m,
    pids: 64,
    nofile: 256,
  },
  {
    id: 28,
    name: 'Bash',
    short: 'BASH',
    highlighters: hl('bash', {
      ace: 'sh',
      rouge: 'shell',
      codemirror: 'shell',
      monaco: 'shell',
    }),
    sourceFile: 'prog.sh',
    extensions: ['.sh'],
    binaries: ['/usr/bin/bash'],
    probe: ['/usr/bin/bash', '--version'],
    parseVersion: firstMatch(/version (\d+\.\d+\.\d+)/),
    run: (_v, entry) => ['/usr/bin/bash', entry],
    check: (files) => ['/bin/sh', '-c', EACH_CHECK, 'check', '/usr/bin/bash -n', ...files],
    checkHint: /syntax error/,
    pids: 64,
    nofile: 128,
  },
  {
    id: 3,
    name: 'Perl',
    short: 'PERL',
    highlighters: hl('perl', { codemirror: 'perl' }),
    sourceFile: 'prog.pl',
    extensions: ['.pl'],
    binaries: ['/usr/bin/perl'],
    probe: ['/usr/bin/perl', '-e', 'print "version:$^V\\n"'],
    parseVersion: firstMatch(/version:v(\S+)/),
    run: (_v, entry) => ['/usr/bin/perl', entry],
    // perl -c also runs BEGIN blocks and `use`: inside the sandbox, under the compile limits
    check: (files) => ['/bin/sh', '-c', EACH_CHECK, 'check', '/usr/bin/perl -c', ...files],
    checkNoise: /^.* syntax OK\n?/gm,
    checkHint: /syntax error|compilation errors/,
    pids: 64,
    nofile: 128,
  },
];

/** True when every binary exists and resolves to a file under /usr. */
export function toolchainPresent(def: LanguageDef): boolean {
  return def.binaries.every((b) => {
    try {
      const real = realpathSync(b);
      return real.startsWith('/usr/') && lstatSync(real).isFile();
    } catch {
      return false;
    }
  });
}

/** Builds the detected language from its probe output, or null when the probe says it cannot run. */
export function languageFromProbe(def: LanguageDef, out: string): Language | null {
  const version = def.parseVersion(out);
  if (!version) return null;
  const accepted = new Set([...out.matchAll(/^std:(\S+)$/gm)].map((m) => m[1]));
  const defs = def.versions
    ? def.versions.filter((v) => accepted.has(v.arg))
    : [{ id: 1, label: '', arg: '' }];
  if (defs.length === 0) return null;
  const compilerName = def.id === 1 || def.id === 11 ? 'GCC' : '';
  const versions = defs.map((v) => ({
    id: v.id,
    name: v.label ? `${v.label} (${compilerName} ${version})` : version,
  }));
  return {
    def,
    versionArgs: new Map(defs.map((v) => [v.id, v.arg])),
    binds: def.binds?.() ?? [],
    info: languageInfo(def, versions),
  };
}

/** The public info of a language offering `versions` (non-empty; the first is the default). */
export function languageInfo(
  def: LanguageDef,
  versions: Array<{ id: number; name: string }>,
): LanguageInfo {
  return {
    id: def.id,
    name: def.name,
    short: def.short,
    versions,
    highlighters: def.highlighters,
    sourceFile: def.sourceFile,
    compiled: Boolean(def.compile),
    multiFile: true,
    defaultVersionId: versions[0]!.id,
  };
}

/** The `GET /compilers` items (the same in the Compilers and Problems modules), by ascending id. */
export function compilerItems(languages: Map<number, LanguageInfo>): Compiler[] {
  return [...languages.values()].sort((a, b) => a.id - b.id).map(compilerItem);
}

/**
 * Java: the class to run and the file name its source must have. A public class names the file
 * and is run; otherwise `Main` when declared, else the top-level class that declares `main`. A
 * `package` prefixes the class (javac -d . puts it in the package's folder).
 */
export function javaNames(source: string): { file: string; mainClass: string } {
  const code = source
    .replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ')
    .replace(/"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g, '""');
  const pkg = /^\s*package\s+([\w.]+)\s*;/m.exec(code)?.[1];
  // top-level classes: `class X` at brace depth 0
  const topLevel: Array<{ name: string; at: number; isPublic: boolean }> = [];
  let depth = 0;
  const token =
    /[{}]|\b((?:(?:public|final|abstract|strictfp)\s+)*)(class|interface|enum|record)\s+(\w+)/g;
  for (let m = token.exec(code); m; m = token.exec(code)) {
    if (m[0] === '{') depth++;
    else if (m[0] === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0)
      topLevel.push({ name: m[3], at: m.index, isPublic: /\bpublic\b/.test(m[1] ?? '') });
  }
  const pub = topLevel.find((c) => c.isPublic)?.name;
  let cls = pub;
  if (!cls && topLevel.some((c) => c.name === 'Main')) cls = 'Main';
  if (!cls) {
    const mainAt = code.search(/\bvoid\s+main\s*\(/);
    cls = topLevel.filter((c) => c.at < mainAt).pop()?.name ?? 'Main';
  }
  return { file: `${pub ?? 'Main'}.java`, mainClass: pkg ? `${pkg}.${cls}` : cls };
}
