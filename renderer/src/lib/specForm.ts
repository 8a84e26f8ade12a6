// The run designer's form model: every RunSpec field as an editable value, converted to the spec
// the user would write and validated by the same zod schema the host uses, so the inline
// messages name the same fields (`window.lookback`, `model.layers.0.units`, ...).
import {
  RunSpecSchema,
  type Cell,
  type HeadActivation,
  type Impl,
  type Loss,
  type MissingPolicy,
  type NormalizeChoice,
  type Optimizer,
  type RunSpec,
  type RunSpecInput,
  type Scaling,
  type Task,
  type TransformChoice,
} from '../../../core/contract.js';
import { HEAD_FIELD, issueMessage } from './specMessages.js';

type Num = number | null;

export interface LayerForm {
  units: Num;
  dropout: Num;
}

export interface SpecForm {
  task: Task;
  target: string[];
  /** Empty: the default (the targets for forecast, every numeric column for classify). */
  features: string[];
  /** '' = the dataset's time column. */
  time: string;
  /** '' = the dataset's series column; NO_SERIES = treat as one series. */
  series: string;
  /** lookback null (an empty field) = `auto`: from the season and the data size when the run starts. */
  window: { lookback: Num; horizon: Num; stride: Num };
  split: { train: Num; val: Num; test: Num };
  scaling: Scaling;
  missing: MissingPolicy;
  transform: TransformChoice;
  normalize: NormalizeChoice;
  shrink: RunSpec['shrink'];
  linearReference: RunSpec['linearReference'];
  combine: RunSpec['combine'];
  seasonLength: Num;
  model: {
    cell: Cell;
    layers: LayerForm[];
    bidirectional: boolean;
    /** Hidden dense layer sizes as typed: "32, 16". */
    headLayers: string;
    headActivation: HeadActivation;
    impl: Impl;
  };
  train: {
    epochs: Num;
    batchSize: Num;
    optimizer: Optimizer;
    learningRate: Num;
    loss: Loss;
    patience: Num;
    seed: Num;
    maxBatchesPerEpoch: Num;
  };
}

export const NO_SERIES = '(none)';

/** The form filled from a spec (a stored run's spec or the schema defaults). */
export function formFromSpec(spec: RunSpec): SpecForm {
  return {
    task: spec.task,
    target: [...spec.target],
    features: [...(spec.features ?? [])],
    time: spec.time ?? '',
    series: spec.series === null ? NO_SERIES : (spec.series ?? ''),
    window: { ...spec.window, lookback: spec.window.lookback === 'auto' ? null : spec.window.lookback },
    split: { ...spec.split },
    scaling: spec.scaling,
    missing: spec.missing,
    transform: spec.transform,
    normalize: spec.normalize,
    shrink: spec.shrink,
    linearReference: spec.linearReference,
    combine: spec.combine,
    seasonLength: spec.seasonLength ?? null,
    model: {
      cell: spec.model.cell,
      layers: spec.model.layers.map((l) => ({ units: l.units, dropout: l.dropout })),
      bidirectional: spec.model.bidirectional,
      headLayers: spec.model.head.layers.join(', '),
      headActivation: spec.model.head.activation,
      impl: spec.model.impl,
    },
    train: { ...spec.train },
  };
}

/** Defaults of the schema for a target (the target may be empty until the user picks one). */
export function defaultForm(target: string[] = []): SpecForm {
  const spec = RunSpecSchema.parse({ target: 'x' });
  return { ...formFromSpec(spec), target };
}

/** A spec input (from a clone or a file) as a form; unknown shapes fall back to the defaults. */
export function formFromInput(input: RunSpecInput | unknown): SpecForm {
  const parsed = RunSpecSchema.safeParse(input);
  if (parsed.success) return formFromSpec(parsed.data);
  const target = (input as { target?: unknown })?.target;
  return defaultForm(Array.isArray(target) ? target.map(String) : typeof target === 'string' ? [target] : []);
}

function parseNumberList(text: string): number[] {
  return text
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((t) => (/^-?\d+(\.\d+)?$/.test(t) ? Number(t) : Number.NaN));
}

