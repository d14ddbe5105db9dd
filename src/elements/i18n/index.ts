/**
 * Message catalogs of the widgets. Every visible string comes from here; `messagesFor` picks the
 * catalog by a BCP 47 locale (its primary subtag), falling back to English.
 */
import { en, type Messages } from './en.js';
import { pl } from './pl.js';

export type { Messages };

const catalogs: Record<string, Messages> = { en, pl };

/** The locales that have a catalog. */
export const locales: readonly string[] = Object.keys(catalogs);

/** The catalog for a locale such as `pl`, `pl-PL` or `en-GB`; English when there is none. */
export function messagesFor(locale: string | null | undefined): Messages {
  const primary = (locale ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return catalogs[primary] ?? en;
}

export { statusText } from './status-text.js';
