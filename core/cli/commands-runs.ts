// Run commands: train, list, show, compare, stop, resume, export.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ServiceError, flattenSpec, setSpecPath, type RunRow } from '../contract.js';
import { datasetId, follow, must, runId } from './calls.js';
import { best, fmt, printRun, runLine, table } from './format.js';
import { printRunGroups } from './commands-studies.js';
import { JSON_OPTION, UsageError, type Command, type CommandContext } from './table.js';
import { MAX_TRAINERS_OPTION, applyMaxTrainers } from './commands-settings.js';

/** A spec file (if any), then each `--set` in order, then a default target when none is given. */
async function buildSpec(ctx: CommandContext, id: number): Promise<Record<string, unknown>> {
  const specFile = ctx.string('spec');
  let spec: Record<string, unknown> = {};
  if (specFile) {
    try {
      spec = JSON.parse(readFileSync(specFile, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new ServiceError('bad_input', `${specFile}: ${(e as Error).message}`);
    }
  }
  for (const s of ctx.strings('set')) {
    try {
      setSpecPath(spec, s);
    } catch (e) {
      throw new UsageError((e as Error).message, trainCommand);
    }
  }
  if (spec.target === undefined) {
    const ds = await must(ctx.svc, 'datasets.get', { id });
    const numeric = ds.columns.filter((c) => c.kind === 'numeric');
    if (numeric.length === 0)
      throw new ServiceError(
        'bad_input',
        'the spec has no "target" and the dataset has no numeric column to default to',
        'spec.target',
      );
    spec.target = numeric[numeric.length - 1]!.name;
    if (!ctx.flag('json'))
      console.error(`no target given: forecasting "${String(spec.target)}" (set one with --set target=COLUMN)`);
  }
  // Only the user's raw input: the contract validates it at the boundary (runs.create's schema).
  return spec;
}

/** Prints a followed run; exit 0 when it completed or was stopped on request. */
function finished(done: RunRow, json: boolean): number {
  if (json) console.log(JSON.stringify(done));
  else printRun(done);
  return done.status === 'completed' || done.status === 'stopped' ? 0 : 1;
}

export const trainCommand: Command = {
  name: 'train',
  usage:
    '--dataset <id|name> [--spec file.json] [--set key=value ...] [--name NAME] [--tag T ...] [--max-trainers N] [--json]',
  summary: 'design and train a run; Ctrl+C stops it gracefully',
  details:
    'A spec file, then each --set in order (dotted paths: --set window.lookback=48 --set model.layers.0.units=32).',
  options: {
    dataset: { type: 'string', value: '<id|name>', help: 'the dataset to train on (required)' },
    spec: { type: 'string', value: 'file.json', help: 'a RunSpec as JSON' },
    set: {
      type: 'string',
      multiple: true,
      value: 'key=value',
      help: 'set one spec field (dotted path; JSON or plain text value)',
    },
    name: { type: 'string', value: 'NAME', help: 'the run name' },
    tag: { type: 'string', multiple: true, value: 'T', help: 'a tag for the run' },
    ...MAX_TRAINERS_OPTION,
    ...JSON_OPTION,
  },
  positionals: [0, 0],
  db: 'write',
  async run(ctx) {
    const ref = ctx.string('dataset');
    if (!ref) throw new UsageError('train needs --dataset <id|name>', trainCommand);
    const id = await datasetId(ctx.svc, ref);
    const spec = await buildSpec(ctx, id);
    await applyMaxTrainers(ctx, trainCommand);
    const name = ctx.string('name');
    const run = await must(ctx.svc, 'runs.create', {
      datasetId: id,
      spec,
      ...(name ? { name } : {}),
      tags: ctx.strings('tag'),
    });
    if (!ctx.flag('json'))
      console.error(`run ${run.id} "${run.name}" queued${run.waitReason ? `: ${run.waitReason}` : ''}`);
    return finished(await follow(ctx.svc, run.id, ctx.flag('json')), ctx.flag('json'));
  },
};

export const runsCommand: Command = {
  name: 'runs',
  usage: '[--dataset <id|name>] [--group-by <params|all>] [--json]',
  summary: 'list runs, or groups of them with mean ± std (seeds)',
  options: {
    dataset: { type: 'string', value: '<id|name>', help: 'only the runs on this dataset' },
    'group-by': {
      type: 'string',
      value: '<params|all>',
      help: 'group by these spec params (a,b) or all that differ but the seed: mean ± std, min, max',
    },
    ...JSON_OPTION,
  },
  positionals: [0, 0],
  db: 'read',
  async run(ctx) {
    const ref = ctx.string('dataset');
    const rows = await must(ctx.svc, 'runs.list', ref ? { datasetId: await datasetId(ctx.svc, ref) } : {});
    const groupBy = ctx.string('group-by');
    if (groupBy !== undefined) printRunGroups(rows, groupBy, ctx.flag('json'));
    else if (ctx.flag('json')) console.log(JSON.stringify(rows));
    else if (!rows.length) console.log('no runs yet: rnn-workbench train --dataset <id>');
    else {
      console.log(
        table(
          ['id', 'name', 'dataset', 'status', 'model', 'lookback', 'epochs', 'best val_loss', 'test'],
          rows.map(runLine),
        ),
      );
      // Why queued runs have not started (a trainer slot, see `settings --max-trainers`).
      for (const r of rows) if (r.waitReason) console.log(`run ${r.id}: ${r.waitReason}`);
    }
    return 0;
  },
};

export const showCommand: Command = {
  name: 'show',
  usage: '<run> [--predictions] [--json]',
  summary: 'one run: spec, status, best metrics, test evaluation',
  details:
    '--predictions adds the stored test predictions: a "predictions" field with --json, else the predictions CSV (time, series, output, actual, predicted, baselines).',
  options: { predictions: { type: 'boolean', help: 'include the stored test predictions' }, ...JSON_OPTION },
  positionals: [1, 1],
  db: 'read',
  async run(ctx) {
    const id = runId(ctx.positionals[0]);
    const r = await must(ctx.svc, 'runs.get', { id });
    const withPredictions = ctx.flag('predictions');
    if (ctx.flag('json')) {
      console.log(
        JSON.stringify(withPredictions ? { ...r, predictions: await must(ctx.svc, 'runs.predictions', { id }) } : r),
      );
    } else if (withPredictions) {
      process.stdout.write((await must(ctx.svc, 'runs.csv', { ids: [id], what: 'predictions' })).csv);
    } else printRun(r);
    return 0;
  },
};

/** Parameters that differ between runs, as key → one value per run. */
function differingParams(runs: RunRow[]) {
  const flat = runs.map((r) => flattenSpec(r.spec));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  return { flat, differing: keys.filter((k) => new Set(flat.map((f) => f[k])).size > 1) };
}

export const compareCommand: Command = {
  name: 'compare',
  usage: '<run> <run>... [--json]',
  summary: 'runs side by side: differing parameters, best values, test metrics',
  options: { ...JSON_OPTION },
  positionals: [2, Infinity],
  db: 'read',
  async run(ctx) {
    const runs = await Promise.all(ctx.positionals.map(runId).map((id) => must(ctx.svc, 'runs.get', { id })));
    const { flat, differing } = differingParams(runs);
    if (ctx.flag('json')) {
      console.log(
        JSON.stringify({
          runs,
          differing: Object.fromEntries(differing.map((k) => [k, flat.map((f) => f[k] ?? null)])),
        }),
      );
      return 0;
    }
    const metricKeys = [...new Set(runs.flatMap((r) => r.summary.map((s) => s.key)))].filter((k) =>
      /loss|mae|rmse|acc/.test(k),
    );
    const testKeys = [...new Set(runs.flatMap((r) => Object.keys(r.test)))]
      .filter((k) => !k.includes('confusion') && !k.includes('.windows') && !k.includes('@'))
      .sort(); // per-step scores: see show
    console.log(
      table(
        ['', ...runs.map((r) => `#${r.id} ${r.name}`)],
        [
          ['status', ...runs.map((r) => r.status)],
          ['epochs', ...runs.map((r) => r.epochsDone)],
          ...differing.map((k) => [k, ...flat.map((f) => f[k] ?? '-')]),
          ...metricKeys.map((k) => [`best ${k}`, ...runs.map((r) => fmt(best(r, k)))]),
          ...testKeys.map((k) => [k, ...runs.map((r) => fmt(r.test[k]))]),
        ],
      ),
    );
    if (differing.length === 0) console.log('(the runs share every parameter)');
    const seasons = [...new Set(runs.map((r) => r.test.season_length).filter((m) => m !== undefined))];
    if (seasons.length > 1)
      console.log(
        `warning: the runs' MASE use different season lengths (${seasons.join(', ')}): their MASE values are not comparable`,
      );
    return 0;
  },
};

export const stopCommand: Command = {
  name: 'stop',
  usage: '<run>',
  summary: 'ask a running trainer to save and stop',
  options: {},
  positionals: [1, 1],
  db: 'write',
  async run(ctx) {
    const id = runId(ctx.positionals[0]);
    const r = await must(ctx.svc, 'runs.stop', { id });
    console.log(
      `run ${r.id}: ${r.status === 'running' ? 'stop requested; it saves and ends after the current batch' : r.status}`,
    );
    return 0;
  },
};

export const resumeCommand: Command = {
  name: 'resume',
  usage: '<run> [--json]',
  summary: 'continue an interrupted or stopped run from its last checkpoint',
  options: { ...JSON_OPTION },
  positionals: [1, 1],
  db: 'write',
  async run(ctx) {
    const id = runId(ctx.positionals[0]);
    const r = await must(ctx.svc, 'runs.resume', { id });
    if (!ctx.flag('json'))
      console.error(`run ${r.id} resumes from epoch ${r.epochsDone}${r.waitReason ? `; ${r.waitReason}` : ''}`);
    return finished(await follow(ctx.svc, r.id, ctx.flag('json')), ctx.flag('json'));
  },
};

export const exportCommand: Command = {
  name: 'export',
  usage: '<run> --out <dir> [--format tfjs|onnx] [--checkpoint best|last] [--force] [--json]',
  summary: 'export the model (TF.js layers format or ONNX, + preprocessing.json)',
  options: {
    out: { type: 'string', value: '<dir>', help: 'the folder to write (required)' },
    format: {
      type: 'string',
      value: 'tfjs|onnx',
      help: 'model.json + weights.bin (default) or one model.onnx (opset 17)',
    },
    checkpoint: { type: 'string', value: 'best|last', help: 'which checkpoint (default: best)' },
    force: { type: 'boolean', help: 'replace an export already in that folder (other files there are kept)' },
    ...JSON_OPTION,
  },
  positionals: [1, 1],
  // Not read-only: the export worker records the export in the database (the exports table).
  db: 'write',
  async run(ctx) {
    const out = ctx.string('out');
    if (!out) throw new UsageError('export needs --out <dir>', exportCommand);
    const checkpoint = ctx.string('checkpoint') ?? 'best';
    if (checkpoint !== 'best' && checkpoint !== 'last')
      throw new UsageError(`--checkpoint is best or last, not "${checkpoint}"`, exportCommand);
    const format = ctx.string('format') ?? 'tfjs';
    if (format !== 'tfjs' && format !== 'onnx')
      throw new UsageError(`--format is tfjs or onnx, not "${format}"`, exportCommand);
    const id = runId(ctx.positionals[0]);
    const r = await must(ctx.svc, 'runs.export', {
      id,
      outDir: resolve(out),
      checkpoint,
      force: ctx.flag('force'),
      format,
    });
    console.log(
      ctx.flag('json')
        ? JSON.stringify(r)
        : `exported the ${r.checkpoint} checkpoint (epoch ${r.epoch}) to ${r.dir}: ${r.files.join(', ')}`,
    );
    return 0;
  },
};
