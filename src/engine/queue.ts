import { queueFull } from './http/errors.js';
import type { Db } from './store/db.js';

/** What a job's handler gets besides the job's reference. */
export interface JobContext {
  /** worker slot, 0-based (the sandbox derives its uid and cgroup from it) */
  readonly slot: number;
  /** 1 on the first run; 2 when re-run after the engine died while running it */
  readonly attempt: number;
  /** aborted when the engine stops before the job finished: write nothing more */
  readonly signal: AbortSignal;
  /**
   * Runs `write` (the job's final database write) and removes the job in one transaction, so a
   * crash can never re-run a finished job. Returns false, writing nothing, when the job was
   * taken back (the engine is stopping and will run it again at the next start).
   */
  finish(write: () => void): boolean;
  /**
   * Lends the job another free worker slot for one piece of its work (e.g. one test case), or
   * null. Fairness: a slot is lent only while no other job waits, so a waiting job always comes
   * first; give the slot back with `returnSlot` as soon as that piece is done, and it goes to the
   * next waiting job, if any, before anyone borrows it again. Slots still lent when the job ends
   * are taken back.
   */
  borrowSlot(): number | null;
  /** Gives back a slot from `borrowSlot`. */
  returnSlot(slot: number): void;
}

/**
 * A job kind: one per module that runs work on the pool (`compilers`, later `problems`). `ref` is
 * the kind's own record id (e.g. a submission id).
 */
export interface JobKind {
  /** Executes the job; ends with `ctx.finish(...)` writing the final state. */
  run(ref: number, ctx: JobContext): Promise<void>;
  /**
   * Ends the record without running it (e.g. status 20 with `reason`): `run` threw, or the job was
   * interrupted by a crash once more than allowed. Write through `finish` like `run` does.
   */
  abandon(ref: number, reason: string, finish: (write: () => void) => boolean): void;
  /** Called at start for an interrupted job that is queued again (e.g. to show "waiting"). */
  requeued?(ref: number): void;
}

export interface JobQueueOptions {
  /** size of the worker pool */
  workers: number;
  /** most jobs waiting (not counting running ones) before `enqueue` answers 503 */
  queueSize: number;
  /** runs per job, counting runs interrupted by a crash (default 2: re-run once) */
  maxAttempts?: number;
  log: (line: string) => void;
}

interface Pending {
  id: number;
  kind: string;
  ref: number;
  attempts: number;
}

interface Running extends Pending {
  slot: number;
  /** slots lent to the job by borrowSlot, not yet given back */
  borrowed: Set<number>;
  controller: AbortController;
  /** taken back by close(): its writes are refused */
  detached: boolean;
  finished: boolean;
  done: Promise<void>;
}

/**
 * A bounded, persistent job queue feeding a fixed pool of worker slots. Jobs live in the `jobs`
 * table from `enqueue` until their final write, so a queued job survives a restart and a job
 * running when the engine died is found again at the next start.
 */
export class JobQueue {
  private readonly kinds = new Map<string, JobKind>();
  private readonly pending: Pending[] = [];
  private readonly running = new Map<number, Running>();
  private readonly freeSlots: number[];
  private readonly maxAttempts: number;
  private started = false;
  private closing = false;
  private avgJobMs = 200;
  private readonly stmt;

  constructor(
    private readonly db: Db,
    private readonly options: JobQueueOptions,
  ) {
    this.freeSlots = Array.from({ length: options.workers }, (_, i) => i);
    this.maxAttempts = options.maxAttempts ?? 2;
    this.stmt = {
      insert: db.prepare(
        "INSERT INTO jobs (kind, ref, state, created_at) VALUES (?, ?, 'queued', ?)",
      ),
      start: db.prepare(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = ? WHERE id = ?",
      ),
      remove: db.prepare('DELETE FROM jobs WHERE id = ?'),
      putBack: db.prepare(
        "UPDATE jobs SET state = 'queued', attempts = attempts - 1, started_at = NULL WHERE id = ?",
      ),
    };
  }

  /** Registers the handler of a job kind; before `start`. */
  register(kind: string, handler: JobKind): void {
    if (this.started) throw new Error('register job kinds before the queue starts');
    if (this.kinds.has(kind)) throw new Error(`job kind '${kind}' is already registered`);
    this.kinds.set(kind, handler);
  }

  /**
   * Creates a record with `create` (which returns its id) and queues a job of `kind` for it, in one
   * transaction. Throws the 503 ApiError (with `Retry-After`) when the queue is full, before
   * `create` runs: nothing is stored then.
   */
  enqueue(kind: string, create: () => number): number {
    if (!this.kinds.has(kind)) throw new Error(`unknown job kind '${kind}'`);
    if (this.closing) throw queueFull(5);
    if (this.pending.length >= this.options.queueSize) throw queueFull(this.retryAfterSec());
    let job: Pending | undefined;
    const ref = this.db.transaction(() => {
      const r = create();
      const id = Number(this.stmt.insert.run(kind, r, Date.now()).lastInsertRowid);
      job = { id, kind, ref: r, attempts: 0 };
      return r;
    })();
    this.pending.push(job!);
    // Dispatch after the caller has announced the new record (status "waiting" comes first).
    this.schedulePump();
    return ref;
  }

