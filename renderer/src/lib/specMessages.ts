// The designer's messages: a zod issue on a RunSpec field as a sentence that names the field the
// way the form labels it ("Lookback must be at least 1."), never zod's "expected number to be >=1".

/** The one text field that holds the head's layer sizes ("32, 16"). */
export const HEAD_FIELD = 'model.head.layers';

/** The form's own words for each field, as its labels say them. */
const FIELD_LABELS: Record<string, string> = {
  task: 'Task',
  target: 'Target',
  features: 'Features',
  time: 'Time column',
  series: 'Series id column',
  'window.lookback': 'Lookback',
  'window.horizon': 'Horizon',
  'window.stride': 'Stride',
  seasonLength: 'Season length',
  split: 'The split',
  'split.train': 'Train share',
  'split.val': 'Validation share',
  'split.test': 'Test share',
  'model.layers': 'The model',
  [HEAD_FIELD]: 'Head layers',
  'train.epochs': 'Epochs',
  'train.batchSize': 'Batch size',
  'train.learningRate': 'Learning rate',
  'train.patience': 'Early-stopping patience',
  'train.seed': 'Seed',
  'train.maxBatchesPerEpoch': 'Max batches per epoch',
};

/** The field's label: "Lookback", "Layer 2 units", else the path's last word. */
export function fieldLabel(path: string): string {
  const layer = /^model\.layers\.(\d+)\.(\w+)$/.exec(path);
  if (layer) return `Layer ${Number(layer[1]) + 1} ${layer[2]}`;
  if (FIELD_LABELS[path]) return FIELD_LABELS[path];
  const last = path.split('.').pop() || 'This field';
  return (
    last.charAt(0).toUpperCase() +
    last
      .slice(1)
      .replace(/([A-Z])/g, ' $1')
      .toLowerCase()
  );
}

interface Issue {
  code: string;
  message: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  origin?: string;
  expected?: string;
}

/** A zod issue as a sentence naming the field ("Lookback must be at least 1."), not zod's own words. */
export function issueMessage(path: string, issue: Issue): string {
  const label = fieldLabel(path);
  const n = (v: number | bigint | undefined) => String(v);
  if (issue.code === 'too_small') {
    if (issue.origin === 'array') return `${label} needs at least ${n(issue.minimum)}.`;
    return issue.inclusive === false
      ? `${label} must be more than ${n(issue.minimum)}.`
      : `${label} must be at least ${n(issue.minimum)}.`;
  }
  if (issue.code === 'too_big') {
    if (issue.origin === 'array') return `${label} takes at most ${n(issue.maximum)}.`;
    return issue.inclusive === false
      ? `${label} must be less than ${n(issue.maximum)}.`
      : `${label} must be at most ${n(issue.maximum)}.`;
  }
  if (issue.code === 'invalid_type') {
    if (/received (null|NaN|nan|undefined)/i.test(issue.message))
      return path === HEAD_FIELD ? `${label}: write sizes as numbers, e.g. "32, 16".` : `${label}: enter a number.`;
    if (issue.expected === 'int') return `${label} must be a whole number.`;
    return `${label} must be a ${issue.expected ?? 'valid value'}.`;
  }
  if (issue.code === 'invalid_value' || issue.code === 'invalid_enum_value')
    return `${label}: choose one of the options.`;
  // Refinements (custom) already speak the form's language ("split fractions ... must add up to 1").
  const text = issue.message.replace(/^Invalid input: /, '');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;
}
