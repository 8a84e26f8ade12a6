// "Sweep this": the designer's spec turned into a study. Numeric fields become ranges (min, max,
// log), choice fields become lists; the rows the user ticked make the search space. Pure, so the
// form (components/study/SweepForm.svelte) stays a view and the rules are unit-tested.
import type { Args, RunSpec, SearchSpace, Strategy } from '../../../core/contract.js';
import { CELLS, LOSSES, NORMALIZE_MODES, OPTIMIZERS, SCALINGS, TRANSFORMS } from '../../../core/spec.js';

export interface RangeRow {
  kind: 'range';
  path: string;
  label: string;
  int: boolean;
  on: boolean;
  min: number;
  max: number;
  log: boolean;
}
export interface ChoiceRow {
  kind: 'choice';
  path: string;
  label: string;
  options: readonly string[];
  on: boolean;
  chosen: string[];
}
export type SweepRow = RangeRow | ChoiceRow;

const NUMERIC: {
  path: string;
  label: string;
  int: boolean;
  log: boolean;
  lo: (v: number) => number;
  hi: (v: number) => number;
  /** The value to centre the range on when the spec says `auto` (resolved only when a run starts). */
  auto?: number;
}[] = [
  { path: 'train.learningRate', label: 'Learning rate', int: false, log: true, lo: (v) => v / 10, hi: (v) => v * 10 },
  {
    path: 'model.layers.*.units',
    label: 'Units (every layer)',
    int: true,
    log: true,
    lo: (v) => Math.max(1, Math.round(v / 4)),
    hi: (v) => v * 2,
  },
  { path: 'model.layers.0.dropout', label: 'Dropout (layer 1)', int: false, log: false, lo: () => 0, hi: () => 0.5 },
  {
    path: 'window.lookback',
    label: 'Lookback',
    int: true,
    log: false,
    auto: 24,
    lo: (v) => Math.max(1, Math.round(v / 2)),
    hi: (v) => v * 2,
  },
  {
    path: 'train.batchSize',
    label: 'Batch size',
    int: true,
    log: true,
    lo: (v) => Math.max(1, Math.round(v / 2)),
    hi: (v) => v * 4,
  },
];

const CHOICES: { path: string; label: string; options: readonly string[] }[] = [
  { path: 'model.cell', label: 'Cell', options: CELLS },
  { path: 'train.optimizer', label: 'Optimizer', options: OPTIMIZERS },
  { path: 'train.loss', label: 'Loss', options: LOSSES },
  { path: 'scaling', label: 'Scaling', options: SCALINGS },
  { path: 'transform', label: 'Transform', options: TRANSFORMS },
  { path: 'normalize', label: 'Normalize', options: NORMALIZE_MODES },
];

function specValue(spec: RunSpec, path: string): unknown {
  let node: unknown = spec;
  for (const part of path.replace('.*.', '.0.').split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** The rows the form offers for a spec: ranges around its numbers, lists of the choice fields (only fields the spec has). */
export function sweepRows(spec: RunSpec): SweepRow[] {
  const rows: SweepRow[] = [];
  for (const n of NUMERIC) {
    const given = specValue(spec, n.path);
    const v = given === 'auto' ? n.auto : given;
    if (typeof v !== 'number') continue;
    rows.push({
      kind: 'range',
      path: n.path,
      label: n.label,
      int: n.int,
      on: false,
      min: n.lo(v),
      max: n.hi(v),
      log: n.log,
    });
  }
  for (const c of CHOICES) {
    const v = specValue(spec, c.path);
    if (typeof v !== 'string') continue;
    rows.push({ kind: 'choice', path: c.path, label: c.label, options: c.options, on: false, chosen: [...c.options] });
  }
  return rows;
}

export interface SweepOptions {
  name: string;
  strategy: Strategy;
  trials: number;
  seeds: number;
  prune: boolean;
  /** Epochs before the first ASHA rung. */
  minEpochs: number;
}

export type SweepResult = { ok: true; args: Args<'studies.create'> } | { ok: false; field: string; message: string };

/** The studies.create arguments for the ticked rows, or the first thing wrong with them. */
export function buildStudy(datasetId: number, base: unknown, rows: readonly SweepRow[], o: SweepOptions): SweepResult {
  const space: SearchSpace = {};
  for (const r of rows) {
    if (!r.on) continue;
    if (r.kind === 'choice') {
      if (r.chosen.length === 0) return { ok: false, field: r.path, message: `${r.label}: pick at least one value` };
      space[r.path] = [...r.chosen];
      continue;
    }
    if (!Number.isFinite(r.min) || !Number.isFinite(r.max) || r.min >= r.max)
      return { ok: false, field: r.path, message: `${r.label}: min must be below max` };
    if (r.int && (!Number.isInteger(r.min) || !Number.isInteger(r.max)))
      return { ok: false, field: r.path, message: `${r.label}: whole numbers only` };
    if (r.log && r.min <= 0) return { ok: false, field: r.path, message: `${r.label}: a log range must start above 0` };
    space[r.path] = r.int ? { int: [r.min, r.max], log: r.log } : { float: [r.min, r.max], log: r.log };
  }
  if (Object.keys(space).length === 0)
    return { ok: false, field: 'space', message: 'tick at least one field to sweep' };
  if (!Number.isInteger(o.trials) || o.trials < 1)
    return { ok: false, field: 'trials', message: 'trials: a whole number ≥ 1' };
  if (!Number.isInteger(o.seeds) || o.seeds < 1)
    return { ok: false, field: 'seeds', message: 'seeds: a whole number ≥ 1' };
  if (o.prune && (!Number.isInteger(o.minEpochs) || o.minEpochs < 1))
    return { ok: false, field: 'minEpochs', message: 'first rung: a whole number of epochs ≥ 1' };
  return {
    ok: true,
    args: {
      datasetId,
      ...(o.name.trim() ? { name: o.name.trim() } : {}),
      base: base as Record<string, unknown>,
      space,
      strategy: o.strategy,
      trials: o.trials,
      seeds: o.seeds,
      prune: o.prune ? { kind: 'asha', minEpochs: o.minEpochs, reduction: 3 } : { kind: 'none' },
    },
  };
}
