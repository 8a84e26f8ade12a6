// Study commands (docs/studies.md): `tune` (the built-in study for one target column), `study
// create|show|stop|resume|list`, and the grouped view of `runs --group-by` (mean ± std over seeds).
import { readFileSync } from 'node:fs';
import { ServiceError, type RunGroup, type RunRow, type Selection, type StudyRow } from '../contract.js';
import type { Service } from '../service.js';
import { groupInputOf, groupRuns } from '../study/groups.js';
import { ProgressLine } from '../progress.js';
import { datasetId, must } from './calls.js';
import { fmt, table } from './format.js';
import { JSON_OPTION, UsageError, type Command, type CommandContext } from './table.js';

const BASELINES = ['naive', 'seasonal', 'ets'] as const;

/** The trials as a table: number, run, status, rung, epochs, objective, then the sampled params. */
export function printStudy(s: StudyRow, best = true): void {
  const done = s.trials.filter((t) => t.status !== 'queued' && t.status !== 'running').length;
  const planned = s.plannedTrials ?? '?';
  const budget = s.file.budgetSeconds ? `, budget ${s.file.budgetSeconds}s` : '';
  console.log(
    `study ${s.id} "${s.name}": ${s.state}, ${done}/${planned} trials ended (${s.counts.pruned ?? 0} pruned), ` +
      `${s.file.strategy}${s.file.prune.kind === 'asha' ? ' + ASHA' : ''}, ${Math.round(s.elapsedSeconds)}s${budget}` +
      (s.error ? `\n  ${s.error}` : ''),
  );
  const paths = Object.keys(s.file.space);
  const show = (v: unknown) => (typeof v === 'number' ? fmt(v, 3) : JSON.stringify(v));
  console.log(
    table(
      ['trial', 'run', 'status', 'rung', 'epochs', s.objective.metric, ...paths],
      s.trials.map((t) => [
        t.trial + 1,
        t.runId,
        t.status,
        t.rung === null ? '-' : t.rung,
        t.epochsDone,
        fmt(t.value),
        ...paths.map((p) => show(t.params[p])),
      ]),
    ).replace(/^/gm, '  '),
  );
  if (s.file.seeds > 1)
    printGroups(
      groupRuns(
        s.trials.map((t) => trialInput(t)),
        ['config'],
      ),
    );
  if (s.selection) {
    const b = s.best;
    if (best && b)
      console.log(
        `best by ${s.objective.metric}: trial ${b.trial + 1} (run ${b.runId}), ${s.objective.metric} ${fmt(b.value)}, test mae ${fmt(b.test['test.mae'])}`,
      );
    printSelection(s, s.selection);
  } else if (best) printBest(s);
}

/** tune's re-ranking (stored on the study): the candidates' backtests and the pick against the baselines. */
export function printSelection(s: StudyRow, sel: Selection): void {
  console.log('re-ranked by a backtest before the test split (mean test MAE of its folds):');
  console.log(
    table(
      ['trial', 'forecast', 'run', s.objective.metric, 'backtest', 'folds', 'mae', 'paired t', 'note'],
      sel.candidates.map((c) => [
        c.trial + 1,
        c.combine ? 'with ETS' : 'network',
        c.runId,
        fmt(c.value),
        c.backtestId ?? '-',
        c.folds,
        fmt(c.backtestMae ?? undefined),
        // The Diebold–Mariano t over the folds' windows (core/study/paired.ts): the default with ETS
        // against the default alone; the others against the default's reference form (pick.ts).
        c.paired ? `${c.paired.t.toFixed(2)} (${c.paired.windows})` : '-',
        c.note ?? '',
      ]),
    ).replace(/^/gm, '  '),
  );
  const why = {
    backtest: 'by backtest',
    default: 'the defaults: no trial beat them clearly',
    validation: 'by validation',
  };
  const trial = s.trials.find((t) => t.trial === sel.trial);
  // A pick with ETS is delivered by its own run (the trial's spec with combine: ets).
  const shown = trial && sel.combine ? { ...trial, runId: sel.runId, test: sel.test ?? trial.test } : trial;
  printBest(s, shown, `selected (${why[sel.by]}${sel.combine ? ', averaged with its ETS baseline' : ''})`);
}

