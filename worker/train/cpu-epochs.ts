// The CPU epoch runner: TF.js trainOnBatch a batch at a time, each batch cut from the column arrays
// when it is needed. A model of fused RNN layers (+ dropout) + dense layers trains through the
// fused step instead (worker/kernels/step.ts: the whole step in WebAssembly, no TF.js op per batch;
// 1.6–2.2× the samples per CPU-second of the fused layer under trainOnBatch at the default spec's
// shapes, worker/kernels/README.md); RNN_FUSED_STEP=0 turns it off. The TF.js model and optimizer
// are synced back before the trainer evaluates and checkpoints. Progress, heartbeat and the stop check happen between batches, so a stop
// request ends the epoch after the current batch (a partial epoch).
import type * as TF from '@tensorflow/tfjs';
import { tf } from '../tf.js';
import { ServiceError } from '../../core/contract.js';
import { cutBatch, windowCount } from '../data/batches.js';
import type { Prepared } from '../data/prepare.js';
import type { FusedTrainStep } from '../kernels/step.js';
import { optimizerState } from './checkpoint.js';
import type { EpochHooks, EpochPlan, EpochResult, EpochRunner } from './epoch-runner.js';

/** The runner with its fused step chosen now (after any restore), so the run's device line can say whether it trains. */
export async function startCpuEpochRunner(
  model: TF.LayersModel,
  optimizer: TF.Optimizer,
  p: Prepared,
): Promise<{ runner: EpochRunner; wholeStep: boolean }> {
  const step = await fusedStep(model, optimizer);
  return { runner: cpuEpochRunner(model, optimizer, p, step), wholeStep: step !== null };
}

/** `step`: the fused step already chosen (startCpuEpochRunner); by default chosen at the first epoch. */
export function cpuEpochRunner(
  model: TF.LayersModel,
  optimizer: TF.Optimizer,
  p: Prepared,
  chosen?: FusedTrainStep | null,
): EpochRunner {
  const nTrain = windowCount(p.windows.train);
  let step: FusedTrainStep | null | undefined = chosen;
  const tfStep = async (batch: { x: Float32Array; y: Float32Array }, size: number) => {
    const xs = tf.tensor3d(batch.x, [size, p.lookback, p.features.length]);
    const ys = tf.tensor2d(batch.y, [size, p.outputs.length]);
    const loss = (await model.trainOnBatch(xs, ys)) as number;
    tf.dispose([xs, ys]);
    return loss;
  };
  return {
    async run(plan: EpochPlan, hooks: EpochHooks): Promise<EpochResult> {
      if (step === undefined) step = await fusedStep(model, optimizer);
      step?.loadModel(); // the trainer may have changed the weights between epochs
      let lossSum = 0;
      let seen = 0;
      for (let b = 0; b < plan.batches; b++) {
        const from = b * plan.batchSize;
        const size = Math.min(plan.batchSize, nTrain - from);
        const batch = cutBatch(p, p.windows.train, plan.order, from, size);
        const loss = step ? step.trainBatch(batch.x, batch.y, size) : await tfStep(batch, size);
        if (!Number.isFinite(loss))
          throw new ServiceError(
            'bad_input',
            `training diverged at epoch ${plan.epoch}, batch ${b + 1} (loss ${loss}); lower train.learningRate`,
            'spec.train.learningRate',
          );
        lossSum += loss * size;
        seen += size;
        hooks.progress({ batch: b + 1, loss: lossSum / seen, seen }, b === plan.batches - 1);
        const why = await hooks.yieldPoint();
        if (why) return { loss: lossSum / seen, seen, steps: b + 1, interrupted: why };
      }
      return { loss: lossSum / seen, seen, steps: plan.batches, interrupted: null };
    },
    syncModel: async () => step?.syncModel(),
    optimizerState: async () => {
      await step?.syncOptimizer();
      return optimizerState(optimizer);
    },
    dispose: () => step?.dispose(),
  };
}

/** The fused step when it covers the model (and RNN_FUSED_STEP is not 0); it takes over the optimizer's state. */
async function fusedStep(model: TF.LayersModel, optimizer: TF.Optimizer): Promise<FusedTrainStep | null> {
  if (process.env.RNN_FUSED_STEP === '0') return null;
  if (!model.layers.some((l) => l.getClassName() === 'FusedRnn')) return null; // tf.layers RNNs: no kernels to load
  const k = await import('../kernels/step.js');
  const loss = k.stepLossOf(model);
  if (k.fusedStepUnsupported(model, loss, optimizer)) return null;
  const step = new k.FusedTrainStep(model, optimizer, loss!);
  await step.loadOptimizer();
  return step;
}
