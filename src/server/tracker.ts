import type { StatusInfo } from '../shared/compilers.js';

export type SubmissionModule = 'compilers' | 'problems';

/** A submission's state as the upstream reported it (by push, webhook, poll or read). */
export interface SubmissionUpdate {
  module: SubmissionModule;
  id: number;
  executing: boolean;
  status: StatusInfo;
}

/**
 * In-process status events of the embedded engine, handed to the backend by `src/cli` (the server
 * layer does not import the engine). The listener gets every status change; the disposer ends the
 * subscription.
 */
export interface SubmissionEventSource {
  subscribe(listener: (update: SubmissionUpdate) => void): () => void;
}

/**
 * How the backend learns that a submission changed: `push` when the upstream tells it (webhooks or
 * in-process events; a slow poll stays as a safety net), `poll` otherwise.
 */
export type CompletionMode = 'push' | 'poll';

type Listener = (update: SubmissionUpdate) => void;

interface Entry {
  module: SubmissionModule;
  id: number;
  owner: string;
  /** created by a run or submission of this backend: counts toward its owner's cap */
  counted: boolean;
  executing: boolean;
  status: StatusInfo;
  createdAt: number;
  nextPollAt: number;
  polls: number;
  listeners: Set<Listener>;
}

export interface TrackerOptions {
  /** reads the current state of up to 20 submissions of one module */
  poll(module: SubmissionModule, ids: number[]): Promise<SubmissionUpdate[]>;
  mode(module: SubmissionModule): CompletionMode;
  /** hears of every update that did not come from a read (pushes and polls) */
  onChange?: (update: SubmissionUpdate) => void;
  /** forget a submission that has not finished after this long (default 10 minutes) */
  maxAgeMs?: number;
  log?: (line: string) => void;
}

/** The polling floor of the hosted service: the spec asks for at least 2 s between polls. */
export const MIN_POLL_MS = 2000;
const MAX_POLL_MS = 15000;
const SAFETY_POLL_MS = 15000;
const BATCH = 20;

/**
 * The submissions in flight: who owns them (for the concurrency cap), who is listening (server-sent
 * events), and when to poll them. Final states are announced once, then forgotten.
 */
export class Tracker {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private polling = false;
  private closed = false;
  private readonly maxAgeMs: number;

  constructor(private readonly options: TrackerOptions) {
    this.maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
  }

  /**
   * Starts tracking a submission (no-op when already tracked). `counted`: the submission was just
   * created here, so it counts toward its owner's concurrent runs.
   */
  track(module: SubmissionModule, id: number, owner: string, counted = true): void {
    const key = `${module}:${id}`;
    if (this.entries.has(key) || this.closed) return;
    const now = Date.now();
    this.entries.set(key, {
      module,
      id,
      owner,
      counted,
      executing: true,
      status: { code: 0, name: 'waiting...' },
      createdAt: now,
      nextPollAt: now + this.interval(module, 0),
      polls: 0,
      listeners: new Set(),
    });
    this.schedule();
  }

  /** Listens to a submission's updates, tracking it if needed. Returns the disposer. */
  watch(module: SubmissionModule, id: number, owner: string, listener: Listener): () => void {
    const key = `${module}:${id}`;
    this.track(module, id, owner, false);
    const entry = this.entries.get(key);
    if (!entry) return () => undefined;
    entry.listeners.add(listener);
    return () => {
      entry.listeners.delete(listener);
      // Tracked only for this listener: nobody needs it any more.
      if (!entry.counted && entry.listeners.size === 0 && this.entries.get(key) === entry) {
        this.entries.delete(key);
      }
    };
  }

  /**
   * Records a state; listeners hear of changes; a final state ends the tracking. `fromRead`: the
   * state comes from the backend's own read (not news for the read cache).
   */
  update(u: SubmissionUpdate, fromRead = false): void {
    if (!fromRead) this.options.onChange?.(u);
    const key = `${u.module}:${u.id}`;
    const entry = this.entries.get(key);
    if (!entry) return;
    if (fromRead) {
      // The backend just read it: the next poll can wait (one read per 2 s per submission at most).
      entry.nextPollAt = Math.max(
        entry.nextPollAt,
        Date.now() + this.interval(u.module, entry.polls),
      );
    }
    const changed = entry.status.code !== u.status.code || entry.executing !== u.executing;
    entry.status = { code: u.status.code, name: u.status.name };
    entry.executing = u.executing;
    if (!u.executing) this.entries.delete(key);
    if (changed || !u.executing) {
      for (const listener of [...entry.listeners]) listener(u);
    }
  }

  /** Submissions of `owner` still executing. */
  active(owner: string): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.owner === owner && e.counted && e.executing) n++;
    return n;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.entries.clear();
  }

  private interval(module: SubmissionModule, polls: number): number {
    if (this.options.mode(module) === 'push') return SAFETY_POLL_MS;
    // Every 2 s at first (most runs end within seconds), then backing off.
    return Math.min(
      MAX_POLL_MS,
      Math.max(MIN_POLL_MS, MIN_POLL_MS * 1.5 ** Math.max(0, polls - 4)),
    );
  }

  private schedule(): void {
    if (this.closed || this.polling) return;
    let next = Infinity;
    for (const e of this.entries.values()) next = Math.min(next, e.nextPollAt);
    if (next === Infinity || next >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => void this.pollDue(), Math.max(0, next - Date.now()));
    this.timer.unref();
  }

  private async pollDue(): Promise<void> {
    this.timer = null;
    this.timerAt = Infinity;
    this.polling = true;
    try {
      const now = Date.now();
      const due = new Map<SubmissionModule, Entry[]>();
      for (const [key, e] of this.entries) {
        if (now - e.createdAt > this.maxAgeMs) {
          this.entries.delete(key);
          continue;
        }
        if (e.nextPollAt > now) continue;
        e.polls++;
        e.nextPollAt = now + this.interval(e.module, e.polls);
        const list = due.get(e.module) ?? [];
        list.push(e);
        due.set(e.module, list);
      }
      const calls: Promise<void>[] = [];
      for (const [module, list] of due) {
        for (let i = 0; i < list.length; i += BATCH) {
          const ids = list.slice(i, i + BATCH).map((e) => e.id);
          calls.push(
            this.options.poll(module, ids).then(
              (updates) => updates.forEach((u) => this.update(u)),
              (err: unknown) =>
                this.options.log?.(
                  `se-widgets: polling ${module} failed: ${err instanceof Error ? err.message : String(err)}`,
                ),
            ),
          );
        }
      }
      await Promise.all(calls);
    } finally {
      this.polling = false;
      this.schedule();
    }
  }
}
