// `normalize: ensemble`: a run whose forecast is the weighted mean of a globally scaled network (the run's
// own) and a window-normalised one (member 1, trained first and stored). `normalize: auto` chooses
// it for a short single target whose level looks stationary. Checked against runs that name each
// normalisation (same seed: the same two networks), through both exports (TF.js reload and ONNX
// Runtime against the stored test predictions), through resume, and with a spec it cannot serve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createService, type Service } from '../../../core/service.js';
import type { Prepared } from '../../../worker/data/prepare.js';
import { loadExport, predictRaw } from '../../../worker/export/load.js';
import { ENSEMBLE_MAX_TRAIN_WINDOWS, memberPlan } from '../../../worker/train/ensemble.js';
import { defaultSpec, parseSpec } from '../../../core/contract.js';
import { noise, ok, tempDir, trainToEnd, writeFile } from '../../helpers.js';
import { runOnnxExport } from '../export/onnx-runtime.js';

const t = tempDir();
let svc: Service;

beforeAll(() => {
  svc = createService({ dbPath: join(t.dir, 'workbench.db'), stopGraceSeconds: 5 });
});

afterAll(async () => {
  await svc.close();
  t.cleanup();
});

/** The fields memberPlan reads, for a single-target forecast whose stationarity test chose `normalize`. */
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

describe('normalize auto and ensemble: the rule', () => {
  const auto = parseSpec(defaultSpec('value'));
  it('makes a short single target whose level looks stationary an ensemble with a window (or season) member', () => {
    expect(memberPlan(auto, prepared({ normalize: 'global', train: 60 }))).toEqual({ normalize: 'window', auto: true });
    expect(memberPlan(auto, prepared({ normalize: 'global', train: 60, season: 12 }))).toEqual({
      normalize: 'season',
      auto: true,
    });
  });

  it('keeps one network for a wandering level, a named normalisation, several targets or a long train split', () => {
    expect(memberPlan(auto, prepared({ normalize: 'window', train: 60 }))).toBeNull();
    expect(memberPlan({ ...auto, normalize: 'global' }, prepared({ normalize: 'global', train: 60 }))).toBeNull();
    expect(memberPlan(auto, prepared({ normalize: 'global', train: 60, targets: ['a', 'b'] }))).toBeNull();
    expect(memberPlan(auto, prepared({ normalize: 'global', train: ENSEMBLE_MAX_TRAIN_WINDOWS + 1 }))).toBeNull();
    expect(memberPlan(auto, prepared({ normalize: 'global', train: 60, val: 0 }))).toBeNull();
  });

  it('refuses a named ensemble of two targets, naming the field', () => {
    const two = { ...auto, normalize: 'ensemble' as const };
    expect(() => memberPlan(two, prepared({ normalize: 'global', train: 60, targets: ['a', 'b'] }))).toThrow(
      /spec\.normalize: ensemble .* targets "a", "b"/,
    );
  });
});

/** 110 yearly rows wandering slowly around a level: KPSS does not reject stationarity on 77 train rows. */
function stationaryCsv(): { file: string; values: number[] } {
  const rnd = noise(5);
  let ar = 0;
  const values: number[] = [];
  const lines = ['year,value'];
  for (let i = 0; i < 110; i++) {
    ar = 0.6 * ar + rnd();
    values.push(Number((50 + 3 * ar).toFixed(3)));
    lines.push(`${1900 + i},${values[i]!.toFixed(3)}`);
  }
  return { file: writeFile(t.dir, 'stationary.csv', lines.join('\n') + '\n'), values };
}