const trialInput = (t: StudyRow['trials'][number]) => ({
  id: t.runId,
  params: { config: t.configHash },
  metrics: { ...(t.value !== null ? { objective: t.value } : {}), ...t.test },
});

/** The best trial (or the one tune picked) and its test metrics against the baselines every run records. */
export function printBest(s: StudyRow, b = s.best, label = 'best'): void {
  if (!b) {
    console.log('no trial has a value yet');
    return;
  }
  console.log(`${label}: trial ${b.trial + 1} (run ${b.runId}), ${s.objective.metric} ${fmt(b.value)}`);
  for (const [p, v] of Object.entries(b.params)) console.log(`  ${p} = ${JSON.stringify(v)}`);
  for (const m of ['mae', 'rmse', 'mase']) {
    const model = b.test[`test.${m}`];
    if (model === undefined) continue;
    const others = BASELINES.map((w) => [w, b.test[`${w}.${m}`]] as const).filter(([, v]) => v !== undefined);
    const verdict = others.map(([w, v]) => `${w} ${fmt(v)}${model < v! ? ' (beaten)' : ''}`).join(', ');
    console.log(`  test ${m}: model ${fmt(model)} vs ${verdict}`);
  }
}

export function printGroups(groups: RunGroup[]): void {
  const keys = [...new Set(groups.flatMap((g) => Object.keys(g.metrics)))].filter((k) =>
    /^(val_loss|objective|test\.(mae|rmse|mase|accuracy))$/.test(k),
  );
  const by = Object.keys(groups[0]?.key ?? {});
  console.log(
    table(
      [...by, 'runs', ...keys.flatMap((k) => [`${k} mean ± std`, 'min', 'max'])],
      groups.map((g) => [
        ...by.map((k) => g.key[k]!),
        g.runIds.length,
        ...keys.flatMap((k) => {
          const m = g.metrics[k];
          return m ? [`${fmt(m.mean)} ± ${fmt(m.std, 2)}`, fmt(m.min), fmt(m.max)] : ['-', '-', '-'];
        }),
      ]),
    ),
  );
}

/** `runs --group-by a,b` (or `all`: every differing param but the seed). */
export function printRunGroups(rows: RunRow[], groupBy: string, json: boolean): void {
  const by = groupBy === 'all' ? undefined : groupBy.split(',').map((s) => s.trim());
  const groups = groupRuns([...rows].reverse().map(groupInputOf), by);
  if (json) console.log(JSON.stringify(groups));
  else printGroups(groups);
}

/** Follows a study on stderr (one line per trial that changes) until this host's loop ends; Ctrl+C stops it. */
export async function followStudy(svc: Service, id: number, json: boolean): Promise<StudyRow> {
  const bar = new ProgressLine(process.stderr);
  const seen = new Map<number, string>();
  const off = svc.on('study:progress', (p) => {
    if (p.studyId !== id || json) return;
    const best = p.best ? `best ${fmt(p.best.value)} (trial ${p.best.trial + 1})` : 'no best yet';
    const t = p.trial;
    const line = t ? `${t.status}${t.rung !== null ? ` rung ${t.rung}` : ''}` : '';
    if (t && seen.get(t.trial) !== line) {
      seen.set(t.trial, line);
      bar.log(`trial ${t.trial + 1} (run ${t.runId}): ${line}${t.value !== null ? `, value ${fmt(t.value)}` : ''}`);
    }
    bar.update(p.done, p.planned ?? p.done + 1, `${p.done}/${p.planned ?? '?'} trials, ${p.pruned} pruned, ${best}`);
  });
  const onSigint = () => {
    bar.log(`stopping the study: running trials save and end (resume with: rnn-workbench study resume ${id})`);
    void svc.call('studies.stop', { id });
  };
  process.on('SIGINT', onSigint);
  await svc.waitForStudy(id);
  process.off('SIGINT', onSigint);
  off();
  bar.done();
  return must(svc, 'studies.get', { id });
}

