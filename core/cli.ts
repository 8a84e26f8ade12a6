// `rnn-workbench <command>`: the headless host. Every command goes through the same service and
// contract as the desktop app and browser mode.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Args, MethodName, Output, RunRow } from './contract.js';
import { flattenSpec, setSpecPath } from './spec.js';
import { defaultDbPath } from './paths.js';
import { createService, type Service } from './service.js';
import { ProgressLine } from './progress.js';

const USAGE = `Usage: rnn-workbench <command> [options]

Commands:
  import <file.csv> [--name NAME]        import a CSV time series as a dataset
  datasets [--json]                      list datasets
  train --dataset <id|name> [--spec file.json] [--set key=value ...] [--name NAME] [--tag T ...]
                                         design and train a run (dotted --set paths, e.g. --set window.lookback=48
                                         --set model.layers.0.units=32); Ctrl+C stops it gracefully
  runs [--dataset <id|name>] [--json]    list runs
  show <run> [--json]                    one run: spec, status, best metrics, test evaluation
  compare <run> <run>... [--json]        runs side by side: differing parameters, best values, test metrics
  stop <run>                             ask a running trainer to save and stop
  resume <run>                           continue an interrupted or stopped run from its last checkpoint
  export <run> --out <dir> [--checkpoint best|last]
                                         export the model (TF.js layers format + preprocessing.json)
  serve [--port N] [--no-open]           browser mode: the workbench UI on http://127.0.0.1

Options:
  --db <file>   the database (default: RNN_WORKBENCH_DB or the desktop app's file: ${defaultDbPath()})
  --help        this text`;

interface Parsed {
  positional: string[];
  flags: Map<string, string[]>;
}

const BOOLEAN_FLAGS = new Set(['json', 'no-open', 'help']);

export function parseArgv(argv: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 && !a.startsWith('--set') ? a.slice(2, eq) : a.slice(2);
    let value: string;
    if (eq > 0 && !a.startsWith('--set')) value = a.slice(eq + 1);
    else if (BOOLEAN_FLAGS.has(name)) value = 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { positional, flags };
}

class UsageError extends Error {}

const flag = (p: Parsed, name: string): string | undefined => p.flags.get(name)?.at(-1);

async function must<M extends MethodName>(svc: Service, method: M, args: Args<M>): Promise<Output<M>> {
  const r = await svc.call(method, args);
  if (!r.ok) {
    const where = r.error.field ? ` [${r.error.field}]` : '';
    throw new CliError(`${r.error.message}${where}`);
  }
  return r.value;
}

class CliError extends Error {}

async function datasetId(svc: Service, ref: string): Promise<number> {
  const all = await must(svc, 'datasets.list', {});
  const byId = /^\d+$/.test(ref) ? all.find((d) => d.id === Number(ref)) : undefined;
  const matches = byId ? [byId] : all.filter((d) => d.name === ref);
  if (matches.length === 0) throw new CliError(`no dataset "${ref}" (see: rnn-workbench datasets)`);
  if (matches.length > 1) throw new CliError(`several datasets are named "${ref}": use the id (${matches.map((d) => d.id).join(', ')})`);
  return matches[0]!.id;
}

function runId(ref: string | undefined): number {
  if (!ref || !/^\d+$/.test(ref)) throw new UsageError(`expected a run id, got "${ref ?? ''}"`);
  return Number(ref);
}

const fmt = (v: number | undefined | null, digits = 4): string => (v === undefined || v === null || !Number.isFinite(v) ? '-' : Number(v.toPrecision(digits)).toString());

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

const best = (r: RunRow, key: string) => r.summary.find((s) => s.key === key)?.best;

