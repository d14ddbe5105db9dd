// The seccomp filter generated in TypeScript: run through a classic-BPF interpreter, it decides
// as the policy says, and it decides exactly as libseccomp's program for the same policy
// (native/se-seccomp-gen.c) wherever libseccomp's headers are present to build that program.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import {
  CLONE_NAMESPACE_FLAGS,
  SECCOMP_ARCHES,
  SECCOMP_RET_ALLOW,
  SECCOMP_RET_ERRNO,
  SECCOMP_RET_KILL_PROCESS,
  seccompFilter,
} from '../../../src/engine/sandbox/seccomp.js';

const AUDIT_X86_64 = 0xc000003e;
const AUDIT_I386 = 0x40000003;
const AUDIT_AARCH64 = 0xc00000b7;

interface Data {
  nr: number;
  arch: number;
  args: bigint[];
}

/** A classic-BPF interpreter for seccomp programs (the subset both generators emit, and more). */
function evaluate(prog: Buffer, d: Data): number {
  const data = Buffer.alloc(64);
  data.writeInt32LE(d.nr, 0);
  data.writeUInt32LE(d.arch >>> 0, 4);
  for (let i = 0; i < 6; i++)
    data.writeBigUInt64LE(BigInt.asUintN(64, d.args[i] ?? 0n), 16 + 8 * i);
  let a = 0;
  let x = 0;
  const mem = new Array<number>(16).fill(0);
  for (let pc = 0; pc < prog.length / 8; pc++) {
    const code = prog.readUInt16LE(pc * 8);
    const jt = prog.readUInt8(pc * 8 + 2);
    const jf = prog.readUInt8(pc * 8 + 3);
    const k = prog.readUInt32LE(pc * 8 + 4);
    const cls = code & 0x07;
    if (cls === 0x00) {
      // BPF_LD
      if (code === 0x20) a = data.readUInt32LE(k);
      else if (code === 0x00) a = k;
      else if (code === 0x60) a = mem[k]!;
      else throw new Error(`unsupported ld ${code.toString(16)}`);
    } else if (cls === 0x01) {
      if (code === 0x01) x = k;
      else if (code === 0x61) x = mem[k]!;
      else throw new Error(`unsupported ldx ${code.toString(16)}`);
    } else if (cls === 0x02) mem[k] = a;
    else if (cls === 0x03) mem[k] = x;
    else if (cls === 0x04) {
      const v = code & 0x08 ? x : k;
      const op = code & 0xf0;
      if (op === 0x50) a = (a & v) >>> 0;
      else if (op === 0x40) a = (a | v) >>> 0;
      else if (op === 0x00) a = (a + v) >>> 0;
      else throw new Error(`unsupported alu ${code.toString(16)}`);
    } else if (cls === 0x05) {
      const v = (code & 0x08 ? x : k) >>> 0;
      const op = code & 0xf0;
      if (op === 0x00) {
        pc += k;
        continue;
      }
      let taken: boolean;
      if (op === 0x10) taken = a === v;
      else if (op === 0x20) taken = a > v;
      else if (op === 0x30) taken = a >= v;
      else if (op === 0x40) taken = (a & v) !== 0;
      else throw new Error(`unsupported jmp ${code.toString(16)}`);
      pc += taken ? jt : jf;
    } else if (cls === 0x06) return (code & 0x18) === 0x10 ? a : k;
    else if (cls === 0x07) {
      if (code === 0x07) x = a;
      else a = x;
    }
  }
  throw new Error('the program fell off its end');
}

const X64 = {
  clone: 56,
  clone3: 435,
  ioctl: 16,
  socket: 41,
  ptrace: 101,
  read: 0,
  mount: 165,
  prlimit64: 302,
};

