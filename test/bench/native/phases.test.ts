// The native engine's phase profile (`npm run bench -- --suite native --phases`): the C program
// still matches rnn.c's buffer layout, builds against the engine, and its phases add up to the
// calls they split, with every cell's per-step products and gate math profiled.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cpuPeak } from '../cpu-peak.js';
import { buildPhases, phasesCannotRun, runPhases, type PhaseShape } from '../native-phases.js';

const here = dirname(fileURLToPath(import.meta.url));
const rnnC = readFileSync(join(here, '../../../worker/kernels/src/rnn.c'), 'utf8');
const phasesC = readFileSync(join(here, 'phases.c'), 'utf8');

/** Name -> index of a C enum's members (values implicit, counting from 0, or explicit). */
function enumValues(src: string, first: string): Map<string, number> {
  const body = new RegExp(`enum \\{([^}]*\\b${first}\\b[^}]*)\\}`).exec(src)?.[1];
  if (!body) throw new Error(`no enum with ${first}`);
  const out = new Map<string, number>();
  let next = 0;
  for (const item of body
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)) {
    const [name, value] = item.split('=').map((t) => t.trim()) as [string, string | undefined];
    next = value === undefined ? next : Number(value);
    out.set(name, next++);
  }
  return out;
}

describe('native phase profile', () => {
  it("puts the inputs in the buffers rnn.c's enum names", () => {
    const engine = enumValues(rnnC, 'P_W');
    const mine = enumValues(phasesC, 'P_XIN');
    expect(mine.size).toBe(4);
    for (const [name, index] of mine) expect({ name, index }).toEqual({ name, index: engine.get(name) });
  });

  const isa = cpuPeak().isa;
  const why = phasesCannotRun(isa);
  const dir = mkdtempSync(join(tmpdir(), 'rnn-phases-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(why !== null)(`splits each cell's calls into its phases${why ? ` (skipped: ${why})` : ''}`, () => {
    const prog = buildPhases(dir, isa as 'avx512' | 'avx2');
    for (const cell of ['simpleRNN', 'gru', 'lstm'] as const) {
      // Units and batch that fill no tile exactly; more than 8 features: x.W as its own product.
      for (const [features, slices] of [
        [3, 2],
        [10, 0],
      ] as const) {
        const s: PhaseShape = { cell, units: 37, batch: 16, steps: 6, features, slices };
        const p = runPhases(prog, s, 20);
        const label = `${cell}, ${features} features, ${slices} slices`;
        for (const [k, v] of Object.entries(p)) expect(v, `${label}: ${k}`).toBeGreaterThanOrEqual(0);
        // Each cell's products and gate math have their PROF points, both ways.
        for (const k of ['fwdProducts', 'fwdGates', 'bwdGates', 'bwdProducts', 'weightGrads'] as const)
          expect(p[k], `${label}: ${k}`).toBeGreaterThan(0);
        // The phases are parts of the timed calls (the clock is read a few more times inside).
        const fwd = p.input + p.fwdProducts + p.fwdGates;
        const bwd = p.bwdGates + p.bwdProducts + p.weightGrads + p.dxLayout;
        expect(fwd, label).toBeLessThanOrEqual(p.forward * 1.05 + 1);
        expect(fwd, label).toBeGreaterThan(p.forward * 0.5);
        expect(bwd, label).toBeLessThanOrEqual(p.backward * 1.05 + 1);
        expect(bwd, label).toBeGreaterThan(p.backward * 0.5);
      }
    }
  });
});
