import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Backend } from './backend.js';
import { ApiError, badRequest, notFound } from './errors.js';
import { readBody } from './http.js';

/** Where the upstream posts `submission.finished` webhooks. */
export const WEBHOOK_PATH = '/webhooks/sphere-engine';
export const SIGNATURE_HEADER = 'x-sphere-engine-signature';

/** Lowercase hex HMAC-SHA256 of `body` under `secret`: the webhook signature. */
export function webhookSignature(secret: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * `POST /webhooks/sphere-engine`: `{"event":"submission.finished","module":"compilers"|"problems",
 * "submission":{id, executing, result:{status}}}`, signed in `X-Sphere-Engine-Signature`. Answers
 * 204; 401 when the signature does not verify; 404 when no webhook secret is configured. A
 * `containers` submission (a workspace's scenario run) goes to `containersFinished`, which wakes
 * that run's event streams.
 */
export async function receiveWebhook(
  b: Backend,
  req: IncomingMessage,
  res: ServerResponse,
  containersFinished?: (id: number) => void,
): Promise<void> {
  const secret = b.link.webhookSecret;
  if (!secret) throw notFound('No such resource.');
  const body = await readBody(req, 1024 * 1024);
  const given = req.headers[SIGNATURE_HEADER];
  const expected = Buffer.from(webhookSignature(secret, body), 'hex');
  const actual =
    typeof given === 'string' && /^[0-9a-fA-F]{64}$/.test(given) ? Buffer.from(given, 'hex') : null;
  if (!actual || !timingSafeEqual(actual, expected)) {
    throw new ApiError(401, 'unauthorized', 'The webhook signature does not verify.');
  }
  let event: {
    event?: unknown;
    module?: unknown;
    submission?: {
      id?: unknown;
      executing?: unknown;
      result?: { status?: { code?: unknown; name?: unknown } };
    };
  };
  try {
    event = JSON.parse(body.toString('utf8')) as typeof event;
  } catch {
    throw badRequest('The webhook body is not JSON.');
  }
  const s = event.submission;
  const status = s?.result?.status;
  if (event.module === 'containers' && typeof s?.id === 'number') {
    containersFinished?.(s.id);
    res.writeHead(204);
    res.end();
    return;
  }
  if (
    (event.module !== 'compilers' && event.module !== 'problems') ||
    typeof s?.id !== 'number' ||
    typeof status?.code !== 'number'
  ) {
    throw badRequest('The webhook body is not a submission event.');
  }
  b.tracker.update({
    module: event.module,
    id: s.id,
    executing: s.executing === true,
    status: { code: status.code, name: typeof status.name === 'string' ? status.name : '' },
  });
  res.writeHead(204);
  res.end();
}