function runLine(r: RunRow): (string | number)[] {
  const layers = r.spec.model.layers.map((l) => l.units).join('x');
  const test = r.spec.task === 'classify' ? `acc ${fmt(r.test['test.accuracy'])}` : `rmse ${fmt(r.test['test.rmse'])} mase ${fmt(r.test['test.mase'])}`;
  return [r.id, r.name, r.datasetName ?? '(deleted)', r.status, `${r.spec.model.cell} ${layers}`, r.spec.window.lookback, r.epochsDone, fmt(best(r, 'val_loss')), test];
}

async function follow(svc: Service, id: number, json: boolean): Promise<RunRow> {
  const bar = new ProgressLine(process.stderr);
  const offs = [
    svc.on('run:progress', (p) => {
      if (p.runId !== id) return;
      bar.update(p.epoch - 1 + p.batch / p.batches, p.epochs, `epoch ${p.epoch}/${p.epochs} loss ${fmt(p.loss)} ${Math.round(p.samplesPerSec)} samples/s ETA ${Math.round(p.etaSeconds)}s`);
    }),
    svc.on('run:epoch', (e) => {
      if (e.runId !== id || json) return;
      bar.log(`epoch ${e.epoch}: ${Object.entries(e.metrics).filter(([k]) => !k.includes('seconds') && k !== 'samples_per_sec').map(([k, v]) => `${k} ${fmt(v)}`).join('  ')}`);
    }),
    svc.on('run:log', (l) => {
      if (l.runId === id && !json) bar.log(`[${l.level}] ${l.message}`);
    }),
  ];
  let stopping = false;
  const onSigint = () => {
    if (stopping) process.exit(130);
    stopping = true;
    bar.log('stopping: the trainer finishes its batch and saves (Ctrl+C again to leave it running)');
    void svc.call('runs.stop', { id });
  };
  process.on('SIGINT', onSigint);
  await svc.waitForRun(id);
  process.off('SIGINT', onSigint);
  offs.forEach((off) => off());
  bar.done();
  return must(svc, 'runs.get', { id });
}

function printRun(r: RunRow): void {
  console.log(`run ${r.id} "${r.name}" on ${r.datasetName ?? '(deleted dataset)'}: ${r.status}${r.error ? ` — ${r.error}` : ''}`);
  console.log(`  ${r.spec.task} ${r.spec.target.join(', ')} with ${r.spec.model.cell} ${r.spec.model.layers.map((l) => l.units).join('x')}, lookback ${r.spec.window.lookback}, horizon ${r.spec.window.horizon}`);
  console.log(`  backend ${r.backend ?? '-'} (${r.device ?? '-'}), ${r.impl ?? '-'}, ${r.paramCount ?? '-'} parameters, ${r.epochsDone} epochs`);
  if (r.summary.length) console.log(table(['metric', 'last', 'best', 'best epoch', 'min', 'max'], r.summary.map((s) => [s.key, fmt(s.last), fmt(s.best), s.bestEpoch, fmt(s.min), fmt(s.max)])).replace(/^/gm, '  '));
  const test = Object.entries(r.test).filter(([k]) => !k.includes('confusion'));
  if (test.length) {
    const groups = new Map<string, Map<string, number>>();
    for (const [k, v] of test) {
      const [who, ...rest] = k.split('.');
      if (!rest.length) continue;
      const g = groups.get(rest.join('.')) ?? new Map<string, number>();
      g.set(who!, v);
      groups.set(rest.join('.'), g);
    }
    const cols = [...new Set(test.map(([k]) => k.split('.')[0]!).filter((k) => k !== 'season_length'))];
    console.log(`  test split (best checkpoint${r.test.season_length ? `, season length ${r.test.season_length}` : ''}):`);
    console.log(table(['metric', ...cols], [...groups].filter(([m]) => m !== 'windows').map(([m, g]) => [m, ...cols.map((c) => fmt(g.get(c)))])).replace(/^/gm, '    '));
  }
}

