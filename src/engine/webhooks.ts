import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { StatusInfo } from '../shared/compilers.js';

/** The API module a submission belongs to. */
export type EngineModuleName = 'compilers' | 'problems' | 'containers';

/** `submission.status`: a submission's status changed (emitted for every change). */
export interface SubmissionStatusEvent {
  module: EngineModuleName;
  id: number;
  executing: boolean;
  status: StatusInfo;
}

/** `submission.finished`: a submission reached its final status. */
export interface SubmissionFinishedEvent {
  module: EngineModuleName;
  id: number;
  status: StatusInfo;
}

/** The in-process events of a running engine, for a backend that embeds it. */
export interface EngineEventMap {
  'submission.status': [SubmissionStatusEvent];
  'submission.finished': [SubmissionFinishedEvent];
}

export type EngineEvents = EventEmitter<EngineEventMap>;

/** Where finished submissions are POSTed. */
export interface WebhookSetting {
  url: string;
  /** HMAC-SHA256 key of `X-Sphere-Engine-Signature` */
  secret: string;
}

/**
 * The webhook body: `summary` is the same object as an item of `GET /submissions?ids=` of the
 * submission's module.
 */
export interface WebhookPayload {
  event: 'submission.finished';
  module: EngineModuleName;
  submission: unknown;
}

export const SIGNATURE_HEADER = 'X-Sphere-Engine-Signature';

/** Lowercase hex HMAC-SHA256 of the raw body: the value of `X-Sphere-Engine-Signature`. */
export function signWebhook(rawBody: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** True when `signature` is the body's signature with `secret` (constant-time). */
export function verifyWebhook(
  rawBody: string | Buffer,
  secret: string,
  signature: string | undefined,
): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signWebhook(rawBody, secret));
  const given = Buffer.from(signature.trim().toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Delays before the 2nd, 3rd, ... delivery attempt: 0.5 s doubling, 7 attempts in all. */
export const WEBHOOK_RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 16000];
const ATTEMPT_TIMEOUT_MS = 10_000;

/**
 * Delivers webhooks: one POST per finished submission, retried with exponential backoff while the
 * receiver fails (network error or non-2xx), then given up with a log line.
 */
export class WebhookSender {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private closed = false;

  constructor(
    private readonly setting: WebhookSetting | undefined,
    private readonly log: (line: string) => void,
    private readonly delaysMs: readonly number[] = WEBHOOK_RETRY_DELAYS_MS,
  ) {}

  /** Queues the delivery of `payload` (nothing when no webhook is set). */
  send(payload: WebhookPayload): void {
    if (!this.setting || this.closed) return;
    const body = JSON.stringify(payload);
    void this.attempt(this.setting, body, 0, payload);
  }

  /**
   * Gives deliveries in flight up to `graceMs` to complete, then aborts them; pending retries are
   * dropped (and logged).
   */
  async close(graceMs = 2000): Promise<void> {
    this.closed = true;
    if (this.timers.size) {
      this.log(`se-engine: ${this.timers.size} webhook retries dropped at shutdown`);
    }
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const deadline = Date.now() + graceMs;
    while (this.inFlight.size && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const c of this.inFlight) c.abort();
  }

  private async attempt(
    setting: WebhookSetting,
    body: string,
    n: number,
    payload: WebhookPayload,
  ): Promise<void> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(), ATTEMPT_TIMEOUT_MS);
    let failure: string;
    try {
      const res = await fetch(setting.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          [SIGNATURE_HEADER]: signWebhook(body, setting.secret),
          'User-Agent': 'se-widgets-engine',
        },
        body,
        signal: controller.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return;
      failure = `HTTP ${res.status}`;
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
    if (this.closed) return;
    const what = `webhook for ${payload.module} submission ${submissionId(payload)}`;
    if (n >= this.delaysMs.length) {
      this.log(`se-engine: ${what} failed ${n + 1} times (last: ${failure}); given up`);
      return;
    }
    const delay = this.delaysMs[n]!;
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.attempt(setting, body, n + 1, payload);
    }, delay);
    this.timers.add(t);
  }
}

function submissionId(p: WebhookPayload): string {
  const s = p.submission as { id?: unknown } | null;
  return s && typeof s === 'object' && 'id' in s ? String(s.id) : '?';
}
