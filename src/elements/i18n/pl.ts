import type { Messages } from './en.js';
import { plShell } from './shell.js';

/** Polish: few/many plural forms ("2 testy", "5 testów") follow the CLDR rules. */
function plural(n: number, one: string, few: string, many: string): string {
  if (n === 1) return one;
  const d = n % 10;
  const dd = n % 100;
  return d >= 2 && d <= 4 && (dd < 12 || dd > 14) ? few : many;
}

export const pl: Messages = {
  ...plShell,
  statement: 'Treść zadania',
  output: 'Wyjście',
  errorStream: 'Błędy (stderr)',
  compilerMessages: 'Komunikaty kompilatora',
  noOutput: 'Program nic nie wypisał.',
  cut: (shown, total) => `Obcięto: pokazano ${shown} z ${total}.`,
  time: 'Czas',
  memory: 'Pamięć',
  score: 'Wynik',
  signal: 'Sygnał',
  seconds: (s) => `${s} s`,
  kilobytes: (kb) => `${kb} KB`,
  testCases: 'Testy',
  testNumber: 'Test',
  status: 'Stan',
  expected: 'Oczekiwane',
  got: 'Twoje wyjście',
  expectedVsGot: (n) => `Test ${n}: oczekiwane wyjście i Twoje`,
  testsPassed: (passed, total) =>
    `Zaliczono ${passed} z ${total} ${plural(total, 'testu', 'testów', 'testów')}.`,
  errorOnLine: (line) => `Błąd kompilacji w wierszu ${line}.`,
  runtimeErrorOnLine: (line) => `Błąd wykonania w wierszu ${line}.`,
  stale: 'Te wyniki dotyczą wcześniejszej wersji Twojego kodu.',
  stopped: 'Przestano czekać. Uruchomienie może jeszcze zakończyć się na serwerze.',
  sending: 'Wysyłanie…',
  connecting: 'Łączenie…',
  sessionExpired: 'Sesja wygasła. Twój kod jest zachowany; odśwież stronę lub spróbuj ponownie.',
  forbidden: 'Ten widżet nie może tego zrobić.',
  rateLimited: 'Zbyt wiele żądań. Odczekaj chwilę i spróbuj ponownie.',
  tooLarge: 'Kod lub dane wejściowe są zbyt duże.',
  serverError: 'Serwer nie mógł obsłużyć żądania. Spróbuj ponownie za chwilę.',
  noLanguages: 'Dla tego widżetu nie ma dostępnego języka.',
  notConfigured: 'Ten widżet nie ma sesji: ustaw atrybut widget lub token.',
  tokenInvalid:
    'Token sesji tej strony nie został przyjęty. Autor kursu lub administrator musi podać widżetowi ważny token.',
  originNotAllowed: (origin: string, widget: string) =>
    `Pochodzenie tej strony (${origin}) nie jest na liście pochodzeń widżetu „${widget}”. Autor kursu musi je dodać w konfiguracji serwera.`,
  notPublic: (widget: string) =>
    `Widżet „${widget}” jest prywatny: sesje daje mu serwer kursu, a ta strona nie podała tokenu. Autor kursu musi ustawić atrybut token albo upublicznić widżet.`,
  noWidget: (widget: string) =>
    `Na tym serwerze nie ma widżetu „${widget}”. Autor kursu musi sprawdzić atrybut widget.`,
  rateLimitedFor: (seconds: string) => `Zbyt wiele żądań. Spróbuj ponownie za ${seconds} s.`,
  tooLargeBy: (what: 'source' | 'input' | 'body' | 'file', size: string, limit: string) =>
    `${what === 'input' ? 'Dane wejściowe mają' : what === 'source' ? 'Kod ma' : what === 'file' ? 'Plik ma' : 'Kod i dane mają'} ${size || 'zbyt duży rozmiar'}; ten widżet przyjmuje najwyżej ${limit}.`,
  readOnlyHint: 'Kod jest tylko do odczytu.',
  sent: 'Wysłano.',
  testInput: 'Dane wejściowe',
  hiddenTest: 'Ten test jest ukryty.',
  firstDifference: (line: number) => `Pierwsza różnica w wierszu ${line}.`,
  failedTest: (n: number) => `Test ${n} nie przeszedł.`,
  outputOfTest: (n: number) => `Wynik testu ${n}`,
  slowestTest: 'Najwolniejszy test',
  overLimit: (limit: string) => `ponad limit ${limit} s`,
  underLimit: (limit: string) => `limit ${limit} s`,
  reasonOutputCap: (limit: string) => `Program wypisał więcej niż ${limit} i został zatrzymany.`,
  reasonTime: (limit: string) =>
    limit ? `Program działał dłużej niż limit ${limit} s.` : 'Programowi zabrakło czasu.',
  reasonMemory: 'Program użył więcej pamięci, niż wolno.',
  reasonSignal: (words: string) => `Program został zatrzymany: ${words}.`,
  reasonSyntax: 'Python nie mógł odczytać programu: błąd składni.',
  signalWords: (n: number) =>
    ({
      4: 'niedozwolona instrukcja',
      6: 'przerwał działanie',
      7: 'błąd szyny (zły dostęp do pamięci)',
      8: 'błąd arytmetyczny, np. dzielenie przez zero',
      9: 'został zabity',
      11: 'naruszenie ochrony pamięci',
      24: 'przekroczył limit czasu procesora',
      25: 'zapisał zbyt duży plik',
      31: 'niedozwolone wywołanie systemowe',
    })[n] ?? `sygnał ${n}`,
  status_0: 'Oczekiwanie',
  status_1: 'Kompilacja',
  status_2: 'Kompilacja',
  status_3: 'Wykonywanie',
  status_4: 'Kompilacja sędziego',
  status_5: 'Działanie sędziego',
  status_6: 'Kompilacja sędziego głównego',
  status_7: 'Działanie sędziego głównego',
  status_8: 'Testowanie',
  status_11: 'Błąd kompilacji',
  status_12: 'Błąd wykonania',
  status_13: 'Przekroczony limit czasu',
  status_14: 'Błędna odpowiedź',
  status_15: 'Zaakceptowano',
  status_17: 'Przekroczony limit pamięci',
  status_19: 'Niedozwolone wywołanie systemowe',
  status_20: 'Błąd wewnętrzny',
  status_21: 'Błąd sędziego',
  status_22: 'Błąd zadania',
  statusUnknown: 'Nieznany stan',
  statusSuccess: 'Zakończono',
};
