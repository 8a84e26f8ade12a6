// The GPU-fused path of the trainer: the WebGPU trainer (worker/kernels/webgpu) runs whole epochs
// on the GPU with the training windows uploaded once; after each epoch its weights come back into
// the TF.js model, which checkpoints and exports exactly as on the CPU paths. The validation
// predictions of every epoch and the final test predictions run on the GPU too (`predict`), each
// split's windows uploaded once beside the training data: at the large shapes a CPU forward over
// the validation windows took longer than the GPU's whole epoch.
import type * as TF from '@tensorflow/tfjs';
import { tf } from '../tf.js';
import { readdirSync } from 'node:fs';
import { ServiceError, type RunSpec } from '../../core/contract.js';
import { cutBatch, windowCount } from '../data/batches.js';
import { ensureVulkanLoader } from '../kernels/webgpu/vulkan-loader.js';
import type { Prepared } from '../data/prepare.js';
import type { EpochHooks, EpochPlan, EpochResult, EpochRunner } from './epoch-runner.js';

export interface GpuChoice {
  adapter: string;
}

/**
 * Whether this run trains on the GPU: an adapter that is a real GPU (SwiftShader only when
 * RNN_WORKBENCH_GPU=fallback, for tests), and a spec the GPU trainer implements.
 * RNN_WORKBENCH_GPU=off turns the path off. Returns the reason when it does not apply.
 * `loaderDirs` (tests) replaces the folders searched for the Vulkan loader.
 */
export async function chooseGpu(
  spec: RunSpec,
  features: number,
  loaderDirs?: string[],
): Promise<{ gpu: GpuChoice | null; note?: string }> {
  const mode = process.env.RNN_WORKBENCH_GPU ?? 'auto';
  if (mode === 'off' || spec.model.impl === 'layers') return { gpu: null };
  // Without a loader nothing below can work; say what to install (Chromium's copy counts).
  const loader = ensureVulkanLoader(loaderDirs);
  if (!loader.ok) return { gpu: null, note: `GPU: ${loader.message}` };
  if (!vulkanDriverListed()) return { gpu: null, note: 'GPU: no Vulkan driver installed; training on the CPU' };
  try {
    const k = await import('../kernels/webgpu/index.js');
    const why = k.gpuTrainerUnsupported(spec, features);
    const info = await k.gpuAdapterInfo();
    if (!info) return { gpu: null, note: `GPU: ${k.webgpuLoadError() ?? 'no WebGPU adapter found'}` };
    if (info.isFallback && mode !== 'fallback')
      return { gpu: null, note: `GPU: only a software adapter (${info.name}); training on the CPU` };
    if (why) return { gpu: null, note: `GPU ${info.name} not used: ${why}` };
    return { gpu: { adapter: info.name } };
  } catch (e) {
    return { gpu: null, note: `GPU: WebGPU unavailable (${(e as Error).message.split('\n')[0]})` };
  }
}

/**
 * On Linux, Dawn reaches GPUs through Vulkan: without any installed driver manifest (ICD) the probe
 * can only fail, and Dawn prints warnings to stderr in every trainer. Other platforms probe.
 */
function vulkanDriverListed(): boolean {
  if (process.platform !== 'linux') return true;
  if (process.env.VK_DRIVER_FILES || process.env.VK_ICD_FILENAMES) return true;
  const dirs = [
    '/usr/share/vulkan/icd.d',
    '/etc/vulkan/icd.d',
    '/usr/local/share/vulkan/icd.d',
    `${process.env.HOME ?? ''}/.local/share/vulkan/icd.d`,
  ];
  return dirs.some((d) => {
    try {
      return readdirSync(d).some((f) => f.endsWith('.json'));
    } catch {
      return false;
    }
  });
}

/**
 * The GPU epoch runner: one submit per epoch, so progress and the stop check come once per epoch
 * (a stop request ends the run after the current epoch). Splitting an epoch into several submits
 * would let it stop mid-epoch and report a partial epoch through the same EpochResult.
 */
export async function gpuEpochRunner(spec: RunSpec, p: Prepared, model: TF.LayersModel): Promise<EpochRunner> {
  const k = await import('../kernels/webgpu/index.js');
  const trainer = await k.createGpuTrainer({
    cell: spec.model.cell,
    layers: spec.model.layers.map((l) => l.units),
    features: p.features.length,
    outputs: p.outputs.length,
    steps: p.lookback,
    batch: spec.train.batchSize,
    optimizer: 'adam',
    learningRate: spec.train.learningRate,
    loss: 'mse',
    seed: spec.train.seed,
  });
  // Start from the model's weights (same initialisers, or a resumed checkpoint).
  await trainer.setWeights(model.getWeights().map((w) => w.dataSync() as Float32Array));
  // The GPU trainer takes the windows themselves: cut them once and upload (they stay on the GPU).
  const nTrain = windowCount(p.windows.train);
  const all = cutBatch(p, p.windows.train, null, 0, nTrain);
  trainer.uploadData(all.x, all.y);
  const uploaded = new Map<string, Int32Array>(); // the evaluation windows on the GPU, by name
  return {
    async run(plan: EpochPlan, hooks: EpochHooks): Promise<EpochResult> {
      const used = plan.order.subarray(0, Math.min(nTrain, plan.batches * plan.batchSize));
      const loss = await trainer.trainEpoch(used);
      if (!Number.isFinite(loss))
        throw new ServiceError(
          'bad_input',
          `training diverged at epoch ${plan.epoch} (loss ${loss}); lower train.learningRate`,
          'spec.train.learningRate',
        );
      hooks.progress({ batch: plan.batches, loss, seen: used.length }, true);
      return { loss, seen: used.length, steps: plan.batches, interrupted: await hooks.yieldPoint() };
    },
    async syncModel() {
      const ws = await trainer.getWeights();
      const shapes = model.getWeights().map((w) => w.shape);
      const ts = ws.map((w, i) => tf.tensor(w, shapes[i]));
      model.setWeights(ts);
      tf.dispose(ts);
    },
    // Adam's moments stay on the GPU; a resume restarts them.
    optimizerState: async () => null,
    async predict(windows, weights) {
      const n = windowCount(windows);
      if (n === 0) return new Float32Array(0);
      const name = windows === p.windows.val ? 'val' : windows === p.windows.test ? 'test' : 'other';
      if (uploaded.get(name) !== windows) {
        trainer.uploadEval(name, cutBatch(p, windows, null, 0, n).x);
        uploaded.set(name, windows);
      }
      if (weights) await trainer.setWeights(weights);
      return trainer.predictEval(name);
    },
    dispose: () => trainer.dispose(),
  };
}
