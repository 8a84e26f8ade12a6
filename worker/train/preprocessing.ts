// What a checkpoint records about the data preparation, so that an exported model (worker/export)
// can prepare new data the same way without the dataset.
import type { RunSpec } from '../../core/contract.js';
import type { Prepared } from '../data/prepare.js';
import type { ShrinkRecord } from '../data/shrink.js';

export interface Preprocessing {
  version: 1;
  task: RunSpec['task'];
  features: string[];
  targets: string[];
  outputs: string[];
  classes: string[] | null;
  lookback: number;
  horizon: number;
  scalers: Prepared['scalers'];
  seasonLength: number;
  /** How the season was found. */
  seasonHow?: string;
  /**
   * Forecast, per target (absent in version-1 files from before transforms: no transform, global):
   * the transform and normalisation, the window scale and the reason for the choice. The scaler of
   * a target (and of the feature that is that target) applies to the transformed values.
   */
  targetPrep?: Prepared['targetPrep'];
  /**
   * Forecast: the shrinkage toward the base fitted on the validation split for this checkpoint's
   * weights (worker/data/shrink.ts); absent: none (α = 1).
   */
  shrink?: ShrinkRecord;
  timeColumn: string | null;
  seriesColumn: string | null;
  /**
   * An ensemble run (`normalize: ensemble`): the forecast is the weighted mean, in original units,
   * of this network's and each member's forecast (weights ∝ 1 / validation MAE), every member with its own preprocessing (scaling,
   * normalisation, shrinkage) applied to the same raw window. `model`: the member's model JSON in
   * a TF.js export (absent in an ONNX export, whose graph holds every member).
   */
  ensemble?: {
    combine: 'weighted-mean';
    /** This network's share; each member has its own, and they sum to 1. */
    weight: number;
    members: { normalize: string; epoch: number; weight: number; model?: string; preprocessing: Preprocessing }[];
  };
}

export function preprocessingOf(
  p: Prepared,
  ds: { timeColumn: string | null; seriesColumn: string | null },
): Preprocessing {
  return {
    version: 1,
    task: p.task,
    features: p.features,
    targets: p.targets,
    outputs: p.outputs,
    classes: p.classes,
    lookback: p.lookback,
    horizon: p.horizon,
    scalers: p.scalers,
    seasonLength: p.seasonLength,
    seasonHow: p.seasonHow,
    targetPrep: p.targetPrep,
    timeColumn: ds.timeColumn,
    seriesColumn: ds.seriesColumn,
  };
}
