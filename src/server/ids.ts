import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { KeyRing } from './sessions.js';

export type ResultKind = 'run' | 'submission';
/** What an opaque id may stand for: a run, a submission, or a workspace's scenario run. */
export type SealedKind = ResultKind | 'scenario';

/** The letter that marks a kind inside a sealed id. */
const LETTER: Record<SealedKind, string> = { run: 'r', submission: 's', scenario: 'c' };

/** What an opaque run or submission id stands for. */
export interface SealedRef {
  kind: SealedKind;
  /** the upstream submission id */
  upstreamId: number;
  widget: string;
  sub: string;
}

/**
 * Opaque ids: the upstream id, the widget and the subject, sealed with AES-256-GCM under a key
 * derived from the session secret. Pages cannot forge, enumerate or read them, and the backend
 * needs no table to check that an id belongs to the caller (so ids survive restarts and work
 * across backend instances sharing the secret).
 */
export class IdSealer {
  private readonly keys: Buffer[];

  constructor(ring: KeyRing) {
    this.keys = ring.keys.map((k) =>
      Buffer.from(hkdfSync('sha256', k.secret, Buffer.alloc(0), 'se-widgets opaque ids v1', 32)),
    );
  }

  seal(ref: SealedRef): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0]!, iv);
    const plain = JSON.stringify([LETTER[ref.kind], ref.upstreamId, ref.widget, ref.sub]);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The sealed reference, or null when the id is not one of ours. */
  open(id: string, kind: SealedKind): SealedRef | null {
    if (id.length < 40 || id.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(id)) return null;
    const raw = Buffer.from(id, 'base64url');
    const iv = raw.subarray(0, 12);
    const tag = raw.subarray(raw.length - 16);
    const body = raw.subarray(12, raw.length - 16);
    for (const key of this.keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAuthTag(tag);
        const plain = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
        const [k, upstreamId, widget, sub] = JSON.parse(plain) as [string, number, string, string];
        if (k !== LETTER[kind]) return null;
        return { kind, upstreamId, widget, sub };
      } catch {
        // not sealed with this key: try the next one
      }
    }
    return null;
  }
}