describe('an ensemble run', () => {
  it('auto: trains the window member first, records ensemble, and forecasts the weighted mean of the global and the window run', async () => {
    const { file, values } = stationaryCsv();
    const id = (await ok(svc.call('datasets.import', { path: file, name: 'stationary' }))).id;
    const log: string[] = [];
    // shrink off: with the evidence bound (worker/data/shrink.ts) both networks of this short series
    // fall back to their bases, which would hide the mean this test checks.
    const run = await trainToEnd(svc, id, { target: 'value', shrink: 'off' }, log);
    expect(run.status, log.join('\n')).toBe('completed');
    expect(run.spec.normalize).toBe('ensemble');
    expect(log).toContainEqual(
      expect.stringMatching(/^normalize auto: the level looks stationary, .* mean of a global and a window network/),
    );
    expect(log).toContainEqual(
      expect.stringMatching(/^ensemble: member 1 \(window\) best at epoch \d+, val MAE [\d.]+; stored$/),
    );
    // the member's own preparation, as the run's own network's is logged
    expect(log).toContainEqual(expect.stringMatching(/^ensemble: member 1 target value: .*normalisation window/));
    expect(log).toContainEqual(
      expect.stringMatching(
        /^test: the weighted mean of 2 networks, weights ∝ 1 \/ validation MAE: global 0\.\d+ \(test MAE alone [\d.]+\), window 0\.\d+ \(test MAE alone [\d.]+\)$/,
      ),
    );
    expect(log.some((l) => /start-up: .*ensemble member/.test(l))).toBe(true);

    // The same seed names each normalisation: the two networks of the ensemble, trained alone.
    const global = await trainToEnd(svc, id, { target: 'value', normalize: 'global', shrink: 'off' });
    const windowed = await trainToEnd(svc, id, { target: 'value', normalize: 'window', shrink: 'off' });
    const preds = await Promise.all([run, global, windowed].map((r) => ok(svc.call('runs.predictions', { id: r.id }))));
    const [ens, g, w] = preds.map((p) => p!.predicted);
    expect(ens!.length).toBeGreaterThan(10);
    // The weights, by inverse validation MAE, are in the export's preprocessing.json (full precision).
    const tfjsDir = join(t.dir, 'export-tfjs');
    const res = await ok(svc.call('runs.export', { id: run.id, outDir: tfjsDir }));
    const prepJson = JSON.parse(readFileSync(join(tfjsDir, 'preprocessing.json'), 'utf8'));
    const [wg, wm] = [prepJson.ensemble.weight as number, prepJson.ensemble.members[0].weight as number];
    expect(wg + wm).toBeCloseTo(1, 12);
    expect(Math.min(wg, wm)).toBeGreaterThan(0);
    ens!.forEach((v, i) => expect(v).toBeCloseTo(wg * g![i]! + wm * w![i]!, 6));
    // Not simply one of them.
    expect(ens!.some((v, i) => Math.abs(v - g![i]!) > 1e-6)).toBe(true);

    // Both exports reproduce the stored test forecasts from raw windows.
    const L = run.spec.window.lookback as number;
    const times = preds[0]!.time;
    const windows = times.map((tm) => {
      const i = (tm > 3000 ? new Date(tm).getUTCFullYear() : tm) - 1900; // years are read as dates
      return values.slice(i - L - 1, i).map((v) => [v]);
    });
    expect(res.files).toEqual([
      'model.json',
      'weights.bin',
      'preprocessing.json',
      'member-1.json',
      'member-1.weights.bin',
    ]);
    expect(prepJson.ensemble.combine).toBe('weighted-mean');
    expect(prepJson.ensemble.members[0].preprocessing.targetPrep[0].normalize).toBe('window');
    const loaded = await loadExport(tfjsDir);
    expect(loaded.members).toHaveLength(1);
    const reloaded = predictRaw(loaded, windows).map((r) => r[0]!);
    reloaded.forEach((v, i) => expect(v).toBeCloseTo(ens![i]!, 3));
    // `predict` (the checkpoint and the stored member, in a worker) forecasts what the export does.
    const next = await ok(svc.call('runs.predict', { id: run.id, steps: 1 }));
    const last = values.slice(values.length - L - 1).map((v) => [v]);
    expect(next.rows[0]!.value).toBeCloseTo(predictRaw(loaded, [last])[0]![0]!, 4);
    const single = predictRaw({ model: loaded.model, preprocessing: loaded.preprocessing }, [last])[0]![0]!;
    expect(Math.abs(next.rows[0]!.value - single)).toBeGreaterThan(1e-6);
    const onnxDir = join(t.dir, 'export-onnx');
    await ok(svc.call('runs.export', { id: run.id, outDir: onnxDir, format: 'onnx' }));
    const rows = JSON.parse(readFileSync(join(onnxDir, 'preprocessing.json'), 'utf8')).onnx.input.shape[1] as number;
    const onnx = (
      await runOnnxExport(
        onnxDir,
        windows.map((w) => w.slice(w.length - rows)),
      )
    ).map((r) => r[0]!);
    onnx.forEach((v, i) => expect(v).toBeCloseTo(ens![i]!, 2));
  }, 300_000);

  it('a resume loads the stored member instead of training it again', async () => {
    const { file } = stationaryCsv();
    const id = (await ok(svc.call('datasets.import', { path: file, name: 'stationary-2' }))).id;
    const spec = { target: 'value', normalize: 'ensemble', train: { epochs: 400, patience: 0 } };
    const run = await ok(svc.call('runs.create', { datasetId: id, spec }));
    const first: string[] = [];
    const off = svc.on('run:log', (l) => {
      if (l.runId === run.id) first.push(l.message);
    });
    // Stop once the run's own network trains (the member is stored by then).
    await new Promise<void>((resolve) => {
      const offEpoch = svc.on('run:epoch', (e) => {
        if (e.runId === run.id && e.epoch >= 2) {
          offEpoch();
          resolve();
        }
      });
    });
    await ok(svc.call('runs.stop', { id: run.id }));
    await svc.waitForRun(run.id);
    off();
    expect(first).toContainEqual(expect.stringMatching(/^ensemble: member 1 \(window\) best at epoch \d+/));
    const resumed: string[] = [];
    const off2 = svc.on('run:log', (l) => {
      if (l.runId === run.id) resumed.push(l.message);
    });
    await ok(svc.call('runs.resume', { id: run.id }));
    await svc.waitForRun(run.id);
    off2();
    expect(resumed).toContainEqual(expect.stringMatching(/^ensemble: member 1 \(window\) loaded as stored/));
    expect(resumed.some((l) => l.startsWith('normalize ensemble: training'))).toBe(false);
    const done = await ok(svc.call('runs.get', { id: run.id }));
    expect(done.status).toBe('completed');
    expect(resumed).toContainEqual(expect.stringMatching(/^test: the weighted mean of 2 networks/));
  }, 300_000);
});
