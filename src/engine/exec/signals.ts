/**
 * Linux signal numbers (x86-64 and arm64 share them) with their names and descriptions, for the
 * API's `signal` and `signal_desc` fields.
 */
const table: ReadonlyArray<readonly [number, string, string]> = [
  [1, 'SIGHUP', 'Hangup'],
  [2, 'SIGINT', 'Interrupt'],
  [3, 'SIGQUIT', 'Quit'],
  [4, 'SIGILL', 'Illegal instruction'],
  [5, 'SIGTRAP', 'Trace/breakpoint trap'],
  [6, 'SIGABRT', 'Aborted'],
  [7, 'SIGBUS', 'Bus error'],
  [8, 'SIGFPE', 'Floating point exception'],
  [9, 'SIGKILL', 'Killed'],
  [10, 'SIGUSR1', 'User defined signal 1'],
  [11, 'SIGSEGV', 'Segmentation fault'],
  [12, 'SIGUSR2', 'User defined signal 2'],
  [13, 'SIGPIPE', 'Broken pipe'],
  [14, 'SIGALRM', 'Alarm clock'],
  [15, 'SIGTERM', 'Terminated'],
  [16, 'SIGSTKFLT', 'Stack fault'],
  [17, 'SIGCHLD', 'Child exited'],
  [18, 'SIGCONT', 'Continued'],
  [19, 'SIGSTOP', 'Stopped (signal)'],
  [20, 'SIGTSTP', 'Stopped'],
  [21, 'SIGTTIN', 'Stopped (tty input)'],
  [22, 'SIGTTOU', 'Stopped (tty output)'],
  [23, 'SIGURG', 'Urgent I/O condition'],
  [24, 'SIGXCPU', 'CPU time limit exceeded'],
  [25, 'SIGXFSZ', 'File size limit exceeded'],
  [26, 'SIGVTALRM', 'Virtual timer expired'],
  [27, 'SIGPROF', 'Profiling timer expired'],
  [28, 'SIGWINCH', 'Window changed'],
  [29, 'SIGIO', 'I/O possible'],
  [30, 'SIGPWR', 'Power failure'],
  [31, 'SIGSYS', 'Bad system call'],
];

const byNumber = new Map(table.map(([n, name, desc]) => [n, { name, desc }]));

/** Signal numbers the status decision refers to. */
export const Signals = {
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGSYS: 31,
} as const;

/** `SIGSEGV` for 11; `SIGRTMIN+n` for real-time signals; `''` for 0; `SIG<n>` when unknown. */
export function signalName(signal: number): string {
  if (!signal) return '';
  const known = byNumber.get(signal);
  if (known) return known.name;
  if (signal >= 34 && signal <= 64) return `SIGRTMIN+${signal - 34}`;
  return `SIG${signal}`;
}

/**
 * The API's `signal_desc`: `''` when no signal, otherwise name and description, e.g.
 * `SIGSEGV (Segmentation fault)`.
 */
export function signalDesc(signal: number): string {
  if (!signal) return '';
  const known = byNumber.get(signal);
  if (known) return `${known.name} (${known.desc})`;
  if (signal >= 34 && signal <= 64) return `${signalName(signal)} (Real-time signal)`;
  return `${signalName(signal)} (Unknown signal)`;
}
