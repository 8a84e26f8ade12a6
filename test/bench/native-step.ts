// The whole-step part of the `native` suite (native.ts): CPU time of one fused training step
// (worker/kernels/step.ts: fused LSTM forward + backward, dense head, mse, Adam) on one thread
// with the relaxed build, batch = the suite's slice, so that the products' share of a whole
// training step is measured in the same run as the products themselves.
import * as tf from '@tensorflow/tfjs';
import { fusedRnnLayer, relaxedSimdSupported, WasmRnnKernel } from '../../worker/kernels/index.js';
import { FusedTrainStep } from '../../worker/kernels/step.js';
import type { Slice } from './native/products.js';

/** Best-of-reps CPU ms of one whole training step on the slice (one kernel thread). */
export function wholeStepMs(s: Slice, reps: number, cpuMs: () => number): number {
  const warn = console.warn;
  // tf.layers' orthogonal initialiser warns about every matrix over 2000 values; not news here.
  console.warn = (...a: unknown[]) => {
    if (!String(a[0]).startsWith('Orthogonal initializer')) warn(...a);
  };
  let model: tf.LayersModel;
  try {
    const build = relaxedSimdSupported() ? 'relaxed-simd' : 'simd';
    model = tf.sequential({
      layers: [
        fusedRnnLayer({
          cell: 'lstm',
          units: s.units,
          returnSequences: false,
          inputShape: [s.steps, s.features],
          kernelFactory: () => new WasmRnnKernel(1, build),
        }),
        tf.layers.dense({ units: 1 }),
      ],
    });
  } finally {
    console.warn = warn;
  }
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  const step = new FusedTrainStep(model, model.optimizer, 'mse');
  const x = Float32Array.from({ length: s.batch * s.steps * s.features }, (_, i) => Math.sin(i * 0.37));
  const y = Float32Array.from({ length: s.batch }, (_, i) => Math.cos(i * 0.11));
  step.trainBatch(x, y, s.batch);
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = cpuMs();
    step.trainBatch(x, y, s.batch);
    best = Math.min(best, cpuMs() - t0);
  }
  model.dispose();
  return best;
}
