// Dataset commands: import a CSV, list what is stored.
import { resolve } from 'node:path';
import { ProgressLine } from '../progress.js';
import { must } from './calls.js';
import { printDataset, table } from './format.js';
import { JSON_OPTION, type Command } from './table.js';

export const importCommand: Command = {
  name: 'import',
  usage: '<file.csv> [--name NAME] [--json]',
  summary: 'import a CSV time series as a dataset',
  options: {
    name: { type: 'string', value: 'NAME', help: 'the dataset name (default: the file name)' },
    ...JSON_OPTION,
  },
  positionals: [1, 1],
  db: 'create',
  async run(ctx) {
    const bar = new ProgressLine(process.stderr);
    const off = ctx.svc.on('import:progress', (e) =>
      bar.update(e.bytes, e.totalBytes, `${e.rows.toLocaleString()} rows`),
    );
    const name = ctx.string('name');
    try {
      const ds = await must(ctx.svc, 'datasets.import', {
        path: resolve(ctx.positionals[0]!),
        ...(name ? { name } : {}),
      });
      bar.done();
      if (ctx.flag('json')) console.log(JSON.stringify(ds));
      else printDataset(ds);
      return 0;
    } finally {
      off();
      bar.done();
    }
  },
};

export const datasetsCommand: Command = {
  name: 'datasets',
  usage: '[--json]',
  summary: 'list datasets',
  options: { ...JSON_OPTION },
  positionals: [0, 0],
  db: 'read',
  async run(ctx) {
    const all = await must(ctx.svc, 'datasets.list', {});
    if (ctx.flag('json')) console.log(JSON.stringify(all));
    else if (!all.length) console.log('no datasets yet: rnn-workbench import <file.csv>');
    else
      console.log(
        table(
          ['id', 'name', 'rows', 'columns', 'time', 'imported'],
          all.map((d) => [d.id, d.name, d.rowCount, d.columns.length, d.timeColumn ?? '-', d.importedAt]),
        ),
      );
    return 0;
  },
};
