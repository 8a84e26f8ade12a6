// runs.predict in a worker: the run's checkpoint rebuilt as its export is (tf.layers model +
// preprocessing), fed through worker/export/load.ts's predictRaw, which applies and undoes the
// scaling, transforms and window normalisation, so predict and an exported model agree.
// From the dataset: the next `steps` after each series' end (direct up to the horizon, then the
// forecasts fed back as inputs, which needs every feature to be a target). From a new CSV: every
// window of every series, `horizon` steps ahead. A run with spec combine: ets averages the next
// steps with an ETS forecast fitted on each series' history, as its test evaluation did.
import { tf } from '../tf.js';
import { ServiceError, parseSpec, type PredictResult, type PredictRow } from '../../core/contract.js';
import { columnLoader, datasetInfo } from '../../core/datasets.js';
import { resolveColumns } from '../../core/spec-rules.js';
import { loadCheckpoint } from '../../db/checkpoints.js';
import { openDb } from '../../db/open.js';
import { getRun } from '../../db/runs.js';
import { fitEts } from '../baselines/ets.js';
import { predictRaw, type LoadedExport } from '../export/load.js';
import { parseCsvFile } from '../import/parse.js';
import { ownWeight, storedMembers, storedNetwork } from '../export/member.js';
import { ETS_MAX_LENGTH } from '../train/ets-baseline.js';
import type { Preprocessing } from '../train/trainer.js';
import { csvHistory, datasetHistory, type History } from './history.js';
import { timeAfter } from './time.js';

export interface PredictOptions {
  steps?: number | undefined;
  csvPath?: string | undefined;
  checkpoint: 'best' | 'last';
}

/** The last rows of a history ending at row `end` (inclusive): lookback + 1 where there are, for differenced targets. */
function windowAt(rows: number[][], end: number, lookback: number): number[][] {
  return rows.slice(Math.max(0, end + 1 - (lookback + 1)), end + 1);
}

export async function predictRun(dbPath: string, runId: number, opts: PredictOptions): Promise<PredictResult> {
  await tf.setBackend('cpu');
  const db = openDb(dbPath);
  try {
    const run = getRun(db, runId);
    if (!run) throw new ServiceError('not_found', `run ${runId} does not exist`, 'id');
    const cp = loadCheckpoint(db, runId, opts.checkpoint);
    if (!cp)
      throw new ServiceError(
        'conflict',
        `run ${runId} has no ${opts.checkpoint} checkpoint yet (status ${run.status})`,
        'checkpoint',
      );
    const spec = parseSpec(JSON.parse(run.spec));
    const prep = JSON.parse(cp.preprocessing) as Preprocessing;
    if (prep.task !== 'forecast')
      throw new ServiceError(
        'bad_input',
        `run ${runId} classifies; predict forecasts only (use export for a classifier)`,
        'id',
      );
    const info = run.dataset_id !== null ? datasetInfo(db, run.dataset_id) : null;
    if (!info) throw new ServiceError('conflict', `run ${runId}'s dataset is gone; predict needs its columns`, 'id');
    const { time, series } = resolveColumns(spec, info);
    const cols = { features: prep.features, time, series };
    const timeKind = time && info.columns.find((c) => c.name === time)?.kind === 'datetime' ? 'datetime' : 'numeric';
    const model = storedNetwork(spec, prep, cp);
    // An ensemble's further networks (train/ensemble.ts), each with the preprocessing it was trained with.
    const stored = storedMembers(db, runId, spec);
    const members: LoadedExport[] = stored.map((m) => ({ model: m.model, preprocessing: m.prep, weight: m.weight }));
    const loaded: LoadedExport = {
      model,
      preprocessing: prep,
      ...(members.length ? { members, weight: ownWeight(stored) } : {}),
    };
    const fmt = (t: number): string | number =>
      timeKind === 'datetime' && time ? new Date(t).toISOString().replace('.000Z', 'Z') : t;
    const combine = spec.combine === 'ets';
    if (combine) checkCombinable(prep, opts.csvPath);
    try {
      if (opts.csvPath) {
        const histories = csvHistory(await parseCsvFile(opts.csvPath), opts.csvPath, info.columns, cols);
        return everyWindow(loaded, histories, timeKind, fmt);
      }
      const histories = datasetHistory(info.rowCount, columnLoader(db, run.dataset_id!), cols, spec.missing);
      return nextSteps(loaded, histories, opts.steps ?? prep.horizon, timeKind, fmt, combine);
    } finally {
      model.dispose();
      for (const m of members) m.model.dispose();
    }
  } finally {
    db.close();
  }
}

type Fmt = (t: number) => string | number;

/**
 * A run with spec combine: ets forecasts the mean of its network and an ETS fitted on the rows
 * before the origin, as its test evaluation did. That needs each target's own history (a target
 * among the features) and one fit per origin, so only the next steps after a series' end.
 */
