/** The module's limits (documented in the README). */
export const PROBLEM_LIMITS = {
  /** problem codes: a capital letter, then capitals, digits or `_` */
  code: /^[A-Z][A-Z0-9_]{0,31}$/,
  /** characters (Unicode code points), not UTF-16 units */
  nameChars: 255,
  bodyBytes: 1024 * 1024,
  testcases: 256,
  /** bytes of a test case's input, and of its output */
  testcaseBytes: 4 * 1024 * 1024,
  /** a test case's time limit, seconds */
  timeSec: { min: 0.1, max: 15, default: 1 },
  /** ids `GET /submissions?ids=` takes */
  ids: 20,
  listLimit: { default: 10, max: 100 },
  /** characters (Unicode code points) */
  widgetNameChars: 128,
} as const;
