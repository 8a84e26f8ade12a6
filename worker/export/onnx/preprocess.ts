// The data preparation inside the ONNX graph, as two step lists around the network: `input` steps
// turn the raw window [batch, rows, features] into model inputs [batch, lookback, features],
// `output` steps turn the network's outputs [batch, outputs] into forecasts in the target's units.
// Each step reads one value and returns the next; steps share values through `ctx.saved` (the
// window's level, the last transformed value) so the output side can undo what the input side did.
//
// Per target that is also a feature, the forecast-quality fields of preprocessing.json
// (`targetPrep`: transform none/log/diff/logdiff/boxcox, normalisation global/window and the window
// scale) map to: pointwise transform (Log, Box-Cox) → differencing (the window then has lookback + 1
// rows: the first is only differenced against) → scaling → window normalisation (minus the last
// step's scaled value, over the window scale; `season` normalises the inputs the same way); and
// back: times the window scale plus the level (for `season` plus last season's change before each
// step, season.ts) → unscaling → cumulative sum from the last transformed value (differenced) → Exp / inverse Box-Cox.
// Every column op is masked per feature (Where with a constant condition), so targets with
// different transforms and plain features share one graph.
import { ServiceError } from '../../../core/contract.js';
import type { Preprocessing } from '../../train/trainer.js';
import type { TargetPrep } from '../../data/target-prep.js';
import type { Graph } from './graph.js';
import { seasonChange, weighted, windowedMode } from './season.js';

/** The per-target forecast-quality fields of preprocessing.json that the graph applies. */
export type TargetPrepFields = Pick<
  TargetPrep,
  'transform' | 'normalize' | 'windowScale' | 'season' | 'seasons' | 'reference' | 'linear'
>;

export interface StepContext {
  prep: Preprocessing;
  /** Values kept for later steps: `transformed` [batch, rows, F], `scaled` [batch, lookback, F], `level` [batch, F]. */
  saved: Record<string, string>;
}

export type Step = (g: Graph, value: string, ctx: StepContext) => string;

export interface Steps {
  input: Step[];
  output: Step[];
  /** Rows of the raw input window: lookback, or lookback + 1 when a target is differenced. */
  rows: number;
  /** One line per step, for the sidecar and the model's doc string. */
  described: string[];
}

const NONE: TargetPrepFields = { transform: { kind: 'none' }, normalize: 'global', windowScale: 1 };

/** Each feature's target preparation (plain features: none). */
export function featurePreps(prep: Preprocessing): TargetPrepFields[] {
  const tp: TargetPrepFields[] = prep.targetPrep ?? [];
  return prep.features.map((f) => {
    const k = prep.targets.indexOf(f);
    return prep.task === 'forecast' && k >= 0 ? (tp[k] ?? NONE) : NONE;
  });
}

const differenced = (p: TargetPrepFields) => p.transform.kind === 'diff' || p.transform.kind === 'logdiff';
const logged = (p: TargetPrepFields) =>
  p.transform.kind === 'log' ||
  p.transform.kind === 'logdiff' ||
  (p.transform.kind === 'boxcox' && !p.transform.lambda);
const boxcox = (p: TargetPrepFields) => p.transform.kind === 'boxcox' && !!p.transform.lambda;

/** Where(mask, f(x), x) per feature column; skipped when no column is masked. */
function masked(g: Graph, x: string, mask: boolean[], stem: string, f: (v: string) => string): string {
  if (!mask.some(Boolean)) return x;
  return g.op('Where', [g.bools(`${stem}_mask`, mask), f(x), x], stem);
}

/** Rows index `from` onwards along axis 1 (to the end). */
const sliceRows = (g: Graph, x: string, from: number, to: number, stem: string) =>
  g.op('Slice', [x, g.ints(`${stem}_starts`, [from]), g.ints(`${stem}_ends`, [to]), g.ints(`${stem}_axes`, [1])], stem);

