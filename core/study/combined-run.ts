// tune's pick when it is a trial averaged with its ETS baseline (Selection.combine, rerank.ts
// judge): the trial's run forecasts with the network alone, so tune trains the run that delivers
// the picked forecast, the trial's spec (its seed included) with combine: ets. Training is seeded,
// so the network is the trial's again, and `predict`, `compare` and the runs table see the forecast
// tune measured on the folds.
import type { StudyRow } from '../contract.js';
import type { Service } from '../service.js';
import type { Selection } from '../study-schemas.js';

/** The trial's run time in ms (start to end), what the combined run is expected to take; 0 until known. */
export async function runMs(svc: Service, runId: number): Promise<number> {
  const r = await svc.call('runs.get', { id: runId });
  if (!r.ok || !r.value.startedAt || !r.value.endedAt) return 0;
  return Math.max(0, Date.parse(r.value.endedAt) - Date.parse(r.value.startedAt));
}

/**
 * The selection with `runId` the completed run of the trial's spec with combine: ets; for a
 * selection without `combine`, itself. When that run cannot be created or does not complete, the
 * trial's own run (the network alone) with `combine` dropped, and why in `note`.
 */
export async function deliverCombined(
  svc: Service,
  s: Pick<StudyRow, 'name' | 'datasetId'>,
  sel: Selection,
): Promise<{ selection: Selection; note: string | null }> {
  if (sel.combine !== 'ets' || s.datasetId === null) return { selection: sel, note: null };
  const alone = (why: string) => {
    const { combine: _, test: __, ...rest } = sel;
    return { selection: rest, note: `tune picked trial ${sel.trial + 1} with ETS, but ${why}: the network alone` };
  };
  const trial = await svc.call('runs.get', { id: sel.runId });
  if (!trial.ok) return alone(trial.error.message);
  const created = await svc.call('runs.create', {
    datasetId: s.datasetId,
    spec: { ...trial.value.spec, combine: 'ets' },
    name: `${s.name} · trial ${sel.trial + 1} with ETS`,
    parentId: sel.runId,
  });
  if (!created.ok) return alone(created.error.message);
  await svc.waitForRun(created.value.id);
  const done = await svc.call('runs.get', { id: created.value.id });
  if (!done.ok || done.value.status !== 'completed')
    return alone(`its run ${created.value.id} ended ${done.ok ? done.value.status : 'unreadable'}`);
  return { selection: { ...sel, runId: created.value.id, test: done.value.test }, note: null };
}
