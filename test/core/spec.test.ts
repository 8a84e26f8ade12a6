import { describe, expect, it } from 'vitest';
import { RunSpecSchema, flattenSpec, parseSpec, parseStoredSpec, setSpecPath } from '../../core/spec.js';
import { describeZodError } from '../../core/contract.js';

describe('RunSpec', () => {
  it('fills every default from just a target', () => {
    const s = parseSpec({ target: 'price' });
    expect(s.target).toEqual(['price']);
    expect(s.task).toBe('forecast');
    expect(s.window).toEqual({ lookback: 'auto', horizon: 1, stride: 1 });
    expect(s.shrink).toBe('auto');
    expect(s.split).toEqual({ train: 0.7, val: 0.15, test: 0.15 });
    expect(s.model.cell).toBe('gru');
    expect(s.model.layers).toEqual([{ units: 64, dropout: 0 }]);
    expect(s.train).toMatchObject({
      epochs: 50,
      batchSize: 32,
      optimizer: 'adam',
      learningRate: 0.003,
      loss: 'mse',
      patience: 10,
      seed: 42,
    });
    expect(s.version).toBe(1);
  });

  it('accepts the documented example file', () => {
    const s = parseSpec({
      task: 'forecast',
      target: ['price'],
      features: ['price', 'volume'],
      time: 'date',
      series: 'symbol',
      window: { lookback: 24, horizon: 1, stride: 1 },
      split: { train: 0.7, val: 0.15, test: 0.15 },
      scaling: 'standard',
      missing: 'interpolate',
      model: { cell: 'lstm', layers: [{ units: 64, dropout: 0 }], bidirectional: false },
      train: { epochs: 50, batchSize: 64, optimizer: 'adam', learningRate: 0.001, loss: 'mse', patience: 10, seed: 42 },
    });
    expect(s.series).toBe('symbol');
  });

  it('names the field of each error', () => {
    const bad = RunSpecSchema.safeParse({ target: 'x', window: { lookback: 0 }, model: { cell: 'transformer' } });
    expect(bad.success).toBe(false);
    const e = describeZodError(bad.error!, 'spec');
    expect(e.message).toMatch(/spec\.window\.lookback/);
    expect(e.message).toMatch(/spec\.model\.cell/);
    const split = RunSpecSchema.safeParse({ target: 'x', split: { train: 0.5, val: 0.1, test: 0.1 } });
    expect(describeZodError(split.error!, 'spec').message).toMatch(/add up to 1/);
    const unknown = RunSpecSchema.safeParse({ target: 'x', windw: {} });
    expect(describeZodError(unknown.error!, 'spec').message).toMatch(/windw/);
  });

  it('applies --set paths through objects and arrays, parsing JSON values', () => {
    const s: Record<string, unknown> = { target: 'price' };
    setSpecPath(s, 'window.lookback=48');
    setSpecPath(s, 'model.layers.0.units=32');
    setSpecPath(s, 'model.bidirectional=true');
    setSpecPath(s, 'model.cell=gru');
    const p = parseSpec(s);
    expect(p.window.lookback).toBe(48);
    expect(p.model.layers[0]).toEqual({ units: 32, dropout: 0 });
    expect(p.model.bidirectional).toBe(true);
    expect(p.model.cell).toBe('gru');
    expect(() => setSpecPath(s, 'nonsense')).toThrow(/key=value/);
  });

  it('flattens to dotted params', () => {
    const f = flattenSpec(parseSpec({ target: 'price' }));
    expect(f['model.layers.0.units']).toBe('64');
    expect(f['target.0']).toBe('price');
  });
});

describe('a stored spec read for training', () => {
  it('keeps a stored linearReference, and reads one stored before the field existed as off', () => {
    const now = JSON.stringify(parseSpec({ target: 'v' }));
    expect(parseStoredSpec(now).linearReference).toBe('auto');
    const before = JSON.parse(now) as Record<string, unknown>;
    delete before.linearReference;
    expect(parseStoredSpec(JSON.stringify(before)).linearReference).toBe('off');
    expect(parseStoredSpec(JSON.stringify({ ...before, linearReference: 'off' })).linearReference).toBe('off');
  });
});