/** Pointwise transform, differencing, scaling, window normalisation. */
function inputSteps(prep: Preprocessing, fp: TargetPrepFields[], rows: number): Step[] {
  const lambdas = fp.map((p) => p.transform.lambda ?? 1);
  const pointwise: Step = (g, x, ctx) => {
    const logs = masked(g, x, fp.map(logged), 'log', (v) => g.op('Log', [v], 'log_all'));
    const y = masked(g, logs, fp.map(boxcox), 'boxcox', (v) => {
      const lam = g.floats('boxcox_lambda', [lambdas.length], lambdas);
      return g.op(
        'Div',
        [g.op('Sub', [g.op('Pow', [v, lam], 'pow'), g.floats('one', [1], [1])], 'pow_1'), lam],
        'boxcox_all',
      );
    });
    ctx.saved.transformed = y;
    return y;
  };
  const difference: Step = (g, x) => {
    if (rows === prep.lookback) return x;
    const tail = sliceRows(g, x, 1, rows, 'rows_tail'); // the last `lookback` rows
    return masked(g, tail, fp.map(differenced), 'diff', () =>
      g.op('Sub', [tail, sliceRows(g, x, 0, rows - 1, 'rows_head')], 'diff_all'),
    );
  };
  const scaleInputs: Step = (g, x, ctx) => {
    const offsets = prep.features.map((f) => prep.scalers[f]!.offset);
    const scales = prep.features.map((f) => prep.scalers[f]!.scale);
    const centred = g.op('Sub', [x, g.floats('feature_offset', [offsets.length], offsets)], 'centred');
    const scaled = g.op('Div', [centred, g.floats('feature_scale', [scales.length], scales)], 'scaled');
    ctx.saved.scaled = scaled;
    if (!fp.some((p) => windowedMode(p.normalize))) return scaled;
    const last = sliceRows(g, scaled, prep.lookback - 1, prep.lookback, 'last_scaled'); // [batch, 1, F]
    ctx.saved.level = g.op('Squeeze', [last, g.ints('level_axis', [1])], 'level');
    return scaled;
  };
  const normalise: Step = (g, x, ctx) => {
    const win = fp.map((p) => windowedMode(p.normalize));
    if (!win.some(Boolean)) return x;
    const level = g.op('Unsqueeze', [ctx.saved.level!, g.ints('level_axis_back', [1])], 'level_row');
    const scales = fp.map((p) => (windowedMode(p.normalize) ? p.windowScale : 1));
    return masked(g, x, win, 'normalised', (v) =>
      g.op(
        'Div',
        [g.op('Sub', [v, level], 'relative'), g.floats('window_scale', [scales.length], scales)],
        'normalised_all',
      ),
    );
  };
  return [pointwise, difference, scaleInputs, normalise];
}

