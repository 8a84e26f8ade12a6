// The CPU epoch runner: TF.js trainOnBatch a batch at a time, each batch cut from the column arrays
// when it is needed. Progress, heartbeat and the stop check happen between batches, so a stop
// request ends the epoch after the current batch (a partial epoch).
import * as tf from '@tensorflow/tfjs';
import { ServiceError } from '../../core/contract.js';
import { cutBatch, windowCount } from '../data/batches.js';
import type { Prepared } from '../data/prepare.js';
import { optimizerState } from './checkpoint.js';
import type { EpochHooks, EpochPlan, EpochResult, EpochRunner } from './epoch-runner.js';

export function cpuEpochRunner(model: tf.LayersModel, optimizer: tf.Optimizer, p: Prepared): EpochRunner {
  const nTrain = windowCount(p.windows.train);
  return {
    async run(plan: EpochPlan, hooks: EpochHooks): Promise<EpochResult> {
      let lossSum = 0;
      let seen = 0;
      for (let b = 0; b < plan.batches; b++) {
        const from = b * plan.batchSize;
        const size = Math.min(plan.batchSize, nTrain - from);
        const batch = cutBatch(p, p.windows.train, plan.order, from, size);
        const xs = tf.tensor3d(batch.x, [size, p.lookback, p.features.length]);
        const ys = tf.tensor2d(batch.y, [size, p.outputs.length]);
        const loss = (await model.trainOnBatch(xs, ys)) as number;
        tf.dispose([xs, ys]);
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
    syncModel: async () => {},
    optimizerState: () => optimizerState(optimizer),
    dispose: () => {},
  };
}
