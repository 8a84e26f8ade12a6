// The measurement-only native products addon (test/bench/native/) computes what rnn.c's wasm
// products compute: every instruction set this CPU runs and every tile height, against the wasm
// builds and against a float64 reference, so the `native` bench suite compares equal work.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { relaxedSimdFlag } from '../../../core/jobs.js';
import { relaxedSimdSupported } from '../../../worker/kernels/index.js';
import { buildAddon, buildWasmProducts, cannotBuild } from './build.js';
import { allRunners, loadAddon, makeInputs, PRODUCTS, relError, type Inputs, type Product } from './products.js';

for (const f of relaxedSimdFlag()) setFlagsFromString(f);

const why = cannotBuild();
const dir = mkdtempSync(join(tmpdir(), 'rnn-native-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The products in float64, straight from their definitions. */
function reference(inp: Inputs, p: Product): Float64Array {
  const { units: H, batch: B, steps: T } = inp.s;
  const GH = inp.GH;
  if (p === 'forward h.U per step') {
    const out = Float64Array.from(inp.Z0);
    for (let r = 0; r < T * B; r++)
      for (let k = 0; k < H; k++) {
        const a = inp.hs[r * H + k]!;
        for (let j = 0; j < GH; j++) out[r * GH + j]! += a * inp.U[k * GH + j]!;
      }
    return out;
  }
  if (p === 'backward dZ.U^T per step') {
    const out = new Float64Array(T * B * H);
    for (let r = B; r < T * B; r++)
      // step 0's dh is never needed (rnn.c skips it)
      for (let j = 0; j < H; j++) {
        let s = 0;
        for (let k = 0; k < GH; k++) s += inp.dZ[r * GH + k]! * inp.U[j * GH + k]!;
        out[r * H + j] = s;
      }
    return out;
  }
  const out = new Float64Array(H * GH);
  for (let r = 0; r < T * B; r++)
    for (let i = 0; i < H; i++) {
      const a = inp.hs[r * H + i]!;
      for (let j = 0; j < GH; j++) out[i * GH + j]! += a * inp.dZ[r * GH + j]!;
    }
  return out;
}

describe.skipIf(why !== null)(`native products addon${why ? ` (skipped: ${why})` : ''}`, () => {
  const addon = why ? null : loadAddon(buildAddon(dir));
  const wasm = why ? null : buildWasmProducts(dir);

  // Batch 6 leaves partial tiles for every tile height; T·B = 1600 spans several 128-row blocks.
  for (const s of [
    { units: 32, batch: 6, steps: 5, features: 1 },
    { units: 64, batch: 32, steps: 50, features: 1 },
  ])
    it(`equals the wasm products and a float64 reference (H ${s.units}, B ${s.batch}, T ${s.steps})`, () => {
      const inp = makeInputs(s, 7);
      const runners = allRunners(addon!, wasm!, inp);
      const names = runners.map((r) => r.name);
      expect(names).toContain('wasm simd 4x8');
      expect(names.includes('wasm relaxed 4x8')).toBe(relaxedSimdSupported());
      if (arch() === 'x64') expect(names.some((n) => n.startsWith('native avx2'))).toBe(true);
      for (const p of PRODUCTS) {
        const want = Float32Array.from(reference(inp, p));
        const outs = runners.map((r) => {
          r.reset(p);
          r.run(p);
          return r.output(p);
        });
        outs.forEach((o, i) => expect(relError(o, want), `${names[i]}, ${p}`).toBeLessThan(1e-6));
        // The same tile order sums every element in the same k order: with FMA on both sides the
        // native results equal wasm relaxed's bit for bit.
        const relaxed = names.indexOf('wasm relaxed 4x8');
        if (relaxed >= 0)
          outs.forEach((o, i) => {
            if (names[i]!.startsWith('native')) expect(relError(o, outs[relaxed]!), `${names[i]}, ${p}`).toBe(0);
          });
      }
    });

  it.skipIf(arch() === 'arm64')('the NEON unit compiles for arm64 (it cannot run on this x64 machine)', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const obj = join(dir, 'neon.o');
    execFileSync(process.env.CLANG ?? 'clang', [
      '--target=aarch64-linux-gnu',
      '-ffreestanding',
      '-O3',
      '-Wall',
      '-Werror',
      '-c',
      join(here, 'isa-neon.c'),
      '-o',
      obj,
    ]);
    const dis = execFileSync('llvm-objdump', ['-d', obj], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(dis).toMatch(/\bfmla\b/);
  });
});
