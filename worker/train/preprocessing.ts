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
  /**
   * Written by an export of a run with spec combine: ets (never stored in a checkpoint): the run's
   * forecast is the mean of this file's network and an ETS fitted on each series' history before
   * the origin, which the file does not hold (docs/export.md, "Runs that combine with ETS").
   */
  combineWith?: { forecaster: 'ets'; weight: 0.5; fit: string };
}

/** The `combineWith` block of an export of a run with spec combine: ets; absent otherwise. */
export function combineBlock(spec: Pick<RunSpec, 'combine'>): Pick<Preprocessing, 'combineWith'> {
  if (spec.combine !== 'ets') return {};
  return {
    combineWith: {
      forecaster: 'ets',
      weight: 0.5,
      fit: 'additive or multiplicative ETS chosen by AICc (season: seasonLength), fitted on at most the 600 last rows of the series before the forecast origin; the forecast is 0.5 × the network + 0.5 × ETS for every output step',
    },
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
