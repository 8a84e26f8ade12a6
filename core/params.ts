// Parameter count of the model a spec describes, without TF.js (the run designer's estimate runs
// in the host, which never loads TF.js); a test checks it against model.countParams().
import type { RunSpec } from './contract.js';
import { gateCount } from './spec.js';

export interface ModelShape {
  lookback: number;
  features: number;
  outputs: number;
}

/** Trainable parameter count, without building tensors (run designer estimate). */
export function countParams(spec: RunSpec, shape: ModelShape): number {
  const gates = gateCount(spec.model.cell);
  const dirs = spec.model.bidirectional ? 2 : 1;
  let inSize = shape.features;
  let total = 0;
  for (const l of spec.model.layers) {
    total += dirs * gates * (inSize * l.units + l.units * l.units + l.units);
    inSize = dirs * l.units;
  }
  for (const units of spec.model.head.layers) {
    total += inSize * units + units;
    inSize = units;
  }
  return total + inSize * shape.outputs + shape.outputs;
}
