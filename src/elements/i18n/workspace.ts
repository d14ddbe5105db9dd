/**
 * Messages of `<se-workspace>`, apart from `<se-solve>`'s catalogs so neither element carries the
 * other's strings. `workspaceMessagesFor` picks a catalog as `messagesFor` does.
 */
export const enWorkspace = {
  workspace: 'Project workspace',
  toolbar: 'Project actions',
  scenario: (name: string) => {
    const known: Record<string, string> = { run: 'Run', test: 'Test', build: 'Build' };
    return known[name] ?? name.charAt(0).toUpperCase() + name.slice(1);
  },
  reset: 'Reset',
  cancel: 'Cancel',
  resetConfirm: 'Reset every file to the project template? Your changes are lost.',
  fullScreen: 'Full screen',
  exitFullScreen: 'Exit full screen',
  files: 'Files',
  readOnly: 'read-only',
  readOnlyFile: 'This file is read-only.',
  tabs: 'Open files',
  closeTab: (path: string) => `Close ${path}`,
  unsaved: 'unsaved changes',
  editorLabel: (path: string) => `Editor: ${path}`,
  editorHint: 'Press Esc then Tab to leave the editor.',
  noFile: 'Pick a file in the tree to edit it.',
  saved: 'All changes saved',
  saving: 'Saving…',
  pending: 'Unsaved changes',
  offline:
    'Cannot reach the server: your changes are kept in this browser and sent when it is back.',
  conflict: (path: string) => `${path} was changed elsewhere since you opened it.`,
  keepMine: 'Keep my version',
  loadTheirs: 'Load the saved version',
  panel: 'Results',
  output: 'Output',
  tests: 'Tests',
  terminal: 'Terminal',
  noRun: 'Run a scenario to see its output here.',
  noTests: 'No tests report yet: run the test scenario.',
  stage: (name: string) => `Stage: ${name}`,
  stdout: 'Output (stdout)',
  stderr: 'Errors (stderr)',
  skipped: 'skipped',
  exitCode: (code: number) => `exit code ${code}`,
  seconds: (s: string) => `${s} s`,
  testName: 'Test',
  testStatus: 'Status',
  testTime: 'Time',
  testMessage: 'Message',
  testOk: 'Passed',
  testFailure: 'Failed',
  testError: 'Error',
  testsSummary: (passed: number, total: number) => `${passed} of ${total} tests passed.`,
  running: (name: string) => `Running ${name}…`,
  result: (scenario: string, status: string) => `${scenario}: ${status}.`,
  terminalLoading: 'Starting the terminal…',
  terminalLabel: 'Terminal',
  terminalHint: 'Press Esc then Tab to leave the terminal.',
  terminalClosed: 'The terminal is disconnected.',
  terminalTakenOver: 'The terminal was opened in another window.',
  terminalGone: 'The workspace stopped.',
  terminalUnavailable: 'No terminal here.',
  reconnect: 'Reconnect',
  connecting: 'Opening the workspace…',
  retry: 'Try again',
  unreachable: 'Cannot reach the server. Try again in a moment.',
  notConfigured: 'The workspace needs a widget or a token.',
  status_11: 'Build error',
  status_12: 'Runtime error',
  status_13: 'Time limit exceeded',
  status_14: 'Tests failed',
  status_15: 'Success',
  status_20: 'Internal error',
  status_22: 'Project error',
  statusUnknown: 'Finished',
};

export type WorkspaceMessages = typeof enWorkspace;

