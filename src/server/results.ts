import type { StreamRef } from '../shared/compilers.js';
import type { ProblemsSubmission } from '../shared/problems.js';
import type { V1Result, V1ResultBody, V1Stream, V1TestResult } from '../shared/v1.js';
import {
  type CappedText,
  type CompilersClient,
  type ProblemsClient,
  UpstreamHttpError,
} from '../upstream/index.js';
import type { WidgetConfig } from './config.js';
import type { ResultKind } from './ids.js';
import type { SubmissionUpdate } from './tracker.js';

const ACCEPTED = 15;
/** Test case outcomes where the program ran, so its output can be compared with the expected one. */
const RAN = new Set([12, 13, 14, 17, 19]);
const CACHE_SIZE = 1000;

/** What a read of a run or submission produced: the page's answer and the state seen upstream. */
export interface ReadResult {
  result: V1Result;
  update: SubmissionUpdate;
}

async function stream(
  ref: StreamRef | null,
  read: (maxBytes: number) => Promise<CappedText>,
  maxBytes: number,
): Promise<V1Stream | null> {
  if (!ref) return null;
  try {
    const capped = await read(maxBytes);
    return { text: capped.text, truncated: !capped.complete, size: ref.size };
  } catch (err) {
    // A stream listed but gone is shown as absent rather than failing the whole result.
    if (err instanceof UpstreamHttpError && err.status === 404) return null;
    throw err;
  }
}

/** The time limit of each test case of a problem (empty when the upstream does not say). */
async function timeLimits(client: ProblemsClient, problemId: number): Promise<Map<number, number>> {
  try {
    const { items } = await client.testcases(problemId);
    return new Map(items.map((t) => [t.number, t.limits.time]));
  } catch {
    return new Map();
  }
}

/** How long an "executing" read is reused when nothing said the submission changed. */
export const EXECUTING_REUSE_MS = 2000;

/**
 * Turns upstream submissions into the page's `V1Result`: only the fields the widget may show,
 * the streams' text inline and capped, never an upstream `uri`.
 *
 * Pages may poll as fast as they like without the upstream noticing: final results are cached
 * (they never change), concurrent reads of one submission share one upstream call, and an
 * "executing" answer is reused for 2 s unless a push or poll reports a change first (the hosted
 * service asks for at least 2 s between reads of a submission).
 */
export class Results {
  private readonly cache = new Map<string, V1Result>();
  private readonly executing = new Map<string, { at: number; result: V1Result }>();
  private readonly inflight = new Map<string, Promise<ReadResult>>();

  /** Reads a run (Compilers) or a submission (Problems) for the page. */
  read(
    kind: ResultKind,
    client: CompilersClient | ProblemsClient,
    upstreamId: number,
    publicId: string,
    widget: WidgetConfig,
    streamBytes: number,
  ): Promise<ReadResult> {
    const key = `${kind}:${upstreamId}:${widget.id}`;
    const final = this.cache.get(key);
    if (final) return Promise.resolve(this.answer(kind, upstreamId, { ...final, id: publicId }));
    const recent = this.executing.get(key);
    if (recent && Date.now() - recent.at < EXECUTING_REUSE_MS) {
      return Promise.resolve(this.answer(kind, upstreamId, { ...recent.result, id: publicId }));
    }
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = (
        kind === 'run'
          ? this.run(client as CompilersClient, upstreamId, publicId, widget, streamBytes)
          : this.submission(client as ProblemsClient, upstreamId, publicId, widget, streamBytes)
      ).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending.then((r) => this.answer(kind, upstreamId, { ...r.result, id: publicId }));
  }

  /** Forgets reused "executing" answers of a submission (it changed). */
  invalidate(module: 'compilers' | 'problems', upstreamId: number): void {
    const prefix = `${module === 'compilers' ? 'run' : 'submission'}:${upstreamId}:`;
    for (const key of this.executing.keys()) if (key.startsWith(prefix)) this.executing.delete(key);
  }

  private async run(
    client: CompilersClient,
    upstreamId: number,
    publicId: string,
    widget: WidgetConfig,
    streamBytes: number,
  ): Promise<ReadResult> {
    const s = await client.submission(upstreamId);
    const body: V1ResultBody = {
      status: { code: s.result.status.code, name: s.result.status.name },
      // `?? null`: an executing answer of the upstream may leave the figures out (the spec's example)
      time: s.result.time ?? null,
      memory: s.result.memory ?? null,
      score: null,
      signal: s.result.signal ?? null,
      signalDesc: s.result.signal_desc ?? null,
      // the embedded engine's extension field; the hosted service sends none
      ...(s.result.reason ? { reason: s.result.reason } : {}),
      output: null,
      error: null,
      cmpinfo: null,
    };
    if (!s.executing && widget.display.output) {
      const streams = s.result.streams;
      [body.output, body.error, body.cmpinfo] = await Promise.all(
        (['output', 'error', 'cmpinfo'] as const).map((name) =>
          stream(streams[name], (max) => client.stream(upstreamId, name, max), streamBytes),
        ),
      );
    }
    return this.done('run', upstreamId, widget, publicId, s.executing, body);
  }

