/**
 * Output hygiene of a terminal (WORKSPACE.md, trap 5): a learner's program may print escape
 * sequences that act outside the terminal: write the clipboard (OSC 52), set the window title
 * (OSC 0, 1, 2), make links (OSC 8), or send device control strings (DCS, APC, PM, SOS) a
 * terminal may answer. `OutputFilter` neutralizes them, in 7-bit and in UTF-8-encoded C1 form,
 * across chunk boundaries, and keeps the harmless ones (colours, shell-integration marks).
 *
 * A neutralized byte becomes NUL, which terminals ignore: the output keeps its length, so the
 * byte offsets of the protocol (terminal.ts) stay the engine's. Bytes whose meaning depends on
 * what follows (an escape's first few bytes) are held back until it is known; `push` returns what
 * can go now, so a chunk may come out shorter and the rest follows with the next one.
 */

/** OSC numbers that only change colours or mark prompts. Every other OSC is neutralized. */
const KEEP_OSC = new Set([4, 10, 11, 12, 104, 110, 111, 112, 133]);
/** The longest OSC kept: past it the rest is neutralized. */
const MAX_KEPT = 4096;

const ESC = 0x1b;
const BEL = 0x07;
const C2 = 0xc2;

type Mode =
  | 'ground'
  | 'esc' // ESC held
  | 'c2' // 0xC2 held (a C1 control in UTF-8 may follow)
  | 'oscnum' // an OSC's number is being read (held)
  | 'keep' // a kept string
  | 'drop'; // a neutralized string

export class OutputFilter {
  private mode: Mode = 'ground';
  private held: number[] = [];
  private num = '';
  private kept = 0;
  /** inside a string: the previous byte was ESC (ST may follow) or 0xC2 (C1 ST may follow) */
  private pending: 0 | typeof ESC | typeof C2 = 0;

  /** How many bytes of what was pushed are held back (not yet returned). */
  get holding(): number {
    return this.held.length + (this.pending ? 1 : 0);
  }

  /** The bytes of `chunk` that can be sent now, neutralized where needed. */
  push(chunk: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (const byte of chunk) this.step(byte, out);
    return Uint8Array.from(out);
  }

  /** What is still held (at the end of the output): sent as it is, an unfinished escape. */
  flush(): Uint8Array {
    const rest = Uint8Array.from(this.held);
    this.held = [];
    this.mode = 'ground';
    return rest;
  }

  private emitHeld(out: number[], neutral: boolean): void {
    for (const b of this.held) out.push(neutral ? 0 : b);
    this.held = [];
  }

  private step(b: number, out: number[]): void {
    switch (this.mode) {
      case 'ground':
        if (b === ESC || b === C2) {
          this.held.push(b);
          this.mode = b === ESC ? 'esc' : 'c2';
        } else out.push(b);
        return;
      case 'esc':
      case 'c2': {
        const introducer =
          this.mode === 'esc'
            ? b === 0x5d
              ? 'osc'
              : b === 0x50 || b === 0x5f || b === 0x5e || b === 0x58
                ? 'string'
                : null
            : b === 0x9d
              ? 'osc'
              : b === 0x90 || b === 0x9f || b === 0x9e || b === 0x98
                ? 'string'
                : null;
        if (introducer === 'osc') {
          this.held.push(b);
          this.mode = 'oscnum';
          this.num = '';
        } else if (introducer === 'string') {
          this.held.push(b);
          this.emitHeld(out, true);
          this.start('drop');
        } else {
          this.emitHeld(out, false);
          this.mode = 'ground';
          this.step(b, out);
        }
        return;
      }
      case 'oscnum':
        if (b >= 0x30 && b <= 0x39 && this.num.length < 6) {
          this.held.push(b);
          this.num += String.fromCharCode(b);
          return;
        }
        if (b === 0x3b && this.num !== '' && KEEP_OSC.has(Number(this.num))) {
          this.held.push(b);
          this.emitHeld(out, false);
          this.start('keep');
          return;
        }
        // any other OSC (or a malformed one): neutralized to its end
        this.emitHeld(out, true);
        this.start('drop');
        this.inString(b, out);
        return;
      case 'keep':
      case 'drop':
        this.inString(b, out);
        return;
    }
  }

  private start(mode: 'keep' | 'drop'): void {
    this.mode = mode;
    this.kept = 0;
    this.pending = 0;
  }

  /** A byte inside an OSC or control string: its end is BEL, ST (ESC \) or C1 ST (C2 9C). */
  private inString(b: number, out: number[]): void {
    const neutral = this.mode === 'drop';
    if (this.pending === ESC) {
      this.pending = 0;
      if (b === 0x5c) {
        out.push(neutral ? 0 : ESC, neutral ? 0 : b);
        this.mode = 'ground';
        return;
      }
      // ESC cancels the string and starts a new escape
      this.mode = 'ground';
      this.held = [];
      this.step(ESC, out);
      this.step(b, out);
      return;
    }
    if (this.pending === C2) {
      this.pending = 0;
      out.push(neutral ? 0 : C2, neutral ? 0 : b);
      if (b === 0x9c) this.mode = 'ground';
      return;
    }
    if (b === ESC || b === C2) {
      this.pending = b;
      return;
    }
    if (b === BEL || b === 0x18 || b === 0x1a) {
      // BEL ends an OSC; CAN and SUB abort any string
      out.push(neutral ? 0 : b);
      this.mode = 'ground';
      return;
    }
    if (!neutral && ++this.kept > MAX_KEPT) this.mode = 'drop';
    out.push(this.mode === 'drop' ? 0 : b);
  }
}
