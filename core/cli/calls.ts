// Service calls as the CLI makes them: a failed call becomes a thrown ServiceError that the entry
// prints as one line (through toApiError), and a training run is followed until its worker exits.
import { ServiceError, type Args, type MethodName, type Output, type RunRow } from '../contract.js';
import { ProgressLine } from '../progress.js';
import type { Service } from '../service.js';
import { fmt } from './format.js';
import { UsageError } from './table.js';

export async function must<M extends MethodName>(svc: Service, method: M, args: Args<M>): Promise<Output<M>> {
  const r = await svc.call(method, args);
  if (!r.ok) throw new ServiceError(r.error.code, r.error.message, r.error.field);
  return r.value;
}

/** A dataset named by id or by (unique) name. */
export async function datasetId(svc: Service, ref: string): Promise<number> {
  const all = await must(svc, 'datasets.list', {});
  const byId = /^\d+$/.test(ref) ? all.find((d) => d.id === Number(ref)) : undefined;
  const matches = byId ? [byId] : all.filter((d) => d.name === ref);
  if (matches.length === 0) throw new ServiceError('not_found', `no dataset "${ref}" (see: rnn-workbench datasets)`);
  if (matches.length > 1)
    throw new ServiceError(
      'conflict',
      `several datasets are named "${ref}": use the id (${matches.map((d) => d.id).join(', ')})`,
    );
  return matches[0]!.id;
}

export function runId(ref: string | undefined): number {
  if (!ref || !/^\d+$/.test(ref)) throw new UsageError(`expected a run id, got "${ref ?? ''}"`);
  return Number(ref);
}

/** Shows a run's progress on stderr until its worker exits; the first Ctrl+C asks it to stop. */
export async function follow(svc: Service, id: number, json: boolean): Promise<RunRow> {
  const bar = new ProgressLine(process.stderr);
  const offs = [
    svc.on('run:progress', (p) => {
      if (p.runId !== id) return;
      bar.update(
        p.epoch - 1 + p.batch / p.batches,
        p.epochs,
        `epoch ${p.epoch}/${p.epochs} loss ${fmt(p.loss)} ${Math.round(p.samplesPerSec)} samples/s ETA ${Math.round(p.etaSeconds)}s`,
      );
    }),
    svc.on('run:epoch', (e) => {
      if (e.runId !== id || json) return;
      bar.log(
        `epoch ${e.epoch}: ${Object.entries(e.metrics)
          .filter(([k]) => !k.includes('seconds') && k !== 'samples_per_sec')
          .map(([k, v]) => `${k} ${fmt(v)}`)
          .join('  ')}`,
      );
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