/** Follows the study to its end, then prints it (or its JSON). */
async function finish(ctx: CommandContext, s: StudyRow): Promise<number> {
  const json = ctx.flag('json');
  if (!json)
    console.error(`study ${s.id} "${s.name}": ${s.plannedTrials ?? 'time-bounded'} trials, ${s.concurrency} at once`);
  const done = await followStudy(ctx.svc, s.id, json);
  if (json) console.log(JSON.stringify(done));
  else printStudy(done);
  return done.state === 'completed' || done.state === 'stopped' ? 0 : 1;
}

export const int = (ctx: CommandContext, name: string, cmd: Command): number | undefined => {
  const v = ctx.string(name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} expects a whole number, got "${v}"`, cmd);
  return Number(v);
};

function readStudyFile(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new ServiceError('bad_input', `${path}: ${(e as Error).message}`);
  }
}

const studyId = (ref: string | undefined): number => {
  if (!ref || !/^\d+$/.test(ref)) throw new UsageError(`expected a study id, got "${ref ?? ''}"`, studyCommand);
  return Number(ref);
};

export const studyCommand: Command = {
  name: 'study',
  usage: 'create <space.json> --dataset <id|name> [--target COL] | show <id> | stop <id> | resume <id> | list [--json]',
  summary: 'hyperparameter studies: create one from a study file, follow, stop and resume it, list them',
  details:
    'The study file format: docs/studies.md. create and resume follow the study until it ends (Ctrl+C stops it).',
  options: {
    dataset: { type: 'string', value: '<id|name>', help: 'create: the dataset' },
    target: { type: 'string', value: 'COL', help: "create: the target column (default: the file's base.target)" },
    ...JSON_OPTION,
  },
  positionals: [1, 2],
  db: 'write',
  async run(ctx) {
    const [sub, ref] = ctx.positionals;
    const json = ctx.flag('json');
    if (sub === 'create') {
      if (!ref) throw new UsageError('study create needs a study file', studyCommand);
      const ds = ctx.string('dataset');
      if (!ds) throw new UsageError('study create needs --dataset', studyCommand);
      const file = readStudyFile(ref);
      const target = ctx.string('target');
      if (target) file.base = { ...(file.base as object), target };
      return finish(
        ctx,
        await must(ctx.svc, 'studies.create', {
          ...(file as object),
          datasetId: await datasetId(ctx.svc, ds),
        } as never),
      );
    }
    if (sub === 'resume') return finish(ctx, await must(ctx.svc, 'studies.resume', { id: studyId(ref) }));
    if (sub === 'stop' || sub === 'show') {
      const s = await must(ctx.svc, sub === 'stop' ? 'studies.stop' : 'studies.get', { id: studyId(ref) });
      if (json) console.log(JSON.stringify(s));
      else printStudy(s);
      return 0;
    }
    if (sub === 'list') {
      const all = await must(ctx.svc, 'studies.list', {});
      if (json) console.log(JSON.stringify(all));
      else if (!all.length) console.log('no studies yet: rnn-workbench tune --dataset D --target COL');
      else
        console.log(
          table(
            ['id', 'name', 'state', 'strategy', 'trials', 'pruned', 'objective', 'best'],
            all.map((s) => [
              s.id,
              s.name,
              s.state,
              s.file.strategy,
              `${s.trials.length}/${s.plannedTrials ?? '?'}`,
              s.counts.pruned ?? 0,
              s.objective.metric,
              s.best ? `${fmt(s.best.value)} (run ${s.best.runId})` : '-',
            ]),
          ),
        );
      return 0;
    }
    throw new UsageError(`study: unknown subcommand "${sub}" (create, show, stop, resume, list)`, studyCommand);
  },
};
