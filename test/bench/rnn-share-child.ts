// One trainer of the `--share` bench (rnn-share.ts): the whole training step in wasm with the
// default (measured) thread count, warmed up (which includes the thread measurement), then on the
// parent's "go" a fixed number of batches; prints one JSON line with its samples/s and its choice.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createInterface } from 'node:readline';
import { fusedRnnLayer, shutdownKernelThreads, WasmRnnKernel } from '../../worker/kernels/index.js';
import { FusedTrainStep } from '../../worker/kernels/step.js';
import type { Cell } from '../../core/spec.js';
import { batchOf } from './rnn-step.js';

interface Shape {
  cell: Cell;
  units: number;
  batch: number;
  steps: number;
  features: number;
}

async function main(): Promise<void> {
  const s = JSON.parse(process.argv[2]!) as Shape;
  const batches = Number(process.argv[3]);
  await tf.setBackend('wasm');
  const kernels: WasmRnnKernel[] = [];
  const model = tf.sequential({
    layers: [
      fusedRnnLayer({
        cell: s.cell,
        units: s.units,
        returnSequences: false,
        inputShape: [s.steps, s.features],
        seed: 1,
        kernelFactory: () => {
          const k = new WasmRnnKernel();
          kernels.push(k);
          return k;
        },
      }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  const step = new FusedTrainStep(model, model.optimizer, 'mse');
  const { xd, yd } = batchOf(s);
  for (let i = 0; i < 12; i++) step.trainBatch(xd, yd, s.batch); // the thread measurement is in here
  process.stdout.write('ready\n');
  const rl = createInterface({ input: process.stdin });
  await new Promise<void>((r) => rl.once('line', () => r()));
  rl.close();
  const t0 = performance.now();
  for (let b = 0; b < batches; b++) step.trainBatch(xd, yd, s.batch);
  const secs = (performance.now() - t0) / 1000;
  const report = kernels[0]?.threadReport();
  process.stdout.write(
    JSON.stringify({ samplesPerSec: (batches * s.batch) / secs, secs, threads: report?.threads ?? null }) + '\n',
  );
  shutdownKernelThreads();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
