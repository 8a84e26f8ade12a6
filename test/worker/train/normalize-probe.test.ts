// `normalize: auto` on a short level-stationary series: the trainer trains global and window
// normalisation, keeps the one with the lower validation MAE, says so in the run log, writes it
// into the run's spec, and then trains exactly the network it measured (the same result as a run
// that names that normalisation). The rule for when it probes is tested on its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { RunRow } from '../../../core/contract.js';
import { createService, type Service } from '../../../core/service.js';
import type { Prepared } from '../../../worker/data/prepare.js';
import { PROBE_MAX_TRAIN_WINDOWS, probeCandidates } from '../../../worker/train/normalize-probe.js';
import { defaultSpec, parseSpec } from '../../../core/contract.js';
import { noise, tempDir, writeFile } from '../../helpers.js';

const t = tempDir();
let svc: Service;

async function ok<T>(p: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function trainToEnd(datasetId: number, spec: Record<string, unknown>, lines: string[]): Promise<RunRow> {
  const run = await ok(svc.call('runs.create', { datasetId, spec }));
  const off = svc.on('run:log', (l) => {
    if (l.runId === run.id) lines.push(l.message);
  });
  await svc.waitForRun(run.id);
  off();
  return ok(svc.call('runs.get', { id: run.id }));
}

beforeAll(() => {
  svc = createService({ dbPath: join(t.dir, 'workbench.db'), stopGraceSeconds: 5 });
});

afterAll(async () => {
  await svc.close();
  t.cleanup();
});

/** The fields probeCandidates reads, for a single-target forecast whose stationarity test chose `normalize`. */
function prepared(o: {
  normalize: string;
  train: number;
  val?: number;
  season?: number;
  targets?: string[];
}): Prepared {
  const targets = o.targets ?? ['value'];
  const windows = (n: number) => Int32Array.from({ length: 2 * n }, (_, i) => i);
  return {
    task: 'forecast',
    targets,
    features: targets,
    targetPrep: targets.map(() => ({ normalize: o.normalize })),
    windows: { train: windows(o.train), val: windows(o.val ?? 10), test: windows(10) },
    seasonLength: o.season ?? 1,
    lookback: 24,
  } as unknown as Prepared;
}

describe('normalize auto: the probe rule', () => {
  const auto = parseSpec(defaultSpec('value'));
  it('probes a short single target whose level looks stationary: global against window, or season when the lookback holds one', () => {
    expect(probeCandidates(auto, prepared({ normalize: 'global', train: 60 }))).toEqual(['global', 'window']);
    expect(probeCandidates(auto, prepared({ normalize: 'global', train: 60, season: 12 }))).toEqual([
      'global',
      'season',
    ]);
  });

  it('leaves the choice alone for a non-stationary level, a named normalisation, several targets or a long train split', () => {
    expect(probeCandidates(auto, prepared({ normalize: 'window', train: 60 }))).toBeNull();
    expect(probeCandidates({ ...auto, normalize: 'global' }, prepared({ normalize: 'global', train: 60 }))).toBeNull();
    expect(probeCandidates(auto, prepared({ normalize: 'global', train: 60, targets: ['a', 'b'] }))).toBeNull();
    expect(probeCandidates(auto, prepared({ normalize: 'global', train: PROBE_MAX_TRAIN_WINDOWS + 1 }))).toBeNull();
    expect(probeCandidates(auto, prepared({ normalize: 'global', train: 60, val: 0 }))).toBeNull();
  });
});

describe('normalize auto: the probe in a run', () => {
  it('trains both ways, logs both validation MAEs, records the choice in the spec, and replays exactly that network', async () => {
    // 110 yearly rows wandering slowly around a level: KPSS does not reject stationarity on 77 train rows.
    const rnd = noise(5);
    let ar = 0;
    const lines = ['year,value'];
    for (let i = 0; i < 110; i++) {
      ar = 0.6 * ar + rnd();
      lines.push(`${1900 + i},${(50 + 3 * ar).toFixed(3)}`);
    }
    const file = writeFile(t.dir, 'stationary.csv', lines.join('\n') + '\n');
    const id = (await ok(svc.call('datasets.import', { path: file, name: 'stationary' }))).id;

    const log: string[] = [];
    const run = await trainToEnd(id, { target: 'value' }, log);
    expect(run.status).toBe('completed');
    const line = log.find((l) => l.startsWith('normalize auto → '));
    expect(line, log.join('\n')).toMatch(/the lower validation MAE of the two \(global [\d.]+, window [\d.]+\)$/);
    const [, chosen, g, w] = /→ (\w+):.*global ([\d.]+), window ([\d.]+)\)$/.exec(line!)!;
    expect(chosen).toBe(Number(w) < Number(g) ? 'window' : 'global');
    expect(run.spec.normalize).toBe(chosen);
    expect(log.some((l) => /start-up: normalisation probe .*\(global vs window\)/.test(l))).toBe(true);
    expect(log).toContainEqual(
      expect.stringMatching(
        /^normalize auto: the level looks stationary, .* training the network as global and as window/,
      ),
    );

    // The same spec with that normalisation named: no probe, and the same network and test scores.
    const named: string[] = [];
    const again = await trainToEnd(id, { target: 'value', normalize: chosen }, named);
    expect(named.some((l) => l.startsWith('normalize auto'))).toBe(false);
    expect(again.test['test.mae']).toBe(run.test['test.mae']);
    expect(again.test['test.rmse']).toBe(run.test['test.rmse']);
  }, 240_000);
});
