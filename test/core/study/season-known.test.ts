// A season-normalising configuration tried first (tune's season neighbours) is replaced by the
// strategy's proposal once trial 0 shows that the season it needs is not there
// (core/study/season-known.ts): the rule on its own, then a study through the service on a real
// database whose hourly random walk has no daily season, where such trials used to fail at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSpec } from '../../../core/contract.js';
import { createService, type Service } from '../../../core/service.js';
import { seasonRuledOut, type KnownSeason } from '../../../core/study/season-known.js';
import { noise, ok, tempDir, tinySpec } from '../../helpers.js';

const spec = (over: Record<string, unknown> = {}) => parseSpec({ target: 'value', ...over });
const known = (season: number, lookback: number, over: Record<string, unknown> = {}): KnownSeason => ({
  season,
  lookback,
  spec: spec(over),
});

describe('seasonRuledOut', () => {
  it('rules out season normalisation where trial 0 found no season, or a lookback not longer than it', () => {
    expect(seasonRuledOut(spec({ normalize: 'season' }), known(1, 48))).toBe(true);
    expect(seasonRuledOut(spec({ normalize: 'season', window: { lookback: 24 } }), known(24, 49))).toBe(true);
    expect(seasonRuledOut(spec({ normalize: 'season', window: { lookback: 25 } }), known(24, 49))).toBe(false);
    // `auto`: trial 0's lookback, where trial 0's was `auto` too.
    expect(seasonRuledOut(spec({ normalize: 'season' }), known(24, 49))).toBe(false);
    expect(seasonRuledOut(spec({ normalize: 'season' }), known(24, 20))).toBe(true);
    expect(seasonRuledOut(spec({ normalize: 'season' }), known(24, 20, { window: { lookback: 20 } }))).toBe(false);
  });

  it('keeps every other configuration, and any whose season may differ from trial 0s', () => {
    expect(seasonRuledOut(spec({ normalize: 'window' }), known(1, 48))).toBe(false);
    expect(seasonRuledOut(spec({ normalize: 'season' }), null)).toBe(false);
    expect(seasonRuledOut(spec({ normalize: 'season', seasonLength: 12 }), known(1, 48))).toBe(false);
    expect(
      seasonRuledOut(spec({ normalize: 'season', split: { train: 0.6, val: 0.2, test: 0.2 } }), known(1, 48)),
    ).toBe(false);
  });
});

describe('a study whose first configurations season-normalise a series without a season', () => {
  const t = tempDir();
  let svc: Service;
  let datasetId: number;
  beforeAll(async () => {
    svc = createService({ dbPath: join(t.dir, 'w.db'), stopGraceSeconds: 10 });
    // Hourly rows (the time column suggests a daily season of 24) of a random walk, which has none.
    const r = noise(5);
    let v = 0;
    const start = Date.UTC(2021, 0, 1);
    const lines = ['time,value'];
    for (let i = 0; i < 400; i++) {
      v += r();
      lines.push(`${new Date(start + i * 3_600_000).toISOString().slice(0, 19)},${v.toFixed(4)}`);
    }
    const csv = join(t.dir, 'walk.csv');
    writeFileSync(csv, lines.join('\n') + '\n');
    datasetId = (await ok(svc.call('datasets.import', { path: csv, name: 'walk' }))).id;
  });
  afterAll(async () => {
    await svc.close();
    t.cleanup();
  });

  it('trains the strategy proposals instead of trials that fail at once', { timeout: 300_000 }, async () => {
    const s = await ok(
      svc.call('studies.create', {
        datasetId,
        base: tinySpec({ window: { lookback: 'auto', horizon: 1 } }),
        space: { 'model.cell': ['lstm', 'gru'], normalize: ['window', 'global'], 'window.lookback': ['auto', 49] },
        strategy: 'random',
        trials: 3,
        concurrency: 1,
        first: [
          { 'model.cell': 'gru', normalize: 'window', 'window.lookback': 'auto' },
          { 'model.cell': 'gru', normalize: 'season', 'window.lookback': 'auto' },
          { 'model.cell': 'gru', normalize: 'season', 'window.lookback': 49 },
        ],
      }),
    );
    await svc.waitForStudy(s.id);
    const done = await ok(svc.call('studies.get', { id: s.id }));
    expect(done.state).toBe('completed');
    expect(done.trials.map((x) => x.status)).toEqual(['completed', 'completed', 'completed']);
    expect(done.trials[0]!.params).toEqual({ 'model.cell': 'gru', normalize: 'window', 'window.lookback': 'auto' });
    for (const x of done.trials.slice(1)) expect(['window', 'global']).toContain(x.params.normalize);
  });
});