function checkCombinable(p: Preprocessing, csvPath: string | undefined): void {
  if (csvPath)
    throw new ServiceError(
      'bad_input',
      `this run forecasts with ETS (spec combine: ets), which is fitted on the rows before each origin; predict gives the next steps after each series' end, not every window of a CSV (one ETS fit per window): leave out csvPath, or predict with a run of combine: none`,
      'csvPath',
    );
  const missing = p.targets.filter((t) => !p.features.includes(t));
  if (missing.length)
    throw new ServiceError(
      'conflict',
      `this run forecasts with ETS (spec combine: ets), which needs the history of ${missing.map((t) => `"${t}"`).join(', ')}, not among its input features`,
      'id',
    );
}

/** Each target's ETS forecast `steps` ahead from the end of a history (fitted as the run's ETS baseline is); NaN where none fits. */
function etsAhead(p: Preprocessing, h: History, steps: number): Float64Array[] {
  return p.targets.map((t) => {
    const j = p.features.indexOf(t);
    const y = Float64Array.from(h.rows.slice(-ETS_MAX_LENGTH), (r) => r[j]!);
    try {
      return fitEts(y, { season: p.seasonLength, maxLength: ETS_MAX_LENGTH }).forecast(steps);
    } catch {
      return new Float64Array(steps).fill(NaN);
    }
  });
}

/** The next `steps` after the end of each series. */
function nextSteps(
  e: LoadedExport,
  histories: History[],
  steps: number,
  kind: 'datetime' | 'numeric',
  fmt: Fmt,
  combine = false,
): PredictResult {
  const p = e.preprocessing;
  const H = p.horizon;
  const notTargets = p.features.filter((f) => !p.targets.includes(f));
  if (steps > H && notTargets.length) {
    throw new ServiceError(
      'bad_input',
      `steps ${steps} is more than the run's horizon ${H}, and forecasting further would need future values of ${notTargets.map((f) => `"${f}"`).join(', ')} (features that are not targets); ask for at most ${H} steps`,
      'steps',
    );
  }
  const rows: PredictRow[] = [];
  let how = '';
  for (const h of histories) {
    if (h.rows.length < p.lookback)
      throw new ServiceError(
        'bad_input',
        `series "${h.key}" has ${h.rows.length} rows; the model needs ${p.lookback}`,
        'id',
      );
    const after = timeAfter(h.time, kind);
    how = after.how;
    const work = h.rows.map((r) => [...r]);
    const origin = fmt(h.time[h.time.length - 1]!);
    const ets = combine ? etsAhead(p, h, steps) : null;
    /** The mean with ETS where it has a forecast (spec combine: ets). */
    const blend = (v: number, k: number, step: number): number => {
      const e = ets?.[k]![step - 1];
      return e !== undefined && Number.isFinite(e) ? (v + e) / 2 : v;
    };
    for (let done = 0; done < steps; done += H) {
      const out = predictRaw(e, [windowAt(work, work.length - 1, p.lookback)])[0]!;
      const n = Math.min(H, steps - done);
      for (let s = 0; s < n; s++) {
        p.targets.forEach((t, k) =>
          rows.push({
            series: h.key,
            time: fmt(after.next(done + s + 1)),
            step: done + s + 1,
            target: t,
            value: blend(out[k * H + s]!, k, done + s + 1),
            origin,
          }),
        );
        // Fed back: every feature is a target here (checked above) when more steps are needed.
        if (steps > H) work.push(p.features.map((f) => out[p.targets.indexOf(f) * H + s]!));
      }
    }
  }
  return { outputs: p.targets, frequency: how, rows };
}

/** Every window of each series of a new CSV, `horizon` steps ahead. */
function everyWindow(e: LoadedExport, histories: History[], kind: 'datetime' | 'numeric', fmt: Fmt): PredictResult {
  const p = e.preprocessing;
  const H = p.horizon;
  const rows: PredictRow[] = [];
  let how = '';
  for (const h of histories) {
    if (h.rows.length < p.lookback)
      throw new ServiceError(
        'bad_input',
        `series "${h.key || '(all rows)'}" of the CSV has ${h.rows.length} rows; the model needs ${p.lookback}`,
        'csvPath',
      );
    const after = timeAfter(h.time, kind);
    how = after.how;
    const ends = Array.from({ length: h.rows.length - p.lookback + 1 }, (_, i) => i + p.lookback - 1);
    const outs = predictRaw(
      e,
      ends.map((t) => windowAt(h.rows, t, p.lookback)),
    );
    const n = h.time.length;
    ends.forEach((t, i) => {
      for (let s = 1; s <= H; s++) {
        const at = t + s < n ? h.time[t + s]! : after.next(t + s - n + 1);
        p.targets.forEach((tg, k) =>
          rows.push({
            series: h.key,
            time: fmt(at),
            step: s,
            target: tg,
            value: outs[i]![k * H + s - 1]!,
            origin: fmt(h.time[t]!),
          }),
        );
      }
    });
  }
  return { outputs: p.targets, frequency: how, rows };
}