/** What the user would write by hand: optional fields left out when they mean "default". */
export function formToInput(form: SpecForm): Record<string, unknown> {
  const out: Record<string, unknown> = {
    task: form.task,
    target: form.target.length === 1 ? form.target[0] : [...form.target],
  };
  if (form.features.length > 0) out.features = [...form.features];
  if (form.time) out.time = form.time;
  if (form.series === NO_SERIES) out.series = null;
  else if (form.series) out.series = form.series;
  const lookback = form.window.lookback as unknown;
  out.window = { ...form.window, lookback: lookback === null || lookback === '' ? 'auto' : lookback };
  out.split = { ...form.split };
  out.scaling = form.scaling;
  out.missing = form.missing;
  out.transform = form.transform;
  out.normalize = form.normalize;
  out.shrink = form.shrink;
  out.linearReference = form.linearReference;
  out.combine = form.combine;
  if (form.seasonLength !== null && (form.seasonLength as unknown) !== '') out.seasonLength = form.seasonLength;
  out.model = {
    cell: form.model.cell,
    layers: form.model.layers.map((l) => ({ units: l.units, dropout: l.dropout })),
    bidirectional: form.model.bidirectional,
    head: { layers: parseNumberList(form.model.headLayers), activation: form.model.headActivation },
    impl: form.model.impl,
  };
  out.train = { ...form.train };
  return out;
}

export interface Validation {
  spec: RunSpec | null;
  input: Record<string, unknown>;
  /** Message per dotted field path; '' holds errors without a path. */
  errors: Record<string, string>;
}

export function validateForm(form: SpecForm): Validation {
  const input = formToInput(form);
  const errors: Record<string, string> = {};
  if (form.target.length === 0) errors.target = 'Choose at least one target column.';
  const parsed = RunSpecSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      let path = issue.path.map(String).join('.');
      // Head layers are typed as one text field: report any element there.
      if (path.startsWith(HEAD_FIELD)) path = HEAD_FIELD;
      if (path === 'target' && errors.target) continue;
      errors[path] ??= issueMessage(path, issue);
    }
  }
  return { spec: parsed.success && Object.keys(errors).length === 0 ? parsed.data : null, input, errors };
}

/** The columns of a dataset the form offers (the fields ColumnsFields.svelte draws from). */
export interface FormColumns {
  columns: readonly { name: string; kind: string }[];
  seriesColumn: string | null;
}

/**
 * The form made to fit another dataset: targets, features, time and series columns the dataset
 * does not offer are dropped (a hidden column would stay in the spec and the form could not remove
 * it); with no target left, the first numeric column is the target. Returns the names dropped.
 */
export function fitFormToDataset(form: SpecForm, ds: FormColumns): string[] {
  const kinds = new Map(ds.columns.map((c) => [c.name, c.kind]));
  const targetOk = (c: string) =>
    form.task === 'classify' ? kinds.has(c) && kinds.get(c) !== 'datetime' : kinds.get(c) === 'numeric';
  const dropped: string[] = [];
  const keep = (list: string[], ok: (c: string) => boolean) => list.filter((c) => ok(c) || (dropped.push(c), false));
  form.target = keep(form.target, targetOk);
  form.features = keep(form.features, (c) => kinds.get(c) === 'numeric');
  if (form.time && !['numeric', 'datetime'].includes(kinds.get(form.time) ?? '')) {
    dropped.push(form.time);
    form.time = '';
  }
  if (form.series && form.series !== NO_SERIES && kinds.get(form.series) !== 'categorical') {
    dropped.push(form.series);
    form.series = '';
  }
  if (form.target.length === 0) {
    const first = ds.columns.find((c) => c.kind === 'numeric' && c.name !== ds.seriesColumn);
    if (first) form.target = [first.name];
  }
  return dropped;
}

export type PresetName = 'quick' | 'standard' | 'deep';

const STD = RunSpecSchema.parse({ target: 'x' });

interface PresetValues {
  model: Pick<SpecForm['model'], 'cell' | 'layers'> & Partial<Pick<SpecForm['model'], 'bidirectional'>>;
  /** null: auto */
  lookback: Num;
  train: Pick<SpecForm['train'], 'epochs' | 'batchSize' | 'learningRate' | 'patience'>;
}

export interface Preset {
  label: string;
  hint: string;
  /** Sets the preset's fields and returns what changed ("Cell: GRU → LSTM"), [] when nothing did. */
  apply(f: SpecForm): string[];
}

