// Which RunSpecs the GPU trainer can run. It implements exactly: stacked SimpleRNN/LSTM/GRU layers
// (tf.layers' hardSigmoid gates, zero initial state), the last step into one linear dense output,
// MSE, Adam. Anything else goes to the CPU-fused or tf.layers path; the reason is for the run log.
import type { RunSpec } from '../../../core/spec.js';
import { gateCount } from '../types.js';

/** Workgroup memory every WebGPU adapter offers (maxComputeWorkgroupStorageSize's default). */
const WORKGROUP_BYTES = 16_384 * 2;

/** Why the GPU trainer cannot run this spec, or null when it can. */
export function gpuTrainerUnsupported(spec: RunSpec, features: number): string | null {
  const m = spec.model;
  if (spec.task !== 'forecast') return `the GPU trainer covers forecasting (MSE) only, not ${spec.task}`;
  if (m.bidirectional) return 'the GPU trainer has no bidirectional layers';
  if (m.head.layers.length > 0) return 'the GPU trainer has no hidden dense head layers';
  const dropped = m.layers.findIndex((l) => l.dropout > 0);
  if (dropped >= 0) return `the GPU trainer has no dropout (layer ${dropped + 1} has ${m.layers[dropped]!.dropout})`;
  if (spec.train.optimizer !== 'adam') return `the GPU trainer uses Adam only, not ${spec.train.optimizer}`;
  if (spec.train.loss !== 'mse') return `the GPU trainer uses the MSE loss only, not ${spec.train.loss}`;
  let f = features;
  for (const [i, l] of m.layers.entries()) {
    // One batch row per workgroup at least: inputs, state and gate values in workgroup memory.
    const bytes = 4 * (f + l.units * (gateCount(m.cell) + 3));
    if (bytes > WORKGROUP_BYTES)
      return `layer ${i + 1} (${l.units} units) needs ${bytes} bytes of GPU workgroup memory, more than the ${WORKGROUP_BYTES} every adapter has`;
    f = l.units;
  }
  return null;
}
