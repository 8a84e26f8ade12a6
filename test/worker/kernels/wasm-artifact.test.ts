// The committed .wasm (embedded in worker/kernels/rnn-wasm.gen.ts) must come from the committed
// C source: its recorded sha256 must match, and where clang + wasm-ld exist, a rebuild must give
// the same bytes. After editing worker/kernels/src/rnn.c, run `node scripts/build-kernels.mjs`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RNN_WASM_BASE64, RNN_WASM_SOURCE_SHA256 } from '../../../worker/kernels/rnn-wasm.gen.js';

const root = join(import.meta.dirname, '../../..');
const hasClang = spawnSync('clang', ['--version']).status === 0 && spawnSync('wasm-ld', ['--version']).status === 0;

describe('embedded rnn.wasm', () => {
  it('was built from the current worker/kernels/src/rnn.c (else run node scripts/build-kernels.mjs)', () => {
    const sha = createHash('sha256')
      .update(readFileSync(join(root, 'worker/kernels/src/rnn.c')))
      .digest('hex');
    expect(RNN_WASM_SOURCE_SHA256).toBe(sha);
  });

  it.skipIf(!hasClang)('matches a fresh build byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnn-wasm-test-'));
    try {
      const out = join(dir, 'rnn.wasm');
      const r = spawnSync(process.execPath, [join(root, 'scripts/build-kernels.mjs'), '--out', out], {
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      expect(digest(readFileSync(out)), 'rebuilt rnn.wasm differs from the embedded one').toBe(
        digest(Buffer.from(RNN_WASM_BASE64, 'base64')),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