export async function main(argv: string[]): Promise<number> {
  const p = parseArgv(argv);
  const cmd = p.positional[0];
  if (!cmd || flag(p, 'help')) {
    console.log(USAGE);
    return flag(p, 'help') ? 0 : 1;
  }
  const dbPath = resolve(flag(p, 'db') ?? defaultDbPath());
  const json = flag(p, 'json') === 'true';
  const svc = createService({ dbPath, host: cmd === 'serve' ? 'server' : 'cli' });
  let keepOpen = false;
  try {
    switch (cmd) {
      case 'import': {
        const file = p.positional[1];
        if (!file) throw new UsageError('import needs a CSV file');
        const bar = new ProgressLine(process.stderr);
        const off = svc.on('import:progress', (e) => bar.update(e.bytes, e.totalBytes, `${e.rows.toLocaleString()} rows`));
        const name = flag(p, 'name');
        const ds = await must(svc, 'datasets.import', { path: resolve(file), ...(name ? { name } : {}) });
        off();
        bar.done();
        if (json) console.log(JSON.stringify(ds));
        else {
          console.log(`dataset ${ds.id} "${ds.name}": ${ds.rowCount} rows, time column ${ds.timeColumn ?? '(none)'}${ds.seriesColumn ? `, series ${ds.seriesColumn}` : ''}`);
          const day = (v: number | null) => (v === null ? '-' : new Date(v).toISOString().replace('T00:00:00.000Z', '').replace('.000Z', 'Z'));
          console.log(table(['column', 'kind', 'missing', 'min', 'max', 'mean'], ds.columns.map((c) =>
            c.kind === 'datetime' ? [c.name, c.kind, c.missing, day(c.stats.min), day(c.stats.max), ''] : [c.name, c.kind, c.missing, fmt(c.stats.min), fmt(c.stats.max), fmt(c.stats.mean)])));
          for (const w of ds.warnings) console.log(`warning: ${w}`);
        }
        break;
      }
      case 'datasets': {
        const all = await must(svc, 'datasets.list', {});
        if (json) console.log(JSON.stringify(all));
        else console.log(all.length ? table(['id', 'name', 'rows', 'columns', 'time', 'imported'], all.map((d) => [d.id, d.name, d.rowCount, d.columns.length, d.timeColumn ?? '-', d.importedAt])) : 'no datasets yet: rnn-workbench import <file.csv>');
        break;
      }
      case 'train': {
        const ref = flag(p, 'dataset');
        if (!ref) throw new UsageError('train needs --dataset <id|name>');
        const id = await datasetId(svc, ref);
        const specFile = flag(p, 'spec');
        let spec: Record<string, unknown> = {};
        if (specFile) {
          try {
            spec = JSON.parse(readFileSync(specFile, 'utf8')) as Record<string, unknown>;
          } catch (e) {
            throw new CliError(`${specFile}: ${(e as Error).message}`);
          }
        }
        for (const s of p.flags.get('set') ?? []) setSpecPath(spec, s);
        if (spec.target === undefined) {
          const ds = await must(svc, 'datasets.get', { id });
          const numeric = ds.columns.filter((c) => c.kind === 'numeric');
          if (numeric.length === 0) throw new CliError('the spec has no "target" and the dataset has no numeric column to default to');
          spec.target = numeric[numeric.length - 1]!.name;
          if (!json) console.error(`no target given: forecasting "${String(spec.target)}" (set one with --set target=COLUMN)`);
        }
        const name = flag(p, 'name');
        const run = await must(svc, 'runs.create', { datasetId: id, spec, ...(name ? { name } : {}), tags: p.flags.get('tag') ?? [] });
        if (!json) console.error(`run ${run.id} "${run.name}" queued`);
        const done = await follow(svc, run.id, json);
        if (json) console.log(JSON.stringify(done));
        else printRun(done);
        return done.status === 'completed' || done.status === 'stopped' ? 0 : 1;
      }
      case 'runs': {
        const ref = flag(p, 'dataset');
        const rows = await must(svc, 'runs.list', ref ? { datasetId: await datasetId(svc, ref) } : {});
        if (json) console.log(JSON.stringify(rows));
        else console.log(rows.length ? table(['id', 'name', 'dataset', 'status', 'model', 'lookback', 'epochs', 'best val_loss', 'test'], rows.map(runLine)) : 'no runs yet: rnn-workbench train --dataset <id>');
        break;
      }
      case 'show': {
        const r = await must(svc, 'runs.get', { id: runId(p.positional[1]) });
        if (json) console.log(JSON.stringify(r));
        else printRun(r);
        break;
      }
      case 'compare': {
        const ids = p.positional.slice(1).map(runId);
        if (ids.length < 2) throw new UsageError('compare needs at least two run ids');
        const runs = await Promise.all(ids.map((id) => must(svc, 'runs.get', { id })));
        const flat = runs.map((r) => flattenSpec(r.spec));
        const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
        const differing = keys.filter((k) => new Set(flat.map((f) => f[k])).size > 1);
        const metricKeys = [...new Set(runs.flatMap((r) => r.summary.map((s) => s.key)))].filter((k) => /loss|mae|rmse|acc/.test(k));
        const testKeys = [...new Set(runs.flatMap((r) => Object.keys(r.test)))].filter((k) => !k.includes('confusion') && !k.includes('.windows')).sort();
        if (json) {
          console.log(JSON.stringify({ runs, differing: Object.fromEntries(differing.map((k) => [k, flat.map((f) => f[k] ?? null)])) }));
          break;
        }
        const head = ['', ...runs.map((r) => `#${r.id} ${r.name}`)];
        console.log(table(head, [
          ['status', ...runs.map((r) => r.status)],
          ['epochs', ...runs.map((r) => r.epochsDone)],
          ...differing.map((k) => [k, ...flat.map((f) => f[k] ?? '-')]),
          ...metricKeys.map((k) => [`best ${k}`, ...runs.map((r) => fmt(best(r, k)))]),
          ...testKeys.map((k) => [k, ...runs.map((r) => fmt(r.test[k]))]),
        ]));
        if (differing.length === 0) console.log('(the runs share every parameter)');
        break;
      }
      case 'stop': {
        const r = await must(svc, 'runs.stop', { id: runId(p.positional[1]) });
        console.log(`run ${r.id}: ${r.status === 'running' ? 'stop requested; it saves and ends after the current batch' : r.status}`);
        break;
      }
      case 'resume': {
        const r = await must(svc, 'runs.resume', { id: runId(p.positional[1]) });
        if (!json) console.error(`run ${r.id} resumes from epoch ${r.epochsDone}`);
        const done = await follow(svc, r.id, json);
        if (json) console.log(JSON.stringify(done));
        else printRun(done);
        return done.status === 'completed' || done.status === 'stopped' ? 0 : 1;
      }
      case 'export': {
        const out = flag(p, 'out');
        if (!out) throw new UsageError('export needs --out <dir>');
        const checkpoint = (flag(p, 'checkpoint') ?? 'best') as 'best' | 'last';
        const r = await must(svc, 'runs.export', { id: runId(p.positional[1]), outDir: resolve(out), checkpoint });
        console.log(json ? JSON.stringify(r) : `exported the ${r.checkpoint} checkpoint (epoch ${r.epoch}) to ${r.dir}: ${r.files.join(', ')}`);
        break;
      }
      case 'serve': {
        const { startServer } = await import('./server.js');
        const port = flag(p, 'port');
        const server = await startServer({ service: svc, port: port ? Number(port) : 0, open: flag(p, 'no-open') !== 'true' });
        console.log(`Recurrent Workbench is serving ${dbPath}\nopen ${server.url}\n(Ctrl+C to stop)`);
        keepOpen = true;
        const shutdown = () => {
          void server.close().then(() => svc.close()).then(() => process.exit(0));
        };
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) console.error(`${e.message}\n\n${USAGE}`);
    else console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    return e instanceof UsageError ? 2 : 1;
  } finally {
    if (!keepOpen) await svc.close();
  }
}
