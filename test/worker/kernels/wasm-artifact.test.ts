// The committed .wasm builds (plain SIMD and relaxed SIMD, embedded in worker/kernels/rnn-wasm.gen.ts)
// must come from the committed C sources: its recorded sha256 must match, and where clang + wasm-ld
// (+ llvm-objdump for the relaxed build) exist, a rebuild must give the same bytes. After editing
// worker/kernels/src/rnn.c, run `node scripts/build-kernels.mjs`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  RNN_WASM_BASE64,
  RNN_WASM_RELAXED_BASE64,
  RNN_WASM_SOURCE_SHA256,
} from '../../../worker/kernels/rnn-wasm.gen.js';

const root = join(import.meta.dirname, '../../..');
const has = (cmd: string) => spawnSync(cmd, ['--version']).status === 0;
const hasClang = has('clang') && has('wasm-ld');
const hasObjdump = has(process.env.LLVM_OBJDUMP ?? 'llvm-objdump');
const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function rebuild(extra: string[]): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-wasm-test-'));
  try {
    const out = join(dir, 'rnn.wasm');
    const r = spawnSync(process.execPath, [join(root, 'scripts/build-kernels.mjs'), '--out', out, ...extra], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('embedded rnn.wasm', () => {
  it('was built from the current worker/kernels/src/rnn.c and step.c (else run node scripts/build-kernels.mjs)', () => {
    const hash = createHash('sha256');
    for (const f of ['rnn.c', 'step.c']) hash.update(readFileSync(join(root, 'worker/kernels/src', f)));
    const sha = hash.digest('hex');
    expect(RNN_WASM_SOURCE_SHA256).toBe(sha);
  });

  it.skipIf(!hasClang)('plain SIMD build matches a fresh build byte for byte', () => {
    expect(digest(rebuild([])), 'rebuilt rnn.wasm differs from the embedded one').toBe(
      digest(Buffer.from(RNN_WASM_BASE64, 'base64')),
    );
  });

  it.skipIf(!hasClang || !hasObjdump)('relaxed SIMD build matches a fresh build byte for byte', () => {
    expect(digest(rebuild(['--relaxed'])), 'rebuilt relaxed rnn.wasm differs from the embedded one').toBe(
      digest(Buffer.from(RNN_WASM_RELAXED_BASE64, 'base64')),
    );
  });

  it('the relaxed build uses f32x4.relaxed_madd (standard opcode 0xfd 0x85 0x02), the plain one does not', () => {
    const count = (b64: string) => {
      const b = Buffer.from(b64, 'base64');
      let n = 0;
      for (let i = b.indexOf(0xfd); i >= 0; i = b.indexOf(0xfd, i + 1)) if (b[i + 1] === 0x85 && b[i + 2] === 0x02) n++;
      return n;
    };
    // A byte search can over-count (constants), never under-count: the relaxed build has dozens.
    expect(count(RNN_WASM_RELAXED_BASE64)).toBeGreaterThan(20);
    expect(count(RNN_WASM_BASE64)).toBeLessThan(3);
  });
});
