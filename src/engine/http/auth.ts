import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { unauthorized } from './errors.js';

/**
 * The access token a request carries: the `access_token` query parameter (the spec's way) or else
 * `Authorization: Bearer <token>`.
 */
export function requestToken(req: IncomingMessage, query: URLSearchParams): string | null {
  const fromQuery = query.get('access_token');
  if (fromQuery !== null) return fromQuery;
  const header = req.headers.authorization;
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m ? m[1]! : null;
}

/** Checks a token against the engine's in constant time; throws 401/1 when it differs. */
export function checkToken(given: string | null, expected: string): string {
  // Hashing first makes both sides the same length, so the comparison time says nothing about
  // the expected token's length or content.
  const a = createHash('sha256')
    .update(given ?? '')
    .digest();
  const b = createHash('sha256').update(expected).digest();
  if (given === null || !timingSafeEqual(a, b)) throw unauthorized();
  return given;
}
