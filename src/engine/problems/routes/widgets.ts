/** Widgets: `POST /widgets`. */
import { randomBytes } from 'node:crypto';
import type { CreatedWidget } from '../../../shared/problems.js';
import { parseParams } from '../../http/params.js';
import { json, type Router } from '../../http/router.js';
import { ProblemsError as E } from '../errors.js';
import { createWidgetParams } from '../params.js';
import { paramsContext, type ProblemsDeps } from './common.js';

export function widgetRoutes(r: Router, deps: ProblemsDeps): Router {
  const ctx = paramsContext(deps);
  const createWidget = createWidgetParams(ctx);
  return r.post('/widgets', async (req) => {
    const w = parseParams(createWidget, await req.body(), E.CreationFailed);
    const hash = randomHash(10);
    const sharedSecret = randomBytes(16).toString('hex');
    deps.store.createWidget({
      hash,
      sharedSecret,
      name: w.name,
      problemId: w.problem_id.id,
      settings: { ...w.settings, default_language: w.default_language },
    });
    return json<CreatedWidget>({ hash, shared_secret: sharedSecret }, 201);
  });
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomHash(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  // 62 does not divide 256: drop bytes from the uneven top so every character is equally likely.
  for (const b of bytes) {
    if (b >= 248) continue;
    out += ALPHABET[b % 62];
    if (out.length === length) return out;
  }
  return out + randomHash(length - out.length);
}