describe('the seccomp filter (TypeScript)', () => {
  const prog = seccompFilter('x64');
  const run = (nr: number, args: bigint[] = [], arch = AUDIT_X86_64) =>
    evaluate(prog, { nr, arch, args });

  it('allows ordinary calls and kills the listed ones', () => {
    assert.equal(run(X64.read), SECCOMP_RET_ALLOW);
    assert.equal(run(X64.ptrace), SECCOMP_RET_KILL_PROCESS);
    assert.equal(run(X64.mount), SECCOMP_RET_KILL_PROCESS);
  });

  it('answers EPERM to clone with any namespace flag, even with high bits set', () => {
    assert.equal(run(X64.clone, [0x11n]), SECCOMP_RET_ALLOW); // SIGCHLD: fork()
    for (let bit = 0; bit < 32; bit++) {
      const flag = 1 << bit;
      if ((CLONE_NAMESPACE_FLAGS & flag) === 0) continue;
      assert.equal(run(X64.clone, [BigInt(flag >>> 0) | 0x11n]), SECCOMP_RET_ERRNO | 1);
      assert.equal(run(X64.clone, [BigInt(flag >>> 0) | (1n << 40n)]), SECCOMP_RET_ERRNO | 1);
    }
  });

  it('answers ENOSYS to clone3, EPERM to TIOCSTI (low 32 bits), kills AF_VSOCK sockets', () => {
    assert.equal(run(X64.clone3), SECCOMP_RET_ERRNO | 38);
    assert.equal(run(X64.ioctl, [1n, 0x5412n]), SECCOMP_RET_ERRNO | 1);
    assert.equal(run(X64.ioctl, [1n, 0x5412n | (1n << 32n)]), SECCOMP_RET_ERRNO | 1);
    assert.equal(run(X64.ioctl, [1n, 0x5413n]), SECCOMP_RET_ALLOW);
    assert.equal(run(X64.socket, [40n, 1n]), SECCOMP_RET_KILL_PROCESS);
    assert.equal(run(X64.socket, [1n, 1n]), SECCOMP_RET_ALLOW);
  });

  it("answers EPERM to prlimit64 on any process but the caller's own (pid 0)", () => {
    assert.equal(run(X64.prlimit64, [0n, 7n, 1n]), SECCOMP_RET_ALLOW);
    assert.equal(run(X64.prlimit64, [1n, 7n, 1n]), SECCOMP_RET_ERRNO | 1);
    assert.equal(run(X64.prlimit64, [1n << 32n, 7n, 1n]), SECCOMP_RET_ERRNO | 1);
  });

  it('kills other ABIs: i386 and x32', () => {
    assert.equal(run(X64.read, [], AUDIT_I386), SECCOMP_RET_KILL_PROCESS);
    assert.equal(run(0x40000000 + X64.read), SECCOMP_RET_KILL_PROCESS);
  });

  it('has a table for arm64 too, which kills x86-64 calls by architecture', () => {
    const arm = seccompFilter('arm64');
    assert.equal(evaluate(arm, { nr: 63, arch: AUDIT_AARCH64, args: [] }), SECCOMP_RET_ALLOW);
    assert.equal(
      evaluate(arm, { nr: 117, arch: AUDIT_AARCH64, args: [] }),
      SECCOMP_RET_KILL_PROCESS,
    );
    assert.equal(evaluate(arm, { nr: 0, arch: AUDIT_X86_64, args: [] }), SECCOMP_RET_KILL_PROCESS);
    assert.deepEqual(SECCOMP_ARCHES.sort(), ['arm64', 'x64']);
    assert.throws(() => seccompFilter('s390x'), /no seccomp filter for the s390x architecture/);
  });
});

const HEADER = '/usr/include/seccomp.h';
const GEN = fileURLToPath(new URL('../../../native/se-seccomp-gen.c', import.meta.url));

describe('the same decisions as libseccomp', () => {
  it('decides every call number, argument pattern and ABI alike', async () => {
    // npm test installs libseccomp-dev for this comparison (scripts/packages.mjs)
    assert.ok(existsSync(HEADER), `${HEADER} is present (apt-get install libseccomp-dev)`);
    const dir = await mkdtemp(join(tmpdir(), 'se-seccomp-test-'));
    try {
      const exe = join(dir, 'gen');
      const cc = spawnSync('cc', ['-O2', '-o', exe, GEN, '-lseccomp'], { encoding: 'utf8' });
      assert.equal(cc.status, 0, cc.stderr);
      const g = spawnSync(exe, [join(dir, 'ref.bpf')], { encoding: 'utf8' });
      assert.equal(g.status, 0, g.stderr);
      const ref = readFileSync(join(dir, 'ref.bpf'));
      const ours = seccompFilter();
      const audit = process.arch === 'arm64' ? AUDIT_AARCH64 : AUDIT_X86_64;
      const argSets: bigint[][] = [
        [],
        [0x11n],
        [BigInt(CLONE_NAMESPACE_FLAGS)],
        [0x20000000n | 0x11n],
        [0x02000000n | (1n << 33n)],
        [1n << 35n],
        [40n],
        [40n | (1n << 32n)],
        [2n, 0x5412n],
        [2n, 0x5412n | (7n << 32n)],
        [2n, 0x541bn],
        [0xffffffffn, 0xffffffffn],
        [1n, 7n],
        [0n, 7n],
      ];
      let compared = 0;
      const differences: string[] = [];
      for (const arch of [audit, AUDIT_I386, AUDIT_AARCH64, AUDIT_X86_64, 0]) {
        for (const nr of [...Array(600).keys(), 0x40000000, 0x40000001, 0x40000000 + 101, -1]) {
          for (const args of argSets) {
            const d = { nr, arch, args };
            const a = evaluate(ours, d);
            const b = evaluate(ref, d);
            compared++;
            if (a !== b && differences.length < 10)
              differences.push(
                `arch ${arch.toString(16)} nr ${nr} args ${args.join(',')}: ours ${a.toString(16)}, libseccomp ${b.toString(16)}`,
              );
          }
        }
      }
      assert.deepEqual(differences, []);
      assert.ok(compared > 30000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