  private async submission(
    client: ProblemsClient,
    upstreamId: number,
    publicId: string,
    widget: WidgetConfig,
    streamBytes: number,
  ): Promise<ReadResult> {
    const s: ProblemsSubmission = await client.submission(upstreamId);
    const r = s.result;
    const body: V1ResultBody = {
      status: { code: r.status.code, name: r.status.name },
      time: r.time ?? null,
      memory: r.memory ?? null,
      score: r.score ?? null,
      signal: r.signal ?? null,
      signalDesc: r.signal_desc ?? null,
      ...(r.reason ? { reason: r.reason } : {}),
      output: null,
      error: null,
      cmpinfo: null,
    };
    if (!s.executing) {
      const { display } = widget;
      const read = (name: 'output' | 'error' | 'cmpinfo') =>
        stream(r.streams[name], (max) => client.stream(upstreamId, name, max), streamBytes);
      const testcases = display.perTestResults ? (r.testcases ?? []) : [];
      // By the Problems module's convention the output and error streams hold the program's
      // output on the first test case that did not pass.
      const failed = testcases.find((t) => t.status.code !== ACCEPTED);
      const compare = display.expectedVsGot && failed !== undefined && RAN.has(failed.status.code);
      const testFile = (name: 'input' | 'output') =>
        client
          .testcaseFile(s.problem.id, failed!.number, name, streamBytes)
          .then((t): V1Stream => ({ text: t.text, truncated: !t.complete, size: t.bytes }))
          .catch((err: unknown) => {
            if (err instanceof UpstreamHttpError && err.status === 404) return null;
            throw err;
          });
      const [output, error, cmpinfo, expected, input, limits] = await Promise.all([
        display.output || compare ? read('output') : null,
        display.output ? read('error') : null,
        display.output ? read('cmpinfo') : null,
        compare ? testFile('output') : null,
        // Shown under the same condition as the expected output: the tests are not hidden.
        compare ? testFile('input') : null,
        display.perTestResults && testcases.length ? timeLimits(client, s.problem.id) : null,
      ]);
      if (display.output) Object.assign(body, { output, error, cmpinfo });
      if (display.perTestResults) {
        body.testcases = testcases.map((t): V1TestResult => {
          const item: V1TestResult = {
            number: t.number,
            status: { code: t.status.code, name: t.status.name },
            score: t.score,
            time: t.time,
            memory: t.memory,
            signal: t.signal,
            timeLimit: limits?.get(t.number) ?? null,
          };
          if (compare && t === failed && expected) {
            item.expected = expected;
            item.got = output ?? { text: '', truncated: false, size: 0 };
            if (input) item.input = input;
          }
          return item;
        });
      }
    }
    return this.done('submission', upstreamId, widget, publicId, s.executing, body);
  }

  private answer(kind: ResultKind, upstreamId: number, result: V1Result): ReadResult {
    return {
      result,
      update: {
        module: kind === 'run' ? 'compilers' : 'problems',
        id: upstreamId,
        executing: result.executing,
        status: result.result.status,
      },
    };
  }

  private done(
    kind: ResultKind,
    upstreamId: number,
    widget: WidgetConfig,
    publicId: string,
    executing: boolean,
    body: V1ResultBody,
  ): ReadResult {
    const result: V1Result = { id: publicId, kind, executing, result: body };
    const key = `${kind}:${upstreamId}:${widget.id}`;
    if (executing) {
      this.executing.set(key, { at: Date.now(), result });
      if (this.executing.size > CACHE_SIZE) this.sweep();
    } else {
      this.executing.delete(key);
      if (this.cache.size >= CACHE_SIZE) {
        const oldest = this.cache.keys().next().value;
        if (oldest !== undefined) this.cache.delete(oldest);
      }
      this.cache.set(key, result);
    }
    return this.answer(kind, upstreamId, result);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, e] of this.executing) {
      if (now - e.at >= EXECUTING_REUSE_MS) this.executing.delete(key);
    }
  }
}
