// Dataset commands: import a CSV (with the user's column types), list what is stored.
import { resolve } from 'node:path';
import { ColumnType, ServiceError, type ColumnTypes } from '../contract.js';
import { ProgressLine } from '../progress.js';
import { must } from './calls.js';
import { printDataset, table } from './format.js';
import { JSON_OPTION, UsageError, type Command } from './table.js';

const TYPE_NAMES = ColumnType.options.join(', ');

/**
 * `--type COL=TYPE ...` as the import's `columnTypes`. The type comes after the last `=`, so a
 * column name may hold one. A malformed pair, an unknown type or a column typed twice is a usage
 * error naming the flag as written.
 */
export function parseTypeFlags(values: string[]): ColumnTypes {
  const types: ColumnTypes = {};
  for (const v of values) {
    const eq = v.lastIndexOf('=');
    const [col, type] = eq < 0 ? [v, ''] : [v.slice(0, eq), v.slice(eq + 1)];
    if (eq < 0 || !col)
      throw new UsageError(`--type "${v}": expected COLUMN=TYPE, e.g. --type store=text (types: ${TYPE_NAMES})`);
    const t = ColumnType.safeParse(type.trim().toLowerCase());
    if (!t.success) throw new UsageError(`--type "${v}": "${type}" is not a column type (use one of ${TYPE_NAMES})`);
    if (types[col] !== undefined && types[col] !== t.data)
      throw new UsageError(`--type: column "${col}" is given two types (${types[col]} and ${t.data})`);
    types[col] = t.data;
  }
  return types;
}

/** The importer's complaint about one typed column, said as the flag the user wrote. */
function asTypeFlagError(e: unknown, types: ColumnTypes): unknown {
  if (!(e instanceof ServiceError) || !e.field?.startsWith('columnTypes')) return e;
  const field = e.field;
  const col = field.slice('columnTypes.'.length);
  const flag = col in types ? `--type ${col}=${types[col]}` : '--type';
  return new ServiceError(e.code, `${flag}: ${e.message}`);
}

export const importCommand: Command = {
  name: 'import',
  usage: '<file.csv> [--name NAME] [--type COL=number|text|time|ignore ...] [--json]',
  summary: 'import a CSV time series as a dataset',
  details:
    "Each column's type is guessed; --type overrides the guess for one column (repeat it for more): number, text (categories: a zero-padded id keeps its zeros), time (the time column, e.g. integer years), ignore (not imported). A cell that does not fit its type stops the import, naming its line.",
  options: {
    name: { type: 'string', value: 'NAME', help: 'the dataset name (default: the file name)' },
    type: {
      type: 'string',
      multiple: true,
      value: 'COL=TYPE',
      help: `read column COL as TYPE (${TYPE_NAMES}) instead of the guess`,
    },
    ...JSON_OPTION,
  },
  positionals: [1, 1],
  db: 'create',
  async run(ctx) {
    // Before the service opens: a mistake in the line never creates a database.
    const types = parseTypeFlags(ctx.strings('type'));
    const bar = new ProgressLine(process.stderr);
    const off = ctx.svc.on('import:progress', (e) =>
      bar.update(e.bytes, e.totalBytes, `${e.rows.toLocaleString()} rows`),
    );
    const name = ctx.string('name');
    try {
      const ds = await must(ctx.svc, 'datasets.import', {
        path: resolve(ctx.positionals[0]!),
        ...(name ? { name } : {}),
        ...(Object.keys(types).length > 0 ? { columnTypes: types } : {}),
      }).catch((e: unknown) => {
        throw asTypeFlagError(e, types);
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
