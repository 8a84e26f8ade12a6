// One trainer of the `--share` bench (rnn-share.ts): the whole training step in wasm with the
// default (measured) thread count, warmed up on 12 batches, then on the parent's "go" a fixed
// number of batches (the thread measurement, after its one-second warm-up, falls within them, as
// in a run); prints one JSON line with its samples/s and its last choice.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createInterface } from 'node:readline';
import { shutdownKernelThreads, WasmRnnKernel } from '../../worker/kernels/index.js';
import { stepModel, type HandoffShape } from './rnn-handoff.js';
import { batchOf } from './rnn-step.js';

async function main(): Promise<void> {
  const s = JSON.parse(process.argv[2]!) as HandoffShape;
  const batches = Number(process.argv[3]);
  await tf.setBackend('wasm');
  const kernels: WasmRnnKernel[] = [];
  const { step } = stepModel(s, () => {
    const k = new WasmRnnKernel();
    kernels.push(k);
    return k;
  });
  const { xd, yd } = batchOf(s);
  for (let i = 0; i < 12; i++) step.trainBatch(xd, yd, s.batch);
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
