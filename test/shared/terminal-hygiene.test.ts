// The terminal's output hygiene: sequences that act outside the terminal are neutralized (NUL
// bytes, same length), harmless ones pass, and the result does not depend on where chunks split.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OutputFilter } from '../../src/shared/terminal-hygiene.js';

const enc = new TextEncoder();
const ESC = '\x1b';
const BEL = '\x07';

/** The filter's whole output for `text` pushed in one chunk, then flushed. */
function run(text: string | Uint8Array): Uint8Array {
  const f = new OutputFilter();
  const data = typeof text === 'string' ? enc.encode(text) : text;
  const a = f.push(data);
  const b = f.flush();
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The output with NULs removed, as a terminal would show it. */
const shown = (b: Uint8Array) => new TextDecoder().decode(b.filter((x) => x !== 0));

describe('terminal output hygiene', () => {
  const cases: Array<[string, string, string]> = [
    ['clipboard write (OSC 52, BEL)', `a${ESC}]52;c;aGk=${BEL}b`, 'ab'],
    ['clipboard write (OSC 52, ST)', `a${ESC}]52;c;aGk=${ESC}\\b`, 'ab'],
    ['window title (OSC 0)', `${ESC}]0;pwned${BEL}ok`, 'ok'],
    ['icon title (OSC 1) and title (OSC 2)', `${ESC}]1;x${BEL}${ESC}]2;y${BEL}z`, 'z'],
    ['hyperlink (OSC 8)', `${ESC}]8;;http://evil.test${ESC}\\click${ESC}]8;;${ESC}\\`, 'click'],
    ['a device control string (DCS)', `x${ESC}P+q544e${ESC}\\y`, 'xy'],
    ['APC, PM and SOS strings', `1${ESC}_a${ESC}\\2${ESC}^b${ESC}\\3${ESC}Xc${ESC}\\4`, '1234'],
    ['OSC 52 in UTF-8 C1 form', `a\u009d52;c;aGk=\u009cb`, 'ab'],
    ['DCS in UTF-8 C1 form', `a\u0090q\u009cb`, 'ab'],
    ['an unterminated OSC cancelled by CAN', `${ESC}]52;c;x\x18after`, 'after'],
    ['an OSC without a number', `${ESC}]L;x${BEL}ok`, 'ok'],
  ];
  for (const [what, input, visible] of cases)
    it(`neutralizes ${what}, keeping the length`, () => {
      const out = run(input);
      assert.equal(out.length, enc.encode(input).length);
      assert.equal(shown(out), visible);
    });

  it('passes colours, cursor moves, palette OSCs, prompt marks and UTF-8 text unchanged', () => {
    for (const input of [
      `${ESC}[31mred${ESC}[0m ${ESC}[2J${ESC}[H`,
      `${ESC}]4;1;rgb:ff/00/00${BEL}${ESC}]10;?${ESC}\\`,
      `${ESC}]133;A${BEL}$ `,
      'zażółć © ½ — 日本',
    ])
      assert.deepEqual(run(input), enc.encode(input), JSON.stringify(input));
  });

  it('a sequence that begins as a colour OSC is cut past 4096 bytes', () => {
    const out = run(`${ESC}]4;${'x'.repeat(10_000)}${BEL}end`);
    assert.ok(shown(out).length < 4200);
    assert.ok(shown(out).endsWith('end'));
  });

  it('gives the same bytes however the output is split into chunks', () => {
    const input = enc.encode(cases.map((c) => c[1]).join('|') + `${ESC}[1mbold ${ESC}]133;B${BEL}`);
    const whole = run(input);
    for (let size = 1; size <= 7; size++) {
      const f = new OutputFilter();
      const parts: number[] = [];
      let held = 0;
      for (let i = 0; i < input.length; i += size) {
        const out = f.push(input.subarray(i, i + size));
        parts.push(...out);
        held = f.holding;
        // what was pushed is either returned or held: nothing is lost or made up
        assert.equal(parts.length + held, Math.min(i + size, input.length));
      }
      parts.push(...f.flush());
      assert.deepEqual(Uint8Array.from(parts), whole, `chunks of ${size}`);
    }
  });
});
