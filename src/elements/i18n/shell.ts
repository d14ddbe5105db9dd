/**
 * The messages the script-tag shell draws its placeholder with: the part of each catalog it needs,
 * kept apart so the shell does not carry the whole catalogs (`en.ts` and `pl.ts` include these).
 */
export const enShell = {
  language: 'Language',
  languagesLoading: 'Loading languages…',
  editorLabel: 'Source code',
  editorHint: 'Press Esc then Tab to leave the editor. Ctrl+Enter runs or submits.',
  editorHintMac: 'Press Esc then Tab to leave the editor. Cmd+Enter runs or submits.',
  runHint: 'Ctrl+Enter runs or submits.',
  runHintMac: 'Cmd+Enter runs or submits.',
  input: 'Input (stdin)',
  run: 'Run',
  submit: 'Submit',
  stop: 'Stop waiting',
  retry: 'Try again',
  results: 'Results',
  readOnly: 'Read-only',
  widgetNumber: (n: number) => `Code exercise ${n}`,
  named: (what: string, label: string) => (label ? `${what}: ${label}` : what),
  runWithInput: 'Run with input',
  unreachable: 'Cannot reach the server. Your code is kept in this browser; try again in a moment.',
};

export type ShellMessages = typeof enShell;

export const plShell: ShellMessages = {
  language: 'Język',
  languagesLoading: 'Wczytywanie języków…',
  editorLabel: 'Kod źródłowy',
  editorHint: 'Naciśnij Esc, a potem Tab, aby opuścić edytor. Ctrl+Enter uruchamia lub wysyła.',
  editorHintMac: 'Naciśnij Esc, a potem Tab, aby opuścić edytor. Cmd+Enter uruchamia lub wysyła.',
  runHint: 'Ctrl+Enter uruchamia lub wysyła.',
  runHintMac: 'Cmd+Enter uruchamia lub wysyła.',
  input: 'Dane wejściowe (stdin)',
  run: 'Uruchom',
  submit: 'Wyślij',
  stop: 'Przestań czekać',
  retry: 'Spróbuj ponownie',
  results: 'Wyniki',
  readOnly: 'Tylko do odczytu',
  widgetNumber: (n: number) => `Ćwiczenie z kodem ${n}`,
  named: (what: string, label: string) => (label ? `${what}: ${label}` : what),
  runWithInput: 'Uruchom z danymi',
  unreachable:
    'Brak połączenia z serwerem. Twój kod jest zachowany w tej przeglądarce; spróbuj za chwilę.',
};

const catalogs: Record<string, ShellMessages> = { en: enShell, pl: plShell };

/** The shell's messages for a locale, as `messagesFor` picks a catalog. */
export function shellMessagesFor(locale: string | null | undefined): ShellMessages {
  const primary = (locale ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return catalogs[primary] ?? enShell;
}
