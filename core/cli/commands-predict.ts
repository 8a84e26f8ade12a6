// `predict <run>`: forecasts from a trained run (issue 13, docs/export.md): the next N steps after
// the end of its dataset, or every window of a new CSV with the dataset's columns.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { predictCsv } from '../predict-csv.js';
import { must, runId } from './calls.js';
import { table } from './format.js';
import { JSON_OPTION, UsageError, type Command } from './table.js';

export const predictCommand: Command = {
  name: 'predict',
  usage: '<run> [--steps N] [--csv new.csv] [--checkpoint best|last] [--json | --out file.csv]',
  summary: "forecast the steps after the data's end (or every window of a new CSV) with a trained run",
  details:
    "Without --csv: the next N steps (default: the run's horizon) after the end of each series of the run's dataset; beyond the horizon the forecasts are fed back as inputs (only when every feature is a target). With --csv: the horizon after every window of the file, which must have the dataset's columns.",
  options: {
    steps: { type: 'string', value: '<N>', help: "how many steps after the data's end (default: the horizon)" },
    csv: { type: 'string', value: '<file.csv>', help: 'forecast every window of this file instead' },
    checkpoint: { type: 'string', value: 'best|last', help: 'which checkpoint (default best)' },
    out: { type: 'string', value: '<file.csv>', help: 'write the forecasts as CSV' },
    ...JSON_OPTION,
  },
  positionals: [1, 1],
  db: 'read',
  async run(ctx) {
    const id = runId(ctx.positionals[0]!);
    const stepsText = ctx.string('steps');
    const steps = stepsText === undefined ? undefined : Number(stepsText);
    if (steps !== undefined && (!Number.isInteger(steps) || steps < 1))
      throw new UsageError(`--steps must be a whole number ≥ 1, not "${stepsText}"`, predictCommand);
    const cp = ctx.string('checkpoint') ?? 'best';
    if (cp !== 'best' && cp !== 'last')
      throw new UsageError(`--checkpoint must be best or last, not "${cp}"`, predictCommand);
    const csv = ctx.string('csv');
    const r = await must(ctx.svc, 'runs.predict', {
      id,
      checkpoint: cp,
      ...(steps !== undefined ? { steps } : {}),
      ...(csv ? { csvPath: resolve(csv) } : {}),
    });
    const out = ctx.string('out');
    if (out) {
      writeFileSync(resolve(out), predictCsv(r));
      if (!ctx.flag('json')) console.log(`wrote ${r.rows.length} forecast(s) to ${resolve(out)}`);
    }
    if (ctx.flag('json')) console.log(JSON.stringify(r));
    else if (!out)
      console.log(
        table(
          ['series', 'origin', 'time', 'step', 'target', 'value'],
          r.rows.map((x) => [x.series, x.origin, x.time, x.step, x.target, x.value.toPrecision(6)]),
        ),
      );
    return 0;
  },
};
