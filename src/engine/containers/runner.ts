/**
 * Everything that touches a learner's tree runs here, inside the sandbox as the workspace's uid
 * (WORKSPACE.md, trap 3): the stages of a scenario, and every file operation (upload, read, list,
 * extract, pack, copy, measure, clear). The engine never walks a learner's tree by host path: a
 * symlink planted in the workspace resolves inside the sandbox, where the host's files, the
 * engine's data and other workspaces are not mounted.
 *
 * The layout of every run: a fresh tmpfs at /home/user (HOME), the workspace's files bound
 * read-write at /home/user/workspace (the working folder), `files.read_only` paths bound
 * read-only over it from the project's template, the project's environment folder at
 * /opt/se/env, and in the test stage its hidden tests at /opt/se/tests and an empty report folder
 * at /.se-report (outside anything an earlier stage could write).
 */
import type { Mount, Sandbox, StageHandle, StageLimits, StageSpec } from '../sandbox/index.js';
import type { ExtraFd, StageOutcome } from '../exec/types.js';

export const HOME = '/home/user';
export const WORKSPACE = '/home/user/workspace';
export const ENV_DIR = '/opt/se/env';
export const TESTS_DIR = '/opt/se/tests';
export const TEMPLATE_DIR = '/opt/se/template';
export const REPORT_DIR = '/.se-report';
export const REPORT_FILE = `${REPORT_DIR}/report`;
export const PATH = `${ENV_DIR}/bin:/usr/local/bin:/usr/bin:/bin`;

/** The most a file read or upload moves (the spec's 16 MiB). */
export const FILE_BYTES = 16 * 1024 * 1024;

/** Limits of a file operation (small, quick). */
const FILE_OP_LIMITS: StageLimits = {
  cpuSec: 10,
  memoryBytes: 256 * 1024 * 1024,
  wallMs: 20_000,
  pids: 32,
  nofile: 256,
  fsizeBytes: 256 * 1024 * 1024,
  stackBytes: 8 * 1024 * 1024,
  tmpBytes: 16 * 1024 * 1024,
};

/** A workspace as a run needs it. */
export interface WorkspaceTarget {
  /** host path of its files (attached) */
  files: string;
  /** as root: the uid it runs as */
  uid: number;
  /** host paths the project lends it (reachable by the uid), or null */
  env: string | null;
  /** read-only paths (relative) with the host path of the template's copy of each */
  readOnly: Array<{ path: string; host: string }>;
}

export interface RunSpec {
  argv: string[];
  stdin?: Buffer | string;
  env?: Record<string, string>;
  limits: StageLimits;
  outputCapBytes: number;
  /** extra mounts after the workspace's own (tests, report folder, template) */
  mounts?: Mount[];
  /** bind the read-only paths (stages); file operations see the workspace as stored */
  readOnlyBinds?: boolean;
  /**
   * Before the command, in the same sandbox, a tar.gz of the workspace as the command finds it
   * (names under `workspace/`, symlinks stored as links) written to this host file, at most
   * `capBytes` + 1 bytes (more means too large). The command's limits and time start after it.
   */
  snapshot?: { file: string; capBytes: number };
}

/** How long a snapshot may take before it is given up (a file operation's wall time). */
const SNAPSHOT_WALL_MS = 20_000;
/** The fd the snapshot is written to (closed before the command starts). */
const SNAPSHOT_FD = 3;

/** Runs commands in workspaces. */
export class WorkspaceRunner {
  constructor(
    private readonly sandbox: Sandbox,
    private readonly homeBytes: number,
  ) {}

  /** Runs `spec` in the workspace; the outcome of the sandbox (status 20 when it failed). */
  run(ws: WorkspaceTarget, spec: RunSpec): Promise<StageOutcome> {
    return this.sandbox.run(this.stageSpec(ws, spec), spec.stdin ?? '');
  }

  /**
   * Sets `spec` up in the workspace without starting it (a gated stage): `go()` starts it and
   * gives its outcome, `cancel()` drops it. A scenario prepares its next stage this way while
   * the current one runs, so the sandbox's setup is not on the path.
   */
  prepare(ws: WorkspaceTarget, spec: RunSpec): PreparedRun {
    const h = this.sandbox.start({ ...this.stageSpec(ws, spec), gated: true }, true);
    h.stdin.on('error', () => {
      // EPIPE: the program exited without reading all of its input
    });
    h.stdin.end(spec.stdin ?? '');
    return {
      go: () => {
        h.open();
        return h.done;
      },
      cancel: () => {
        h.stop();
        void h.done.catch(() => undefined);
      },
    };
  }

