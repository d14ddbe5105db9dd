/**
 * The catalogs as `<se-solve>` takes them: English at once, the others (a chunk each) the first
 * time a widget of that locale renders, so English pages do not carry the Polish strings.
 * `messagesFor` (./index) is the public, synchronous way to every catalog.
 */
import { en, type Messages } from './en.js';

const loaded: Record<string, Messages> = { en };
const loaders: Record<string, () => Promise<Messages>> = {
  pl: () => import('./pl.js').then((m) => m.pl),
};
const pending = new Map<string, Promise<void>>();

const primaryOf = (locale: string | null | undefined) =>
  (locale ?? '').trim().toLowerCase().split(/[-_]/)[0];

/** The catalog for a locale if it is loaded; English otherwise (see `catalogLoad`). */
export function loadedMessagesFor(locale: string | null | undefined): Messages {
  return loaded[primaryOf(locale)] ?? en;
}

/**
 * Null when the locale's catalog is there (or there is none: English); else a promise that
 * settles once it is (a failed load settles too, and the locale stays English).
 */
export function catalogLoad(locale: string | null | undefined): Promise<void> | null {
  const primary = primaryOf(locale);
  const load = loaders[primary];
  if (loaded[primary] || !load) return null;
  let p = pending.get(primary);
  if (!p) {
    p = load().then(
      (m) => {
        loaded[primary] = m;
      },
      () => {
        loaded[primary] = en;
      },
    );
    pending.set(primary, p);
  }
  return p;
}
