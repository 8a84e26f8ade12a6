// The designer's form model: defaults, conversion to the hand-written spec, and inline messages
// from the same RunSpecSchema the host validates with.
import { describe, expect, it } from 'vitest';
import { RunSpecSchema } from '../../../core/contract.js';
import {
  defaultForm,
  fitFormToDataset,
  formFromInput,
  formToInput,
  hostFieldToForm,
  NO_SERIES,
  PRESETS,
  validateForm,
} from '../../../renderer/src/lib/specForm.js';

describe('spec form', () => {
  it('starts from the schema defaults and yields the spec the host would store', () => {
    const form = defaultForm(['load_mw']);
    const v = validateForm(form);
    expect(v.errors).toEqual({});
    expect(v.spec).toEqual(RunSpecSchema.parse({ target: 'load_mw' }));
    expect(v.input.target).toBe('load_mw');
    expect(v.input).not.toHaveProperty('features');
    expect(v.input).not.toHaveProperty('seasonLength');
  });

  it('asks for a target before anything else', () => {
    const v = validateForm(defaultForm([]));
    expect(v.spec).toBeNull();
    expect(v.errors.target).toBe('Choose at least one target column.');
  });

  it('names each invalid field by its dotted path', () => {
    const form = defaultForm(['y']);
    form.window.lookback = 0;
    form.model.layers[0]!.units = null;
    form.train.learningRate = -1;
    form.model.headLayers = '32, abc';
    const v = validateForm(form);
    expect(v.spec).toBeNull();
    expect(Object.keys(v.errors).sort()).toEqual([
      'model.head.layers',
      'model.layers.0.units',
      'train.learningRate',
      'window.lookback',
    ]);
    // Sentences naming the field as the form labels it, not zod's "expected number to be >=1".
    expect(v.errors['window.lookback']).toBe('Lookback must be at least 1.');
    expect(v.errors['model.layers.0.units']).toBe('Layer 1 units: enter a number.');
    expect(v.errors['train.learningRate']).toBe('Learning rate must be more than 0.');
    expect(v.errors['model.head.layers']).toBe('Head layers: write sizes as numbers, e.g. "32, 16".');
    for (const m of Object.values(v.errors)) expect(m).not.toMatch(/expected|>=|received/);
  });

  it('reports a split that does not add up to 1 on the split', () => {
    const form = defaultForm(['y']);
    form.split.train = 0.8;
    const v = validateForm(form);
    expect(v.errors.split).toMatch(/add up to 1/);
  });

  it('refuses two targets for classify', () => {
    const form = defaultForm(['a', 'b']);
    form.task = 'classify';
    expect(validateForm(form).errors.target).toMatch(/exactly one target/);
  });

  it('round-trips a stored spec (clone) and keeps "no series" distinct from "dataset default"', () => {
    const spec = RunSpecSchema.parse({
      target: ['a', 'b'],
      features: ['a', 'b', 'c'],
      series: null,
      seasonLength: 24,
      window: { lookback: 48, horizon: 3 },
      model: { cell: 'gru', layers: [{ units: 32 }, { units: 16, dropout: 0.1 }], head: { layers: [8] } },
    });
    const form = formFromInput(spec);
    expect(form.series).toBe(NO_SERIES);
    expect(form.model.headLayers).toBe('8');
    const v = validateForm(form);
    expect(v.spec).toEqual(spec);
    expect(formToInput(defaultForm(['a'])).series).toBeUndefined();
  });

  it('applies presets that validate', () => {
    for (const [name, preset] of Object.entries(PRESETS)) {
      const form = defaultForm(['y']);
      preset.apply(form);
      const v = validateForm(form);
      expect(v.errors, name).toEqual({});
    }
    const deep = defaultForm(['y']);
    PRESETS.deep.apply(deep);
    expect(validateForm(deep).spec!.model.layers).toHaveLength(2);
  });

  it('maps host error fields onto form fields', () => {
    expect(hostFieldToForm('spec.window.lookback')).toBe('window.lookback');
    expect(hostFieldToForm(undefined)).toBe('');
  });

  it('words every kind of zod issue as a sentence about the field', () => {
    const form = defaultForm(['y']);
    form.window.horizon = 1.5;
    form.split.train = 1;
    form.train.epochs = 1e6;
    form.model.layers = [];
    const e = validateForm(form).errors;
    expect(e['window.horizon']).toBe('Horizon must be a whole number.');
    expect(e['split.train']).toBe('Train share must be less than 1.');
    expect(e['train.epochs']).toMatch(/^Epochs must be at most \d+\.$/);
    expect(e['model.layers']).toBe('The model needs at least 1.');
  });

  it('a dataset change keeps only the columns the new dataset offers, and picks a target', () => {
    const form = defaultForm(['price']);
    form.features = ['price', 'volume'];
    form.time = 'date';
    form.series = 'symbol';
    const dropped = fitFormToDataset(form, {
      columns: [
        { name: 'YEAR', kind: 'datetime' },
        { name: 'SUNACTIVITY', kind: 'numeric' },
      ],
      seriesColumn: null,
    });
    expect(form.target).toEqual(['SUNACTIVITY']);
    expect(form.features).toEqual([]);
    expect([form.time, form.series]).toEqual(['', '']);
    expect(dropped).toEqual(['price', 'price', 'volume', 'date', 'symbol']);
    // Columns both datasets have stay as the user chose them.
    const again = defaultForm(['SUNACTIVITY']);
    expect(
      fitFormToDataset(again, { columns: [{ name: 'SUNACTIVITY', kind: 'numeric' }], seriesColumn: null }),
    ).toEqual([]);
    expect(again.target).toEqual(['SUNACTIVITY']);
  });

  it('a preset resets its whole recipe and says what it changed', () => {
    const form = defaultForm(['y']);
    form.model.bidirectional = true;
    form.model.headLayers = '32';
    expect(PRESETS.deep.apply(form)).toEqual(
      expect.arrayContaining(['cell GRU → LSTM', 'bidirectional yes → no', 'head layers 32 → —', 'lookback auto → 48']),
    );
    const changes = PRESETS.quick.apply(form);
    expect(changes).toContain('layers 128 (dropout 0.2) + 128 (dropout 0.2) → 16');
    expect(form.model.layers).toEqual([{ units: 16, dropout: 0 }]);
    expect(form.model.bidirectional).toBe(false);
    expect(PRESETS.quick.apply(form)).toEqual([]);
  });

  it('an empty lookback is `auto` (resolved when the run starts); a number stays a number', () => {
    const form = defaultForm(['y']);
    expect(form.window.lookback).toBeNull();
    expect(formToInput(form).window).toMatchObject({ lookback: 'auto' });
    expect(validateForm(form).spec?.window.lookback).toBe('auto');
    form.window.lookback = 36;
    expect(validateForm(form).spec?.window.lookback).toBe(36);
    expect(formFromInput({ target: 'y', window: { lookback: 'auto' } }).window.lookback).toBeNull();
    expect(formFromInput({ target: 'y', shrink: 'off' }).shrink).toBe('off');
    expect(validateForm(formFromInput({ target: 'y', shrink: 'off' })).spec?.shrink).toBe('off');
  });

  it('the Standard preset is the schema defaults (which the forecast battery chose)', () => {
    const form = defaultForm(['y']);
    PRESETS.deep.apply(form);
    PRESETS.standard.apply(form);
    const d = defaultForm(['y']);
    expect(form.model.cell).toBe(d.model.cell);
    expect(form.model.layers).toEqual(d.model.layers);
    expect(form.window.lookback).toBe(d.window.lookback);
    expect(form.train).toEqual(d.train);
  });
});
