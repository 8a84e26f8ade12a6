// A check shared by the data tests: the test windows' exact model targets, mapped back to
// original units, give the actual values (the normalisation and its reference are undone exactly).
import { expect } from 'vitest';
import { actualOutputs, originalOutputs, windowCount, windowTargets } from '../../../worker/data/batches.js';
import type { Prepared } from '../../../worker/data/prepare.js';

export function expectTargetsUndone(p: Prepared): void {
  const w = p.windows.test;
  const N = windowCount(w);
  const model = new Float64Array(N * p.outputs.length);
  for (let r = 0; r < N; r++) model.set(windowTargets(p, p.groups[w[2 * r]!]!, w[2 * r + 1]!), r * p.outputs.length);
  const back = originalOutputs(p, w, model);
  const actual = actualOutputs(p, w);
  expect(actual.length).toBeGreaterThan(0);
  for (let i = 0; i < actual.length; i++) expect(back[i]).toBeCloseTo(actual[i]!, 9);
}
