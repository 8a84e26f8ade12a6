// One epoch of training, whichever device runs it. The trainer (trainer.ts) owns everything around
// an epoch (shuffling, validation, the commit, early stopping); an EpochRunner only turns a sample
// order into weight updates and reports back through hooks. Two implementations: cpu-epochs.ts
// (TF.js trainOnBatch, a batch at a time) and gpu-epochs.ts (the WebGPU trainer, a whole epoch per
// submit).
//
// Interruptions are a value, not an exception: `hooks.yieldPoint()` says why to stop now, and the
// runner returns what it did so far with that reason and the batches it completed, so the trainer
// can tell a partial epoch from a complete one (the trainer discards a partial epoch). The reasons:
// a stop request, and a lost host (its IPC channel closed: the host was killed).
import type { WeightSpec } from './checkpoint.js';

/** Why an epoch ended before its last batch: a stop request, or the host process is gone. */
export type StopReason = 'stop-requested' | 'host-lost';

export interface EpochPlan {
  /** 1-based */
  epoch: number;
  /** window indices, shuffled; the runner uses the first min(length, batches × batchSize) */
  order: Int32Array;
  batches: number;
  batchSize: number;
}

export interface EpochResult {
  /** mean training loss over the samples seen */
  loss: number;
  /** samples trained on */
  seen: number;
  /** optimizer steps taken (batches completed) */
  steps: number;
  /** null when the epoch ran all its batches; else why it ended early (the epoch is partial when steps < batches) */
  interrupted: StopReason | null;
}

export interface EpochHooks {
  /** Training progress inside the epoch; `final` for the last report of the epoch (never throttled). */
  progress(p: { batch: number; loss: number; seen: number }, final: boolean): void;
  /** After each unit of work (a batch, or the whole epoch on the GPU): heartbeat, let messages in, say whether to stop. */
  yieldPoint(): Promise<StopReason | null>;
}

/** Optimizer state as the checkpoint stores it. */
export interface OptimizerSnapshot {
  specs: WeightSpec[];
  data: Buffer;
}

export interface EpochRunner {
  run(plan: EpochPlan, hooks: EpochHooks): Promise<EpochResult>;
  /** Brings the TF.js model up to date after an epoch (it evaluates and checkpoints). */
  syncModel(): Promise<void>;
  /** null when the runner keeps no optimizer state the checkpoint could restore (the GPU's Adam moments). */
  optimizerState(): Promise<OptimizerSnapshot | null>;
  /**
   * The network's outputs [n, outputs] for a split's windows (p.windows.val or .test) on the
   * runner's own device, with the weights it trains, or with `weights` (model.getWeights() order)
   * once training is over: they replace the trained ones. Absent: the trainer evaluates the TF.js
   * model (the CPU paths, whose fused forward is already the fastest there).
   */
  predict?(windows: Int32Array, weights?: Float32Array[]): Promise<Float32Array>;
  dispose(): void;
}
