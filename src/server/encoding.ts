/** A content coding the static server can send. */
export type Coding = 'br' | 'gzip' | 'identity';

/** What a coding's precompressed sibling file ends with. */
export const SUFFIX: Record<Exclude<Coding, 'identity'>, string> = { br: '.br', gzip: '.gz' };

// `identity` that the header does not name and no `*` covers is acceptable, but below any coding the
// client named (RFC 9110, 12.5.3): it ranks under every explicit q > 0.
const IMPLICIT = Number.MIN_VALUE;

/**
 * Chooses the coding to send from `available` (in the server's order of preference, which breaks
 * ties between equal q-values), by the request's `Accept-Encoding` (RFC 9110, 12.5.3): q-values,
 * `*`, `identity;q=0`, `x-gzip` as `gzip`. No header: `identity`. Null when nothing available is
 * acceptable (identity refused, by name or by `*;q=0`): the caller answers 406.
 */
export function negotiateEncoding(
  header: string | undefined,
  available: readonly Coding[],
): Coding | null {
  if (header === undefined) return available.includes('identity') ? 'identity' : null;
  const stated = new Map<string, number>();
  for (const part of header.split(',')) {
    const [rawName, ...params] = part.split(';');
    const name = rawName!.trim().toLowerCase();
    if (!name) continue;
    let q = 1;
    let valid = true;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (!m) continue;
      // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
      if (!/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(m[1]!)) valid = false;
      else q = Number(m[1]);
    }
    if (!valid) continue;
    const key = name === 'x-gzip' ? 'gzip' : name;
    // A coding named twice counts with its highest q.
    stated.set(key, Math.max(q, stated.get(key) ?? 0));
  }
  const star = stated.get('*');
  const qOf = (c: Coding): number => stated.get(c) ?? star ?? (c === 'identity' ? IMPLICIT : 0);
  let best: Coding | null = null;
  let bestQ = 0;
  for (const c of available) {
    const q = qOf(c);
    if (q > bestQ) {
      best = c;
      bestQ = q;
    }
  }
  return best;
}