export const plWorkspace: WorkspaceMessages = {
  workspace: 'Obszar roboczy projektu',
  toolbar: 'Działania projektu',
  scenario: (name: string) => {
    const known: Record<string, string> = { run: 'Uruchom', test: 'Testuj', build: 'Zbuduj' };
    return known[name] ?? name.charAt(0).toUpperCase() + name.slice(1);
  },
  reset: 'Przywróć',
  cancel: 'Anuluj',
  resetConfirm: 'Przywrócić wszystkie pliki z szablonu projektu? Twoje zmiany zostaną utracone.',
  fullScreen: 'Pełny ekran',
  exitFullScreen: 'Zamknij pełny ekran',
  files: 'Pliki',
  readOnly: 'tylko do odczytu',
  readOnlyFile: 'Ten plik jest tylko do odczytu.',
  tabs: 'Otwarte pliki',
  closeTab: (path: string) => `Zamknij ${path}`,
  unsaved: 'niezapisane zmiany',
  editorLabel: (path: string) => `Edytor: ${path}`,
  editorHint: 'Naciśnij Esc, a potem Tab, aby opuścić edytor.',
  noFile: 'Wybierz plik w drzewie, aby go edytować.',
  saved: 'Wszystkie zmiany zapisane',
  saving: 'Zapisywanie…',
  pending: 'Niezapisane zmiany',
  offline:
    'Brak połączenia z serwerem: zmiany są zachowane w tej przeglądarce i zostaną wysłane, gdy wróci.',
  conflict: (path: string) => `Plik ${path} zmienił się gdzie indziej, odkąd go otwarto.`,
  keepMine: 'Zachowaj moją wersję',
  loadTheirs: 'Wczytaj zapisaną wersję',
  panel: 'Wyniki',
  output: 'Wyjście',
  tests: 'Testy',
  terminal: 'Terminal',
  noRun: 'Uruchom scenariusz, aby zobaczyć tu jego wyjście.',
  noTests: 'Brak raportu testów: uruchom scenariusz testów.',
  stage: (name: string) => `Etap: ${name}`,
  stdout: 'Wyjście (stdout)',
  stderr: 'Błędy (stderr)',
  skipped: 'pominięty',
  exitCode: (code: number) => `kod wyjścia ${code}`,
  seconds: (s: string) => `${s} s`,
  testName: 'Test',
  testStatus: 'Stan',
  testTime: 'Czas',
  testMessage: 'Komunikat',
  testOk: 'Zaliczony',
  testFailure: 'Niezaliczony',
  testError: 'Błąd',
  testsSummary: (passed: number, total: number) => `Zaliczone testy: ${passed} z ${total}.`,
  running: (name: string) => `Trwa: ${name}…`,
  result: (scenario: string, status: string) => `${scenario}: ${status}.`,
  terminalLoading: 'Uruchamianie terminala…',
  terminalLabel: 'Terminal',
  terminalHint: 'Naciśnij Esc, a potem Tab, aby opuścić terminal.',
  terminalClosed: 'Terminal jest rozłączony.',
  terminalTakenOver: 'Terminal otwarto w innym oknie.',
  terminalGone: 'Obszar roboczy został zatrzymany.',
  terminalUnavailable: 'Terminal nie jest tu dostępny.',
  reconnect: 'Połącz ponownie',
  connecting: 'Otwieranie obszaru roboczego…',
  retry: 'Spróbuj ponownie',
  unreachable: 'Brak połączenia z serwerem. Spróbuj za chwilę.',
  notConfigured: 'Obszar roboczy wymaga atrybutu widget albo token.',
  status_11: 'Błąd budowania',
  status_12: 'Błąd wykonania',
  status_13: 'Przekroczony limit czasu',
  status_14: 'Testy niezaliczone',
  status_15: 'Sukces',
  status_20: 'Błąd wewnętrzny',
  status_22: 'Błąd projektu',
  statusUnknown: 'Zakończono',
};

const catalogs: Record<string, WorkspaceMessages> = { en: enWorkspace, pl: plWorkspace };

/** The workspace catalog for a locale (`pl`, `pl-PL`); English when there is none. */
export function workspaceMessagesFor(locale: string | null | undefined): WorkspaceMessages {
  const primary = (locale ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return catalogs[primary] ?? enWorkspace;
}

/** The words of a scenario status code. */
export function scenarioStatusText(m: WorkspaceMessages, code: number): string {
  const value = m[`status_${code}` as keyof WorkspaceMessages];
  return typeof value === 'string' ? value : m.statusUnknown;
}