  /** Starts `spec` in the workspace with streamed stdin, stdout and `fds` (the terminal). */
  start(ws: WorkspaceTarget, spec: RunSpec & { fds: ExtraFd[] }): StageHandle {
    return this.sandbox.start({ ...this.stageSpec(ws, spec), fds: spec.fds }, false);
  }

  /** The layout every run shares. */
  private stageSpec(ws: WorkspaceTarget, spec: RunSpec): StageSpec {
    const mounts: Mount[] = [
      { target: HOME, tmpfsBytes: this.homeBytes },
      { target: WORKSPACE, host: ws.files, writable: true },
    ];
    if (spec.readOnlyBinds)
      for (const r of ws.readOnly)
        mounts.push({ target: `${WORKSPACE}/${r.path}`, host: r.host, writable: false });
    if (ws.env) mounts.push({ target: ENV_DIR, host: ws.env, writable: false });
    mounts.push(...(spec.mounts ?? []));
    return {
      stage: 'run',
      argv: spec.argv,
      env: { HOME, PATH, LANG: 'C.UTF-8', ...spec.env },
      boxDir: '',
      boxWritable: true,
      slot: 0,
      uid: ws.uid,
      limits: spec.limits,
      outputCapBytes: spec.outputCapBytes,
      layout: { mounts, cwd: WORKSPACE },
      ...(spec.snapshot
        ? {
            fds: [
              {
                fd: SNAPSHOT_FD,
                writeFile: spec.snapshot.file,
                capBytes: spec.snapshot.capBytes + 1,
              },
            ],
            pre: {
              argv: ['/usr/bin/tar', '-c', '-z', '-f', '-', '-C', HOME, 'workspace'],
              fd: SNAPSHOT_FD,
              wallMs: SNAPSHOT_WALL_MS,
            },
          }
        : {}),
    };
  }

  /** A file operation: `script` in sh with `args` as $1..., stdin given. */
  private op(
    ws: WorkspaceTarget,
    script: string,
    args: string[],
    o: { stdin?: Buffer; outputCapBytes?: number; mounts?: Mount[] } = {},
  ): Promise<StageOutcome> {
    return this.run(ws, {
      argv: ['/bin/sh', '-c', `set -u\n${RESOLVE}\n${script}`, 'se-files', ...args],
      stdin: o.stdin,
      limits: FILE_OP_LIMITS,
      outputCapBytes: o.outputCapBytes ?? 1024 * 1024,
      mounts: o.mounts,
    });
  }

  /** Writes `data` at `path` (relative): its parent must exist, a file there is replaced. */
  async writeFile(ws: WorkspaceTarget, path: string, data: Buffer): Promise<FileOpResult> {
    const out = await this.op(
      ws,
      `d=$(dirname -- "$1"); r=$(inside "$d") || exit 3
       t="$r/$(basename -- "$1")"
       if [ -L "$t" ] || { [ -e "$t" ] && [ ! -f "$t" ]; }; then exit 4; fi
       cat > "$t" || exit 5`,
      [path],
      { stdin: data },
    );
    return result(out, { 3: 'no-parent', 4: 'not-file', 5: 'failed' });
  }

  /** The bytes of the file at `path`; `too-large` over {@link FILE_BYTES}. */
  async readFile(ws: WorkspaceTarget, path: string): Promise<FileOpResult & { data?: Buffer }> {
    const out = await this.op(
      ws,
      `r=$(inside "$1") || exit 3
       [ -f "$r" ] || exit 4
       [ -r "$r" ] || exit 6
       [ "$(stat -c %s -- "$r")" -le ${FILE_BYTES} ] || exit 7
       cat -- "$r" || exit 5`,
      [path],
      { outputCapBytes: FILE_BYTES + 1 },
    );
    const r = result(out, {
      3: 'not-found',
      4: 'not-file',
      5: 'failed',
      6: 'denied',
      7: 'too-large',
    });
    return r.ok ? { ...r, data: out.stdout } : r;
  }

