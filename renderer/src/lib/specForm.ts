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

const HEAD_FIELD = 'model.head.layers';

export function validateForm(form: SpecForm): Validation {
  const input = formToInput(form);
  const errors: Record<string, string> = {};
  if (form.target.length === 0) errors.target = 'choose at least one target column';
  const parsed = RunSpecSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      let path = issue.path.map(String).join('.');
      // Head layers are typed as one text field: report any element there.
      if (path.startsWith(HEAD_FIELD)) path = HEAD_FIELD;
      if (path === 'target' && errors.target) continue;
      errors[path] ??= friendly(issue.message);
    }
  }
  return { spec: parsed.success && Object.keys(errors).length === 0 ? parsed.data : null, input, errors };
}

/** zod's messages, phrased for a form ("expected number, received null" → "required"). */
function friendly(message: string): string {
  if (/received (null|NaN|nan)/i.test(message)) return 'enter a number';
  return message.replace(/^Invalid input: /, '').replace(/^Too (small|big): /, '');
}

export type PresetName = 'quick' | 'standard' | 'deep';

const STD = RunSpecSchema.parse({ target: 'x' });

interface PresetValues {
  model: Partial<Pick<SpecForm['model'], 'cell' | 'layers' | 'bidirectional'>>;
  /** null: auto */
  lookback: Num;
  train: Pick<SpecForm['train'], 'epochs' | 'batchSize' | 'learningRate' | 'patience'>;
}

/** A preset sets only the fields it names; everything else on the form stays as the user left it. */
function preset(
  label: string,
  hint: string,
  v: PresetValues,
): { label: string; hint: string; apply(f: SpecForm): void } {
  return {
    label,
    hint,
    apply(f) {
      Object.assign(f.model, {
        ...v.model,
        ...(v.model.layers ? { layers: v.model.layers.map((l) => ({ ...l })) } : {}),
      });
      f.window.lookback = v.lookback;
      Object.assign(f.train, v.train);
    },
  };
}

export const PRESETS: Record<PresetName, { label: string; hint: string; apply(f: SpecForm): void }> = {
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
