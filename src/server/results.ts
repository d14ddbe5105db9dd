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

/**
 * Turns upstream submissions into the page's `V1Result`: only the fields the widget may show,
 * the streams' text inline and capped, never an upstream `uri`. Final results are cached (they
 * do not change), so polling pages cost the upstream nothing once a run is done.
 */
export class Results {
  private readonly cache = new Map<string, V1Result>();

  async run(
    client: CompilersClient,
    upstreamId: number,
    publicId: string,
    widget: WidgetConfig,
    streamBytes: number,
  ): Promise<ReadResult> {
    const cached = this.cached('run', upstreamId, widget, publicId);
    if (cached) return cached;
    const s = await client.submission(upstreamId);
    const body: V1ResultBody = {
      status: { code: s.result.status.code, name: s.result.status.name },
      time: s.result.time,
      memory: s.result.memory,
      score: null,
      signal: s.result.signal,
      signalDesc: s.result.signal_desc,
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

  async submission(
    client: ProblemsClient,
    upstreamId: number,
    publicId: string,
    widget: WidgetConfig,
    streamBytes: number,
  ): Promise<ReadResult> {
    const cached = this.cached('submission', upstreamId, widget, publicId);
    if (cached) return cached;
    const s: ProblemsSubmission = await client.submission(upstreamId);
    const r = s.result;
    const body: V1ResultBody = {
      status: { code: r.status.code, name: r.status.name },
      time: r.time,
      memory: r.memory,
      score: r.score,
      signal: r.signal,
      signalDesc: r.signal_desc,
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
      const [output, error, cmpinfo, expected] = await Promise.all([
        display.output || compare ? read('output') : null,
        display.output ? read('error') : null,
        display.output ? read('cmpinfo') : null,
        compare
          ? client
              .testcaseFile(s.problem.id, failed.number, 'output', streamBytes)
              .then((t): V1Stream => ({ text: t.text, truncated: !t.complete, size: t.bytes }))
              .catch((err: unknown) => {
                if (err instanceof UpstreamHttpError && err.status === 404) return null;
                throw err;
              })
          : null,
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
          };
          if (compare && t === failed && expected) {
            item.expected = expected;
            item.got = output ?? { text: '', truncated: false, size: 0 };
          }
          return item;
        });
      }
    }
    return this.done('submission', upstreamId, widget, publicId, s.executing, body);
  }

  private cached(
    kind: ResultKind,
    upstreamId: number,
    widget: WidgetConfig,
    publicId: string,
  ): ReadResult | null {
    const hit = this.cache.get(`${kind}:${upstreamId}:${widget.id}`);
    if (!hit) return null;
    return {
      result: { ...hit, id: publicId },
      update: {
        module: kind === 'run' ? 'compilers' : 'problems',
        id: upstreamId,
        executing: false,
        status: hit.result.status,
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
    if (!executing) {
      const key = `${kind}:${upstreamId}:${widget.id}`;
      if (this.cache.size >= CACHE_SIZE) {
        const oldest = this.cache.keys().next().value;
        if (oldest !== undefined) this.cache.delete(oldest);
      }
      this.cache.set(key, result);
    }
    return {
      result,
      update: {
        module: kind === 'run' ? 'compilers' : 'problems',
        id: upstreamId,
        executing,
        status: body.status,
      },
    };
  }
}