  /** The entries of the folder at `path` ('' for the workspace). */
  async list(ws: WorkspaceTarget, path: string): Promise<FileOpResult & { entries?: Entry[] }> {
    const out = await this.op(
      ws,
      `r=$(inside "\${1:-.}") || exit 3
       [ -d "$r" ] || exit 4
       [ -r "$r" ] && [ -x "$r" ] || exit 6
       find "$r" -mindepth 1 -maxdepth 1 -printf '%y\\t%m\\t%s\\t%T@\\t%f\\0' || exit 5`,
      [path],
      { outputCapBytes: 8 * 1024 * 1024 },
    );
    const r = result(out, { 3: 'not-found', 4: 'not-dir', 5: 'failed', 6: 'denied' });
    if (!r.ok) return r;
    const entries: Entry[] = [];
    for (const rec of out.stdout.toString('utf8').split('\0')) {
      if (!rec) continue;
      const [type, perm, size, time, ...name] = rec.split('\t');
      entries.push({
        dir: type === 'd',
        name: name.join('\t'),
        perm: perm!,
        size: Number(size),
        time: Math.floor(Number(time)),
      });
    }
    return { ...r, entries };
  }

  /** Extracts a plain tar (written by the engine: files and folders only) into the workspace. */
  async extract(ws: WorkspaceTarget, tar: Buffer): Promise<FileOpResult> {
    const out = await this.op(
      ws,
      `tar -x -f - --no-same-owner --no-same-permissions -C ${WORKSPACE} 2>&1 >/dev/null || exit 5`,
      [],
      { stdin: tar },
    );
    return result(out, { 5: 'failed' });
  }

  /**
   * A tar.gz of `paths` (relative to the workspace; '' for all of it; missing ones are skipped),
   * with names under `workspace/`; symlinks are stored as links, never followed.
   */
  async pack(
    ws: WorkspaceTarget,
    paths: string[],
    capBytes: number,
  ): Promise<FileOpResult & { data?: Buffer }> {
    const out = await this.op(
      ws,
      `cd ${HOME} || exit 5
       for p in "$@"; do
         case "$p" in workspace|workspace/*) ;; *) continue ;; esac
         [ -e "$p" ] || [ -L "$p" ] || continue
         find "$p" -print0
       done | tar -c -z -f - --null --no-recursion --files-from=- 2>/dev/null
       exit 0`,
      paths.map((p) => (p === '' || p === '.' ? 'workspace' : `workspace/${p}`)),
      { outputCapBytes: capBytes + 1 },
    );
    if (out.status !== 0 && !out.stdoutTruncated) return result(out, {});
    if (out.stdoutTruncated || out.stdout.length > capBytes)
      return { ok: false, error: 'too-large' };
    return { ok: true, data: out.stdout };
  }

  /**
   * A tar.gz of `pairs` (archive folder name, path in the workspace): each path is copied as it is
   * (symlinks stay links, never followed) under its name, then packed. Missing paths are skipped.
   */
  async packAs(
    ws: WorkspaceTarget,
    pairs: Array<[string, string]>,
    capBytes: number,
  ): Promise<FileOpResult & { data?: Buffer }> {
    const out = await this.op(
      ws,
      `a=$(mktemp -d) || exit 5
       while [ "$#" -ge 2 ]; do
         n=$1; p=$2; shift 2
         [ -e "${WORKSPACE}/$p" ] || [ -L "${WORKSPACE}/$p" ] || continue
         mkdir -p -- "$(dirname -- "$a/$n")" && cp -a -- "${WORKSPACE}/$p" "$a/$n" 2>/dev/null
       done
       cd "$a" && tar -c -z -f - . 2>/dev/null; exit 0`,
      pairs.flat(),
      { outputCapBytes: capBytes + 1 },
    );
    if (out.internalError) return { ok: false, error: 'sandbox', detail: out.internalError };
    if (out.stdoutTruncated || out.stdout.length > capBytes)
      return { ok: false, error: 'too-large' };
    return { ok: true, data: out.stdout };
  }

  /**
   * Copies the host folder `host` (a project's template, reachable by the uid) into the workspace,
   * over what is there: all of it, or only the relative paths `only`.
   */
  async copyIn(ws: WorkspaceTarget, host: string, only?: string[]): Promise<FileOpResult> {
    const out = await this.op(
      ws,
      `cd ${TEMPLATE_DIR} || exit 5
       if [ "$#" -eq 0 ]; then set -- .; fi
       for p in "$@"; do
         [ -e "$p" ] || continue
         rm -rf -- "${WORKSPACE}/$p" 2>/dev/null
         mkdir -p -- "$(dirname -- "${WORKSPACE}/$p")" &&
           cp -R --preserve=mode,timestamps -- "$p" "${WORKSPACE}/$p" 2>/dev/null ||
           cp -R --preserve=mode,timestamps -- "$p/." "${WORKSPACE}/$p" || exit 5
       done`,
      only ?? [],
      { mounts: [{ target: TEMPLATE_DIR, host, writable: false }] },
    );
    return result(out, { 5: 'failed' });
  }

