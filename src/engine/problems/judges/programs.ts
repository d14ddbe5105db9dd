import type { CompileResult, Executor } from '../../exec/types.js';
import type { JudgeRow } from '../store.js';

interface Entry {
  judgeId: number;
  version: number;
  result: Promise<CompileResult>;
  /** runs using the program now */
  refs: number;
  /** a newer version of the judge exists: dispose once unused */
  stale: boolean;
  lastUsed: number;
}

/** A compiled judge lent out by {@link JudgePrograms.acquire}; call `release` when done. */
export interface JudgeLease {
  result: CompileResult;
  release(): void;
}

/**
 * Compiled custom judges, cached per judge version: a judge compiles once, then every submission's
 * test cases run the same program. Programs in use are never disposed under a run: a newer
 * version or the size bound only disposes entries nobody holds.
 */
export class JudgePrograms {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  constructor(
    private readonly executor: Executor,
    private readonly log: (line: string) => void,
    private readonly capacity = 32,
  ) {}

  /** True when `judge`'s current version is compiled (or compiling): no "compiling judge" phase. */
  has(judge: JudgeRow): boolean {
    return this.entries.has(key(judge));
  }

  /** The compiled judge (compiling it on first use with `slot`); hold it until `release`. */
  async acquire(judge: JudgeRow, slot: number): Promise<JudgeLease> {
    if (this.closed) throw new Error('the judge cache is closed');
    const k = key(judge);
    let entry = this.entries.get(k);
    if (!entry) {
      for (const e of this.entries.values()) {
        if (e.judgeId === judge.id && e.version < judge.version) e.stale = true;
      }
      entry = {
        judgeId: judge.id,
        version: judge.version,
        result: this.executor.compile(
          {
            languageId: judge.compilerId,
            versionId: judge.compilerVersionId,
            source: judge.source.toString('utf8'),
          },
          slot,
        ),
        refs: 0,
        stale: false,
        lastUsed: Date.now(),
      };
      this.entries.set(k, entry);
      // A compile that threw (not one that failed) is not worth keeping: try again next time.
      entry.result.catch(() => this.entries.delete(k));
    }
    entry.refs++;
    entry.lastUsed = Date.now();
    let result: CompileResult;
    try {
      result = await entry.result;
    } catch (err) {
      entry.refs--;
      throw err;
    }
    const held = entry;
    let released = false;
    return {
      result,
      release: () => {
        if (released) return;
        released = true;
        held.refs--;
        this.sweep();
      },
    };
  }

  /** Disposes every compiled judge (at engine stop; runs must be over). */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => this.dispose(e)));
  }

  private sweep(): void {
    const idle = [...this.entries.entries()].filter(([, e]) => e.refs === 0);
    const drop = new Set(idle.filter(([, e]) => e.stale).map(([k]) => k));
    const over = this.entries.size - drop.size - this.capacity;
    if (over > 0) {
      idle
        .filter(([k]) => !drop.has(k))
        .sort((a, b) => a[1].lastUsed - b[1].lastUsed)
        .slice(0, over)
        .forEach(([k]) => drop.add(k));
    }
    for (const k of drop) {
      const e = this.entries.get(k)!;
      this.entries.delete(k);
      void this.dispose(e);
    }
  }

  private async dispose(e: Entry): Promise<void> {
    try {
      const r = await e.result;
      if (r.ok) await r.program.dispose();
    } catch (err) {
      this.log(`se-engine: problems: disposing judge ${e.judgeId} failed: ${String(err)}`);
    }
  }
}

const key = (j: Pick<JudgeRow, 'id' | 'version'>): string => `${j.id}:${j.version}`;