/** Output o belongs to target floor(o / horizon), which is feature `featureOf[o]` (or none: -1). */
function outputSteps(prep: Preprocessing, fp: TargetPrepFields[], rows: number): Step[] {
  const H = prep.horizon;
  const targetOf = prep.outputs.map((_, o) => prep.targets[Math.floor(o / H)]!);
  const featureOf = targetOf.map((t) => prep.features.indexOf(t));
  const op = featureOf.map((j) => (j >= 0 ? fp[j]! : NONE));
  const perFeature = (g: Graph, v: string, stem: string) =>
    g.op(
      'Gather',
      [
        v,
        g.ints(
          `${stem}_index`,
          featureOf.map((j) => Math.max(j, 0)),
        ),
      ],
      stem,
      { axis: 1 },
    );
  const season = op.map((p, o) => ({
    feature: featureOf[o]!,
    step: (o % H) + 1,
    season: p.normalize === 'season' ? (p.season ?? 0) : 0,
    seasons: p.seasons ?? 1,
    ...(p.reference ? { reference: p.reference } : {}),
    ...(windowedMode(p.normalize) && p.linear ? { linear: p.linear } : {}),
  }));
  const denormalise: Step = (g, y, ctx) => {
    const win = op.map((p) => windowedMode(p.normalize));
    return masked(g, y, win, 'denormalised', (v) => {
      const stretched = g.op(
        'Mul',
        [
          v,
          g.floats(
            'output_window_scale',
            [op.length],
            op.map((p) => p.windowScale),
          ),
        ],
        'stretched_window',
      );
      const level = perFeature(g, ctx.saved.level!, 'output_level');
      const base = season.some(weighted)
        ? g.op(
            'Add',
            [level, seasonChange(g, ctx.saved.scaled!, prep.lookback, prep.features.length, season)],
            'season_level',
          )
        : level;
      return g.op('Add', [stretched, base], 'denormalised_all');
    });
  };
  const unscale: Step = (g, y) => {
    const scales = targetOf.map((t) => prep.scalers[t]!.scale);
    const offsets = targetOf.map((t) => prep.scalers[t]!.offset);
    const stretched = g.op('Mul', [y, g.floats('target_scale', [scales.length], scales)], 'stretched');
    return g.op('Add', [stretched, g.floats('target_offset', [offsets.length], offsets)], 'unscaled');
  };
  const integrate: Step = (g, z, ctx) =>
    masked(g, z, op.map(differenced), 'integrated', (v) => {
      const T = prep.targets.length;
      const steps = g.op('Reshape', [v, g.ints('per_target', [0, T, H])], 'per_target_steps');
      const summed = g.op('CumSum', [steps, g.ints('horizon_axis', [2])], 'cumsum');
      const flat = g.op('Reshape', [summed, g.ints('flat_outputs', [0, T * H])], 'cumsum_flat');
      const lastRow = g.op(
        'Squeeze',
        [sliceRows(g, ctx.saved.transformed!, rows - 1, rows, 'last_transformed_row'), g.ints('last_axis', [1])],
        'last_transformed',
      );
      return g.op('Add', [flat, perFeature(g, lastRow, 'output_last')], 'integrated_all');
    });
  const inverse: Step = (g, z) => {
    const exp = masked(g, z, op.map(logged), 'exp', (v) => g.op('Exp', [v], 'exp_all'));
    return masked(g, exp, op.map(boxcox), 'inv_boxcox', (v) => {
      const lam = op.map((p) => p.transform.lambda ?? 1);
      const base = g.op(
        'Add',
        [g.op('Mul', [v, g.floats('out_lambda', [lam.length], lam)], 'lambda_z'), g.floats('out_one', [1], [1])],
        'lambda_z_1',
      );
      return g.op(
        'Pow',
        [
          base,
          g.floats(
            'out_inv_lambda',
            [lam.length],
            lam.map((l) => 1 / l),
          ),
        ],
        'inv_boxcox_all',
      );
    });
  };
  return [denormalise, unscale, integrate, inverse];
}

export function stepsFor(prep: Preprocessing): Steps {
  const fp = featurePreps(prep);
  const unseasoned = fp.find((p) => p.normalize === 'season' && !(p.season! > 0 && p.season! < prep.lookback));
  if (unseasoned) {
    throw new ServiceError(
      'bad_input',
      `ONNX export: season normalisation needs a season shorter than the lookback ${prep.lookback} (preprocessing.json has ${unseasoned.season ?? 'none'}); export with --format tfjs`,
      'format',
    );
  }
  const rows = prep.lookback + (fp.some(differenced) ? 1 : 0);
  const described = [`input: ${rows} rows of raw values per window, columns ${prep.features.join(', ')}`];
  fp.forEach((p, j) => {
    if (p === NONE) return;
    described.push(
      `input: ${prep.features[j]}: transform ${p.transform.kind}${p.transform.lambda ? ` (lambda ${p.transform.lambda})` : ''}, normalisation ${p.normalize}${p.normalize === 'season' ? ` (season ${p.season})` : ''}`,
    );
  });
  described.push('input: per feature: (x - offset) / scale');
  const input = inputSteps(prep, fp, rows);
  if (prep.task === 'classify')
    return {
      input,
      output: [],
      rows,
      described: [...described, 'output: class probabilities (softmax), in the order of `classes`'],
    };
  described.push(
    `output: per target and step (${prep.outputs.join(', ')}): undo the window normalisation (season: plus last season's change), y · scale + offset, undo the transform: forecasts in the target's units`,
  );
  return { input, output: outputSteps(prep, fp, rows), rows, described };
}