  /**
   * Creates an empty file or a folder at `path`: its parent must exist, nothing may be there
   * (a dangling symlink counts).
   */
  async create(ws: WorkspaceTarget, path: string, dir: boolean): Promise<FileOpResult> {
    const out = await this.op(
      ws,
      `d=$(dirname -- "$1"); r=$(inside "$d") || exit 3
       t="$r/$(basename -- "$1")"
       if [ -e "$t" ] || [ -L "$t" ]; then exit 4; fi
       if [ "$2" = dir ]; then mkdir -- "$t" || exit 5; else : > "$t" || exit 5; fi`,
      [path, dir ? 'dir' : 'file'],
    );
    return result(out, { 3: 'no-parent', 4: 'exists', 5: 'failed' });
  }

  /** Removes the file, link or folder (with its contents) at `path`; a link is not followed. */
  async remove(ws: WorkspaceTarget, path: string): Promise<FileOpResult> {
    const out = await this.op(
      ws,
      `d=$(dirname -- "$1"); r=$(inside "$d") || exit 3
       t="$r/$(basename -- "$1")"
       [ "$t" = ${WORKSPACE} ] && exit 3
       if [ ! -e "$t" ] && [ ! -L "$t" ]; then exit 3; fi
       rm -rf -- "$t" || exit 5`,
      [path],
    );
    return result(out, { 3: 'not-found', 5: 'failed' });
  }

  /** Moves `from` (a file, link or folder; a link is moved, not followed) to `to`. */
  async rename(ws: WorkspaceTarget, from: string, to: string): Promise<FileOpResult> {
    const out = await this.op(
      ws,
      `a=$(inside "$(dirname -- "$1")") || exit 3
       f="$a/$(basename -- "$1")"
       if [ ! -e "$f" ] && [ ! -L "$f" ]; then exit 3; fi
       b=$(inside "$(dirname -- "$2")") || exit 6
       t="$b/$(basename -- "$2")"
       if [ -e "$t" ] || [ -L "$t" ]; then exit 4; fi
       case "$t/" in "$f"/*) exit 7 ;; esac
       mv -T -- "$f" "$t" || exit 5`,
      [from, to],
    );
    return result(out, { 3: 'not-found', 4: 'exists', 5: 'failed', 6: 'no-parent', 7: 'denied' });
  }

  /** Kilobytes the workspace's files take. */
  async usageKb(ws: WorkspaceTarget): Promise<number | null> {
    const out = await this.op(ws, `du -sk ${WORKSPACE} | cut -f1`, []);
    const kb = Number(out.stdout.toString().trim());
    return out.status === 0 && Number.isFinite(kb) ? kb : null;
  }

  /** Removes every file of the workspace (its folder stays). */
  async clear(ws: WorkspaceTarget): Promise<FileOpResult> {
    const out = await this.op(ws, `find ${WORKSPACE} -mindepth 1 -delete || exit 5`, []);
    return result(out, { 5: 'failed' });
  }
}

/** A run set up and waiting (see `WorkspaceRunner.prepare`). */
export interface PreparedRun {
  go(): Promise<StageOutcome>;
  cancel(): void;
}

/** A folder entry of a listing. */
export interface Entry {
  dir: boolean;
  name: string;
  /** octal permission bits, e.g. `644` */
  perm: string;
  size: number;
  /** modification time, seconds since the epoch */
  time: number;
}

export type FileOpError =
  | 'no-parent'
  | 'exists'
  | 'not-found'
  | 'not-file'
  | 'not-dir'
  | 'denied'
  | 'too-large'
  | 'failed'
  | 'sandbox';

export type FileOpResult =
  { ok: true; error?: undefined } | { ok: false; error: FileOpError; detail?: string };

/**
 * `inside PATH` prints PATH resolved (symlinks followed, inside the sandbox) when it exists and
 * lies within the workspace; fails otherwise.
 */
const RESOLVE = `inside() {
  r=$(cd ${WORKSPACE} && realpath -e -- "$1" 2>/dev/null) || return 1
  case "$r" in ${WORKSPACE}|${WORKSPACE}/*) printf '%s' "$r" ;; *) return 1 ;; esac
}`;

function result(out: StageOutcome, codes: Record<number, FileOpError>): FileOpResult {
  if (out.internalError) return { ok: false, error: 'sandbox', detail: out.internalError };
  if (out.status === 0) return { ok: true };
  const code = out.exitCode !== null ? codes[out.exitCode] : undefined;
  return {
    ok: false,
    error: code ?? 'failed',
    detail: out.stderr.toString('utf8').slice(0, 500),
  };
}