  /**
   * Recovers what the last run left (queued jobs run again; running ones are re-run once or
   * abandoned), then starts dispatching. Call once every kind is registered.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    const rows = this.db
      .prepare('SELECT id, kind, ref, state, attempts FROM jobs ORDER BY id')
      .all() as Array<Pending & { state: string }>;
    for (const row of rows) {
      const kind = this.kinds.get(row.kind);
      if (!kind) {
        this.options.log(`se-engine: job ${row.id} has unknown kind '${row.kind}'; left queued`);
        continue;
      }
      if (row.state === 'running') {
        if (row.attempts >= this.maxAttempts) {
          this.options.log(
            `se-engine: ${row.kind} ${row.ref} was interrupted ${row.attempts} times; ended`,
          );
          this.abandon(
            row,
            kind,
            `the engine stopped ${row.attempts} times while running this submission`,
          );
          continue;
        }
        this.db.prepare("UPDATE jobs SET state = 'queued' WHERE id = ?").run(row.id);
        kind.requeued?.(row.ref);
        this.options.log(`se-engine: ${row.kind} ${row.ref} was interrupted; running it again`);
      }
      this.pending.push({ id: row.id, kind: row.kind, ref: row.ref, attempts: row.attempts });
    }
    this.pump();
  }

  /** Jobs waiting and running now. */
  stats(): { queued: number; running: number; workers: number; queueSize: number } {
    return {
      queued: this.pending.length,
      running: this.running.size,
      workers: this.options.workers,
      queueSize: this.options.queueSize,
    };
  }

  /**
   * Stops dispatching, waits up to `graceMs` for running jobs, then takes back the ones still
   * running (queued again, their attempt not counted) so the next start runs them.
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    for (const job of this.running.values()) {
      job.detached = true;
      job.controller.abort();
      this.stmt.putBack.run(job.id);
      this.options.log(`se-engine: ${job.kind} ${job.ref} taken back; it runs at the next start`);
    }
  }

  private retryAfterSec(): number {
    const wait = (this.pending.length * this.avgJobMs) / this.options.workers / 1000;
    return Math.min(60, Math.max(1, Math.ceil(wait)));
  }

  private pumpScheduled = false;

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (!this.started || this.closing) return;
    while (this.freeSlots.length && this.pending.length) {
      this.launch(this.pending.shift()!, this.freeSlots.shift()!);
    }
  }

  private launch(job: Pending, slot: number): void {
    const kind = this.kinds.get(job.kind)!;
    this.stmt.start.run(Date.now(), job.id);
    const controller = new AbortController();
    const entry: Running = {
      ...job,
      attempts: job.attempts + 1,
      slot,
      borrowed: new Set(),
      controller,
      detached: false,
      finished: false,
      done: Promise.resolve(),
    };
    const t0 = Date.now();
    const finish = (write: () => void): boolean => {
      if (entry.detached || entry.finished) return false;
      this.db.transaction(() => {
        write();
        this.stmt.remove.run(job.id);
      })();
      entry.finished = true;
      return true;
    };
    const borrowSlot = (): number | null => {
      if (this.closing || entry.detached || entry.finished) return null;
      if (this.pending.length > 0 || this.freeSlots.length === 0) return null;
      const lent = this.freeSlots.shift()!;
      entry.borrowed.add(lent);
      return lent;
    };
    const returnSlot = (lent: number): void => {
      if (!entry.borrowed.delete(lent)) return;
      this.freeSlots.push(lent);
      this.pump();
    };
    this.running.set(job.id, entry);
    entry.done = (async () => {
      try {
        await kind.run(job.ref, {
          slot,
          attempt: entry.attempts,
          signal: controller.signal,
          finish,
          borrowSlot,
          returnSlot,
        });
      } catch (err) {
        if (!entry.detached) {
          const why = err instanceof Error ? err.message : String(err);
          this.options.log(`se-engine: ${job.kind} ${job.ref} failed: ${why}`);
          try {
            kind.abandon(job.ref, `internal error: ${why}`, finish);
          } catch (err2) {
            this.options.log(
              `se-engine: ${job.kind} ${job.ref} could not be ended: ${String(err2)}`,
            );
          }
        }
      }
      if (!entry.detached) {
        // A handler that forgot to finish must not leave its job behind to run again.
        if (!entry.finished) this.stmt.remove.run(job.id);
        this.avgJobMs = this.avgJobMs * 0.9 + (Date.now() - t0) * 0.1;
      }
      this.running.delete(job.id);
      this.freeSlots.push(slot, ...entry.borrowed);
      entry.borrowed.clear();
      this.pump();
    })();
  }

  private abandon(job: Pending, kind: JobKind, reason: string): void {
    let finished = false;
    const finish = (write: () => void): boolean => {
      this.db.transaction(() => {
        write();
        this.stmt.remove.run(job.id);
      })();
      finished = true;
      return true;
    };
    kind.abandon(job.ref, reason, finish);
    if (!finished) this.stmt.remove.run(job.id);
  }
}
