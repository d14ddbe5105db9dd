import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  badResize,
  CLOSE,
  decode,
  encode,
  FRAME,
  FrameError,
  MAX_COLS,
  MAX_FRAME_BYTES,
  MAX_ROWS,
} from '../../src/shared/terminal.js';

const bytes = (...b: number[]) => new Uint8Array(b);
const text = (s: string) => new TextEncoder().encode(s);
const withType = (type: number, body: Uint8Array) => {
  const out = new Uint8Array(1 + body.length);
  out[0] = type;
  out.set(body, 1);
  return out;
};

/** The FrameError `decode` throws for `frame`. */
function refusal(frame: Uint8Array): FrameError {
  try {
    decode(frame);
  } catch (err) {
    assert.ok(err instanceof FrameError, String(err));
    return err;
  }
  assert.fail('decoded without a refusal');
}

describe('the terminal codec', () => {
  it('round-trips every frame type', () => {
    const data = bytes(0, 1, 2, 255, 0x1b);
    assert.deepEqual(decode(encode.hello({ token: 't', from: 12, cols: 80, rows: 24 })), {
      type: FRAME.HELLO,
      hello: { ticket: undefined, token: 't', from: 12, cols: 80, rows: 24 },
    });
    assert.deepEqual(decode(encode.input(data)), { type: FRAME.INPUT, data });
    assert.deepEqual(decode(encode.input('ls\r')), { type: FRAME.INPUT, data: text('ls\r') });
    assert.deepEqual(decode(encode.resize(1000, 500)), {
      type: FRAME.RESIZE,
      cols: 1000,
      rows: 500,
    });
    assert.deepEqual(decode(encode.ack(2 ** 40)), { type: FRAME.ACK, received: 2 ** 40 });
    assert.deepEqual(decode(encode.signal('INT')), { type: FRAME.SIGNAL, signal: 'INT' });
    const ready = { terminal: '1', from: 5, lost: true, cols: 80, rows: 24 };
    assert.deepEqual(decode(encode.ready(ready)), { type: FRAME.READY, ready });
    assert.deepEqual(decode(encode.output(2 ** 33, data)), {
      type: FRAME.OUTPUT,
      offset: 2 ** 33,
      data,
    });
    assert.deepEqual(decode(encode.exit({ code: null, signal: 'KILL' })), {
      type: FRAME.EXIT,
      exit: { code: null, signal: 'KILL' },
    });
    assert.deepEqual(decode(encode.state({ state: 'taken_over' })), {
      type: FRAME.STATE,
      state: { state: 'taken_over' },
    });
    const error = { code: 'bad_resize', message: 'no cells' };
    assert.deepEqual(decode(encode.error(error)), { type: FRAME.ERROR, error });
  });

  it('decodes a frame that is a view into a larger buffer', () => {
    const big = new Uint8Array(32);
    big.set(encode.resize(120, 40), 7);
    assert.deepEqual(decode(big.subarray(7, 12)), { type: FRAME.RESIZE, cols: 120, rows: 40 });
  });

  it('takes a frame at the cap and refuses one over it with 4413', () => {
    const at = encode.output(0, new Uint8Array(MAX_FRAME_BYTES));
    assert.equal(decode(at).type, FRAME.OUTPUT);
    const over = encode.input(new Uint8Array(MAX_FRAME_BYTES + 9));
    const e = refusal(over);
    assert.equal(e.close, CLOSE.TOO_LARGE);
    assert.match(e.message, /over the 65536 cap/);
  });

  it('refuses each malformed frame with 4400 and a reason', () => {
    const cases: Array<[Uint8Array, RegExp]> = [
      [bytes(), /empty frame/],
      [bytes(0x00), /unknown type 0x00/],
      [bytes(0x7f, 1), /unknown type 0x7f/],
      [withType(FRAME.HELLO, text('not json')), /HELLO: the body is not JSON/],
      [withType(FRAME.HELLO, bytes(0xff, 0xfe)), /HELLO: the body is not JSON in UTF-8/],
      [withType(FRAME.HELLO, text('[1]')), /HELLO: the body is not a JSON object/],
      [withType(FRAME.HELLO, text('null')), /not a JSON object/],
      [withType(FRAME.HELLO, text('{"token":5}')), /token is not a string/],
      [withType(FRAME.HELLO, text(`{"token":"${'x'.repeat(4097)}"}`)), /token is not a string/],
      [withType(FRAME.HELLO, text('{"from":-1}')), /from is not a whole number/],
      [withType(FRAME.HELLO, text('{"cols":1.5}')), /cols is not a whole number/],
      [bytes(FRAME.RESIZE, 0, 80), /RESIZE: 4 bytes expected/],
      [bytes(FRAME.RESIZE, 0, 80, 0, 24, 0), /RESIZE: 4 bytes expected/],
      [bytes(FRAME.ACK, 1, 2, 3), /ACK: 8 bytes expected/],
      [withType(FRAME.SIGNAL, bytes(0xc3)), /SIGNAL: not UTF-8/],
      [bytes(FRAME.OUTPUT, 0, 0), /OUTPUT: no offset/],
      [withType(FRAME.EXIT, text('1')), /EXIT: the body is not a JSON object/],
    ];
    for (const [frame, why] of cases) {
      const e = refusal(frame);
      assert.equal(e.close, CLOSE.BAD_FRAME, e.message);
      assert.match(e.message, why);
    }
    // ACK and OUTPUT counts must be whole, non-negative and safe
    for (const n of [-1, 0.5, NaN, 2 ** 53]) {
      const ack = encode.ack(0);
      new DataView(ack.buffer).setFloat64(1, n);
      assert.match(refusal(ack).message, /ACK: not a byte count/);
      const out = encode.output(0, bytes(1));
      new DataView(out.buffer).setFloat64(1, n);
      assert.match(refusal(out).message, /OUTPUT: not a byte count/);
    }
  });

  it('refuses a resize with no cells or over the cap', () => {
    assert.equal(badResize(1, 1), null);
    assert.equal(badResize(MAX_COLS, MAX_ROWS), null);
    assert.match(badResize(0, 24)!, /0x24 has no cells/);
    assert.match(badResize(80, 0)!, /no cells/);
    assert.match(badResize(100000, 24)!, /over the 1000x500 cap/);
    assert.match(badResize(80, MAX_ROWS + 1)!, /over the/);
  });
});
