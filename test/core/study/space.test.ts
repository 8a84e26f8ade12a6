// Search spaces: the file schema, paths checked against the RunSpec (errors naming the path),
// configurations applied to the base spec (layer count, every-layer paths), the config hash.
import { describe, expect, it } from 'vitest';
import { SearchSpace, StudyFile, defaultSpec, parseSpec } from '../../../core/contract.js';
import { applyConfig, checkSpace, configHash } from '../../../core/study/space.js';

const base = parseSpec({ target: 'value', window: { lookback: 12 } });
const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('the study file', () => {
  it('parses the issue example with defaults filled in', () => {
    const f = StudyFile.parse({
      base: { target: 'load_mw' },
      space: {
        'model.cell': ['lstm', 'gru'],
        'model.layers.0.units': { int: [8, 128], log: true },
        'train.learningRate': { float: [1e-4, 3e-2], log: true },
        'window.lookback': [12, 24, 48],
      },
      strategy: 'random',
      trials: 40,
      seeds: 1,
      prune: { kind: 'asha', minEpochs: 3, reduction: 3 },
    });
    expect(f.prune).toEqual({ kind: 'asha', minEpochs: 3, reduction: 3 });
    expect(f.objective).toBe('val_loss');
    expect(f.space['model.layers.0.units']).toEqual({ int: [8, 128], log: true });
  });

  it.each([
    [{ space: { a: [] } }, 'space.a'],
    [{ space: { a: { float: [1] } } }, 'space.a'],
    [{ space: { a: { int: [1.5, 3] } } }, 'space.a'],
    [{ space: { a: { float: [0, 1], lg: true } } }, 'space.a'],
    [{ space: {}, strategy: 'bayes' }, 'strategy'],
    [{ space: {}, prune: { kind: 'asha', reduction: 1 } }, 'prune.reduction'],
    [{ space: {}, seeds: 0 }, 'seeds'],
    [{ space: {}, first: [1] }, 'first.0'],
  ])('refuses %j at %s', (input, path) => {
    const r = StudyFile.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});

describe('checkSpace', () => {
  it.each([
    [{ 'model.cel': ['lstm'] }, 'space["model.cel"]: model.cel is not a RunSpec field'],
    [{ 'model.cell': ['lstm', 'transformer'] }, 'model.cell'],
    [{ 'model.layers.1.units': [8] }, 'model.layers.1 is beyond the 1 item(s) of the base spec'],
    [{ 'train.learningRate': { float: [0.01, 0.001] } }, 'the range [0.01, 0.001] is reversed'],
    [{ 'train.learningRate': { float: [0, 0.1], log: true } }, 'a log range must be positive'],
    [{ 'window.lookback': { int: [0, 24] } }, 'space["window.lookback"] = 0'],
    [{ 'model.layers.length': [1, 9] }, 'a layer count is a whole number 1..8'],
    [{ 'train.epochs.x': [1] }, 'train.epochs is not an object or a list'],
    [{}, 'name at least one RunSpec path'],
  ])('refuses %j naming the path', (space, expected) => {
    expect(message(() => checkSpace(base, SearchSpace.parse(space)))).toContain(expected);
  });

  it('accepts layer paths beyond the base when the layer count is searched', () => {
    expect(() => checkSpace(base, { 'model.layers.length': [1, 3], 'model.layers.2.units': [4, 8] })).not.toThrow();
  });
});

describe('applyConfig', () => {
  it('sets the paths, the layer count first, every-layer paths before single ones', () => {
    const spec = applyConfig(base, {
      'model.layers.0.units': 99,
      'model.layers.*.units': 16,
      'model.layers.length': 3,
      'model.layers.*.dropout': 0.1,
      'train.learningRate': 0.005,
      seasonLength: 24,
    });
    expect(spec.model.layers).toEqual([
      { units: 99, dropout: 0.1 },
      { units: 16, dropout: 0.1 },
      { units: 16, dropout: 0.1 },
    ]);
    expect(spec.train.learningRate).toBe(0.005);
    expect(spec.seasonLength).toBe(24);
    expect(base.model.layers).toHaveLength(1); // the base is not changed
  });

  it('validates the result with the RunSpec schema', () => {
    expect(message(() => applyConfig(defaultSpec('v'), { 'train.learningRate': -1 }))).toContain('train.learningRate');
  });
});

describe('configHash', () => {
  it('is the same whatever the key order, and differs with a value', () => {
    expect(configHash({ a: 1, b: 'x' })).toBe(configHash({ b: 'x', a: 1 }));
    expect(configHash({ a: 1, b: 'x' })).not.toBe(configHash({ a: 2, b: 'x' }));
  });
});
