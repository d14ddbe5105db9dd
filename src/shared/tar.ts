/**
 * A tar writer (ustar, a pax header for a name over 99 bytes): plain files and folders owned by
 * uid 0 with the modes given. Used by the engine to hand a stage its files and by the backend to
 * send a workspace's files as a Containers submission's `source`.
 */

declare const TextEncoder: new () => { encode(s: string): Uint8Array };

export interface TarFile {
  /** the path inside the archive, without a leading or trailing `/` */
  name: string;
  type: 'file' | 'dir';
  /** the permission bits (files: 0644 or 0755 are what a reader should keep) */
  mode: number;
  /** a file's bytes (ignored for a folder) */
  data: Uint8Array;
}

const BLOCK = 512;
const utf8 = new TextEncoder();

const octal = (n: number, width: number) => `${n.toString(8).padStart(width - 1, '0')}\0`;

/** `entries` as one tar (uncompressed): what a Containers `source` holds once gunzipped. */
export function tarOf(entries: readonly TarFile[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  const mtime = octal(Math.floor(Date.now() / 1000), 12);
  const put = (h: Uint8Array, at: number, text: string, max: number) =>
    h.set(utf8.encode(text).subarray(0, max), at);
  const header = (name: Uint8Array, type: string, mode: number, size: number) => {
    const h = new Uint8Array(BLOCK);
    h.set(name.subarray(0, 99), 0);
    put(h, 100, octal(mode & 0o777, 8), 8);
    put(h, 108, '0000000\0', 8);
    put(h, 116, '0000000\0', 8);
    put(h, 124, octal(size, 12), 12);
    put(h, 136, mtime, 12);
    put(h, 148, '        ', 8);
    put(h, 156, type, 1);
    put(h, 257, 'ustar\x0000', 8);
    let sum = 0;
    for (const b of h) sum += b;
    put(h, 148, `${sum.toString(8).padStart(6, '0')}\0 `, 8);
    blocks.push(h);
  };
  const body = (data: Uint8Array) => {
    blocks.push(data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad) blocks.push(new Uint8Array(pad));
  };
  for (const e of entries) {
    const name = utf8.encode(e.type === 'dir' ? `${e.name}/` : e.name);
    if (name.length > 99) {
      const path = e.type === 'dir' ? `${e.name}/` : e.name;
      const rec = (len: number) => `${len} path=${path}\n`;
      let len = utf8.encode(rec(0)).length;
      while (utf8.encode(rec(len)).length !== len) len = utf8.encode(rec(len)).length;
      const pax = utf8.encode(rec(len));
      header(utf8.encode('././@PaxHeader'), 'x', 0o644, pax.length);
      body(pax);
    }
    header(name, e.type === 'dir' ? '5' : '0', e.mode, e.type === 'dir' ? 0 : e.data.length);
    if (e.type === 'file') body(e.data);
  }
  blocks.push(new Uint8Array(BLOCK * 2));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}
