import type { Messages } from './en.js';

/** The catalog key of a status code's words (`status_15` is "Accepted"). */
export function statusText(m: Messages, code: number): string {
  const key = `status_${code}` as keyof Messages;
  const value = m[key];
  return typeof value === 'string' ? value : m.statusUnknown;
}
