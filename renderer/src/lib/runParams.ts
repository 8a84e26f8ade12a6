// The parameter summary of a run: its stored spec (with `lookback: auto` already replaced by the
// number the trainer resolved it to) as label/value pairs, in the order a reader scans them.
import type { RunSpec } from '../../../core/spec.js';
import { fmtNum } from './format.js';

export function specParams(spec: RunSpec): [string, string][] {
  const m = spec.model;
  const t = spec.train;
  const layers = m.layers.map((l) => (l.dropout > 0 ? `${l.units} (drop ${fmtNum(l.dropout, 2)})` : `${l.units}`));
  const out: [string, string][] = [
    ['Task', spec.task],
    ['Target', spec.target.join(', ')],
    ['Cell', `${m.cell}${m.bidirectional ? ' (bidirectional)' : ''}`],
    ['Layers', layers.join(' × ')],
    ['Head', m.head.layers.length > 0 ? `${m.head.layers.join(' × ')} ${m.head.activation}` : 'linear'],
    ['Lookback', String(spec.window.lookback)],
    ['Horizon', String(spec.window.horizon)],
    ['Stride', String(spec.window.stride)],
    ['Split', `${fmtNum(spec.split.train, 2)} / ${fmtNum(spec.split.val, 2)} / ${fmtNum(spec.split.test, 2)}`],
    ['Scaling', spec.scaling],
    ['Missing', spec.missing],
  ];
  if (spec.task === 'forecast') {
    out.push(
      ['Transform', spec.transform],
      ['Normalize', spec.normalize],
      ['Shrink', spec.shrink],
      ['Linear reference', spec.linearReference],
      ['Combine', spec.combine],
    );
  }
  out.push(
    ['Optimizer', t.optimizer],
    ['Learning rate', fmtNum(t.learningRate)],
    ['Loss', t.loss],
    ['Batch size', String(t.batchSize)],
    ['Epochs', String(t.epochs)],
    ['Patience', String(t.patience)],
    ['Seed', String(t.seed)],
  );
  if (spec.features) out.splice(2, 0, ['Features', spec.features.join(', ')]);
  return out;
}