/** What a preset leaves alone: the data side of the form and the reproducibility knobs. */
export const PRESET_KEEPS = 'columns, horizon, stride, split, scaling, seed and batch limit stay as they are';

const layersText = (ls: readonly LayerForm[]) =>
  ls.map((l) => `${l.units ?? '?'}${l.dropout ? ` (dropout ${l.dropout})` : ''}`).join(' + ');

/**
 * A preset sets the whole model and training recipe (the schema's defaults where it names no
 * value), so nothing of an earlier preset carries over unseen; the data side stays (PRESET_KEEPS).
 */
function preset(label: string, hint: string, v: PresetValues): Preset {
  return {
    label,
    hint,
    apply(f) {
      const after = {
        model: {
          ...f.model,
          cell: v.model.cell,
          layers: v.model.layers.map((l) => ({ ...l })),
          bidirectional: v.model.bidirectional ?? STD.model.bidirectional,
          headLayers: STD.model.head.layers.join(', '),
          headActivation: STD.model.head.activation,
        },
        window: { ...f.window, lookback: v.lookback },
        train: { ...f.train, ...v.train, optimizer: STD.train.optimizer, loss: STD.train.loss },
      };
      const changes = PRESET_FIELDS.flatMap(([name, get]) => {
        const [from, to] = [String(get(f) || '—'), String(get(after) || '—')];
        return from === to ? [] : [`${name} ${from} → ${to}`];
      });
      Object.assign(f.model, after.model);
      f.window.lookback = after.window.lookback;
      Object.assign(f.train, after.train);
      return changes;
    },
  };
}

type PresetPart = Pick<SpecForm, 'model' | 'window' | 'train'>;

/** The fields a preset sets, as the change summary names them. */
const PRESET_FIELDS: [string, (f: PresetPart) => unknown][] = [
  ['cell', (f) => f.model.cell.toUpperCase()],
  ['layers', (f) => layersText(f.model.layers)],
  ['bidirectional', (f) => (f.model.bidirectional ? 'yes' : 'no')],
  ['head layers', (f) => f.model.headLayers],
  ['head activation', (f) => f.model.headActivation],
  ['lookback', (f) => f.window.lookback ?? 'auto'],
  ['epochs', (f) => f.train.epochs],
  ['batch size', (f) => f.train.batchSize],
  ['learning rate', (f) => f.train.learningRate],
  ['patience', (f) => f.train.patience],
  ['optimizer', (f) => f.train.optimizer],
  ['loss', (f) => f.train.loss],
];

export const PRESETS: Record<PresetName, Preset> = {
  quick: preset('Quick', '1 × 16 GRU units, 5 epochs: a smoke test in seconds', {
    model: { cell: 'gru', layers: [{ units: 16, dropout: 0 }], bidirectional: false },
    lookback: 24,
    train: { epochs: 5, batchSize: 64, learningRate: 0.003, patience: 3 },
  }),
  // The schema's own defaults (chosen on the forecast benchmark battery, docs/benchmarks.md).
  standard: preset(
    'Standard',
    `the defaults: 1 × ${STD.model.layers[0]?.units} ${STD.model.cell.toUpperCase()} units, ${STD.train.epochs} epochs, early stopping after ${STD.train.patience}`,
    {
      model: {
        cell: STD.model.cell,
        layers: STD.model.layers.map((l) => ({ ...l })),
        bidirectional: STD.model.bidirectional,
      },
      lookback: STD.window.lookback === 'auto' ? null : STD.window.lookback,
      train: {
        epochs: STD.train.epochs,
        batchSize: STD.train.batchSize,
        learningRate: STD.train.learningRate,
        patience: STD.train.patience,
      },
    },
  ),
  deep: preset('Deep', '2 × 128 LSTM units with dropout, 150 epochs, lookback 48', {
    model: {
      cell: 'lstm',
      layers: [
        { units: 128, dropout: 0.2 },
        { units: 128, dropout: 0.2 },
      ],
    },
    lookback: 48,
    train: { epochs: 150, batchSize: 128, learningRate: 0.001, patience: 15 },
  }),
};

/** Maps a host error field (`spec.window.lookback`) onto a form field (`window.lookback`). */
export function hostFieldToForm(field: string | undefined): string {
  if (!field) return '';
  return field.replace(/^spec\./, '');
}
