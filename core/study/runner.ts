// Drives a study in this host: keeps `concurrency` trials in flight through a TrialLauncher,
// creates trial t's run (its configuration from the strategy) when a slot frees, judges running
// trials at ASHA rungs and stops the losers (marked `pruned`), ends the study when every planned
// trial has ended or the time budget is spent. Each step reads the study and its trials from
// SQLite, so a restarted host continues where the dead one was: trial numbers not yet created
// are created, none twice (unique index on study_id + trial). A beat records this host as the
// study's driver; a host that dies leaves a stale beat and the next start marks the study interrupted.
import { flattenSpec, parseSpec, type EventMap } from '../contract.js';
import * as runsDb from '../../db/runs.js';
import * as studiesDb from '../../db/studies.js';
import type { ServiceContext } from '../handlers/context.js';
import { processStartTime, trainerLiveness } from '../trainer-identity.js';
import type { TrialRow } from '../study-schemas.js';
import { promotable, rungEpochs, rungMetric } from './asha.js';
import { LoopSet } from '../loops.js';
import type { TrialLauncher } from './launcher.js';
import { applyConfig, configHash, type Config } from './space.js';
import { knownSeason, seasonRuledOut } from './season-known.js';
import { plannedConfigs, proposeConfig, trialOf } from './strategy.js';
import { ENDED_TRIAL, fileOf, objectiveOf, plannedTrials, progressOf, studyRow, trialRows } from './view.js';

export type Subscribe = <E extends 'run:status' | 'run:epoch'>(event: E, l: (p: EventMap[E]) => void) => () => void;

const TICK_MS = 500;
/** Times one host resumes a trial whose trainer died while the study ran, before counting it ended. */
const AUTO_RESUMES = 2;

/** The error of a study interrupted because its host closed (an app quit: nothing to announce). */
export const HOST_CLOSED = 'the host closed during the study; resume it to continue';

export const thisHost = (): studiesDb.HostIdentity => ({ pid: process.pid, started: processStartTime(process.pid) });

export class StudyDriver {
  private readonly loops = new LoopSet();
  private readonly resumed = new Map<number, number>();
  private readonly shown = new Map<number, string>();
  /** Trials this host asked to stop (budget spent, pruned): asked once. */
  private readonly stopping = new Set<number>();
  /** The concurrency of each study this host drives: how many warm trainers the launcher keeps. */
  private readonly pool = new Map<number, number>();
  /** Trainers kept warm besides the studies' (tune's re-ranking backtests, `hold`). */
  private held = 0;

  constructor(
    private readonly ctx: ServiceContext,
    readonly launcher: TrialLauncher,
    private readonly subscribe: Subscribe,
  ) {}

  /** Starts the study's loop unless this host already runs it. */
  drive(id: number): void {
    this.loops.start(
      id,
      async () => {
        this.pool.set(id, studiesDb.getStudy(this.ctx.db, id)?.concurrency ?? 1);
        this.warmPool();
        try {
          await this.loop(id);
        } finally {
          this.pool.delete(id);
          this.warmPool();
        }
      },
      (e) => {
        const error = `study loop failed: ${e.message}`;
        if (studiesDb.endStudy(this.ctx.db, id, 'interrupted', error))
          this.ctx.emit('study:status', { studyId: id, state: 'interrupted', error });
      },
    );
  }

  /** Trainers kept warm: one per trial slot of the studies driven here (trials after the first skip the process start). */
  private warmPool(): void {
    let n = this.held;
    for (const c of this.pool.values()) n += c;
    this.launcher.reserve(this.loops.closed ? 0 : n);
  }

  /** Keeps `n` more trainers warm for the runs this host starts (0: none); see Service.keepTrainersWarm. */
  hold(n: number): void {
    this.held = n;
    this.warmPool();
  }

  driving(id: number): boolean {
    return this.loops.has(id);
  }

  wait(id: number): Promise<void> {
    return this.loops.wait(id);
  }

  /** The host is closing: its studies become interrupted (resumable); their trials are stopped by the job registry. */
  close(): void {
    this.loops.closed = true;
    for (const id of this.loops.ids()) {
      const error = HOST_CLOSED;
      if (studiesDb.endStudy(this.ctx.db, id, 'interrupted', error))
        this.ctx.emit('study:status', { studyId: id, state: 'interrupted', error });
    }
  }

  private async loop(id: number): Promise<void> {
    let last = Date.now();
    for (;;) {
      if (this.loops.closed) return;
      const now = Date.now();
      studiesDb.beatStudy(this.ctx.db, id, now - last);
      last = now;
      const rec = studiesDb.getStudy(this.ctx.db, id);
      if (!rec || rec.state !== 'running' || rec.host_pid !== process.pid) return;
      if (rec.dataset_id === null) {
        this.end(id, 'interrupted', 'the dataset was deleted');
        return;
      }
      if (await this.step(rec)) return;
      this.report(rec);
      await this.nextEvent(id);
    }
  }

  /** One pass over the study; true when it has ended. */
  private async step(rec: studiesDb.StudyRecord): Promise<boolean> {
    const trials = trialRows(this.ctx.db, rec);
    await this.reconcile(trials);
    await this.prune(rec, trials);
    const active = trials.filter((t) => t.status === 'queued' || t.status === 'running');
    const timeUp = rec.budget_seconds !== null && rec.elapsed_ms / 1000 >= rec.budget_seconds;
    if (timeUp) {
      for (const t of active) await this.stop(t.runId);
      if (active.length === 0) this.end(rec.id, 'completed');
      return active.length === 0;
    }
    // A stop (studies.stop) may have come while this pass awaited: no trial starts after it.
    if (studiesDb.getStudy(this.ctx.db, rec.id)?.state !== 'running' || this.loops.closed) return true;
    const planned = plannedTrials(rec);
    // Numbers below next_trial were handed out: a trial whose run the user deleted stays removed.
    let next = rec.next_trial;
    let inFlight = active.length;
    while (inFlight < rec.concurrency && (planned === null || next < planned)) {
      this.createTrial(rec, next);
      next++;
      inFlight++;
    }
    if (inFlight === 0 && planned !== null && next >= planned) {
      this.end(rec.id, 'completed');
      return true;
    }
    return false;
  }

  /** Pruning decisions a stop raced, and trials whose trainer died while the study ran (resumed, twice at most). */
  private async reconcile(trials: readonly TrialRow[]): Promise<void> {
    for (const t of trials) {
      if (['stopped', 'interrupted', 'failed'].includes(t.status) && studiesDb.markPruned(this.ctx.db, t.runId)) {
        this.ctx.emit('run:status', { runId: t.runId, status: 'pruned' });
        continue;
      }
      if (t.status !== 'interrupted') continue;
      const n = this.resumed.get(t.runId) ?? 0;
      if (n >= AUTO_RESUMES) continue;
      this.resumed.set(t.runId, n + 1);
      await this.launcher.resume(t.runId).catch(() => undefined);
    }
  }

  /** ASHA: each running trial is judged at every rung it has reached and not yet passed. */
  private async prune(rec: studiesDb.StudyRecord, trials: readonly TrialRow[]): Promise<void> {
    const file = fileOf(rec);
    const prune = file.prune;
    if (prune.kind !== 'asha') return;
    const { key, direction } = rungMetric(objectiveOf(file.objective));
    const all = trials.map((t) => t.runId);
    // Trials of the configurations tried first (a strong default and its neighbours, in tune) are
    // judged on their whole training: with noisy validation curves an early rung prunes the best
    // configuration too (docs/studies.md, tune).
    // A strategy's proposal in a first configuration's place (seasonRuledOut) is judged like any other.
    const spared = (t: TrialRow) => {
      const given = prune.spareFirst ? file.first?.[trialOf(t.trial, rec.seeds).config] : undefined;
      return given !== undefined && JSON.stringify(given) === JSON.stringify(t.params);
    };
    for (const t of trials) {
      if (t.status !== 'running' || this.stopping.has(t.runId) || spared(t)) continue;
      const run = runsDb.getRun(this.ctx.db, t.runId);
      if (!run) continue;
      const rungs = rungEpochs(prune, parseSpec(JSON.parse(run.spec)).train.epochs);
      for (let k = (t.rung ?? -1) + 1; k < rungs.length && rungs[k]! <= t.epochsDone; k++) {
        const at = studiesDb.metricAtEpoch(this.ctx.db, all, key, rungs[k]!, direction === 'max');
        const mine = at.get(t.runId);
        if (mine === undefined) break;
        at.delete(t.runId);
        if (promotable(mine, [...at.values()], prune.reduction, direction)) {
          studiesDb.setRung(this.ctx.db, t.runId, k);
          continue;
        }
        studiesDb.requestPrune(this.ctx.db, t.runId);
        this.ctx.emit('run:log', {
          runId: t.runId,
          level: 'info',
          message: `pruned at epoch ${rungs[k]} (ASHA rung ${k}): ${key} ${mine.toPrecision(4)} is not in the best 1/${prune.reduction} of ${at.size + 1} trials there`,
          time: Date.now(),
        });
        await this.stop(t.runId);
        break;
      }
    }
  }

  /** Creates trial t's run (its configuration from the strategy) and hands it to the launcher. */
  private createTrial(rec: studiesDb.StudyRecord, t: number): void {
    const file = fileOf(rec);
    const { config: index, seedIndex } = trialOf(t, rec.seeds);
    const config = this.configFor(rec, index, seedIndex);
    const base = parseSpec(file.base);
    let spec = base;
    let error: string | null = null;
    try {
      spec = applyConfig(base, config);
    } catch (e) {
      error = `trial ${t}: ${(e as Error).message}`; // recorded on a failed run: the trial is not lost
    }
    if (!('train.seed' in config)) spec = { ...spec, train: { ...spec.train, seed: base.train.seed + seedIndex } };
    const runId = studiesDb.insertTrialRun(
      this.ctx.db,
      {
        name: `${rec.name} · trial ${t + 1}`,
        datasetId: rec.dataset_id!,
        spec: JSON.stringify(spec),
        seed: spec.train.seed,
        params: flattenSpec(spec),
        tags: [`study:${rec.id}`],
      },
      { studyId: rec.id, trial: t, params: JSON.stringify(config), configHash: configHash(config) },
    );
    if (runId === null) return;
    if (error !== null) runsDb.finishRun(this.ctx.db, runId, 'failed', error);
    else this.launcher.launch(runId);
  }

  private configFor(rec: studiesDb.StudyRecord, index: number, seedIndex: number): Config {
    const file = fileOf(rec);
    const trials = trialRows(this.ctx.db, rec);
    // A configuration's later seeds repeat its first trial's configuration (TPE's depends on history).
    const first = trials.find((x) => x.trial === index * rec.seeds);
    if (seedIndex > 0 && first) return first.params;
    const fromStrategy = {
      strategy: file.strategy,
      space: file.space,
      seed: rec.sampler_seed,
      index,
      plannedConfigs: plannedConfigs(file),
      direction: objectiveOf(file.objective).direction,
      history: trials
        .filter((x) => x.value !== null && ENDED_TRIAL.includes(x.status))
        .map((x) => ({ config: x.params, value: x.value! })),
    };
    const given = file.first?.[index];
    // A season-normalising configuration tried first, where trial 0 showed the season it needs is
    // not there (season-known.ts): the strategy's proposal instead of a trial that fails at once.
    if (given && this.seasonRuledOut(file.base, given, trials)) return proposeConfig(fromStrategy);
    return proposeConfig({ ...fromStrategy, ...(file.first ? { first: file.first } : {}) });
  }

  private seasonRuledOut(base: unknown, config: Config, trials: readonly TrialRow[]): boolean {
    if (config.normalize !== 'season') return false;
    let spec;
    try {
      spec = applyConfig(parseSpec(base), config);
    } catch {
      return false; // createTrial records the error on the trial's run
    }
    return seasonRuledOut(spec, knownSeason(this.ctx.db, trials.find((t) => t.trial === 0)?.runId));
  }

  private async stop(runId: number): Promise<void> {
    if (this.stopping.has(runId)) return;
    this.stopping.add(runId);
    await this.launcher.stop(runId);
  }

  private end(id: number, state: 'completed' | 'interrupted', error: string | null = null): void {
    if (studiesDb.endStudy(this.ctx.db, id, state, error)) this.ctx.emit('study:status', { studyId: id, state, error });
    const rec = studiesDb.getStudy(this.ctx.db, id);
    if (rec) this.report(rec, true);
  }

  /** A study:progress event when a trial's status, rung or value changed (or always, at the end). */
  private report(rec: studiesDb.StudyRecord, force = false): void {
    const row = studyRow(this.ctx.db, rec);
    const sig = JSON.stringify([row.state, row.trials.map((t) => [t.status, t.rung, t.value, t.epochsDone])]);
    const before = this.shown.get(rec.id);
    if (!force && before === sig) return;
    this.shown.set(rec.id, sig);
    const prev = before ? (JSON.parse(before) as [string, [string, number | null][]])[1] : [];
    const changed = row.trials.find(
      (t, i) => JSON.stringify(prev[i]?.slice(0, 2)) !== JSON.stringify([t.status, t.rung]),
    );
    this.ctx.emit('study:progress', progressOf(row, changed));
  }

  /** Resolves on the next event of one of the study's runs, or after a tick. */
  private nextEvent(id: number): Promise<void> {
    const ids = new Set(studiesDb.trialRuns(this.ctx.db, id).map((t) => t.run_id));
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        offs.forEach((off) => off());
        resolve();
      };
      const timer = setTimeout(done, TICK_MS);
      const offs = [
        this.subscribe('run:status', (e) => ids.has(e.runId) && done()),
        this.subscribe('run:epoch', (e) => ids.has(e.runId) && done()),
      ];
    });
  }
}

/** At start: a study marked running whose driving host is gone (pid, start time, stale beat) is interrupted. */
export function recoverVanishedStudies(ctx: Pick<ServiceContext, 'db' | 'emit'>): void {
  for (const s of studiesDb.runningStudies(ctx.db)) {
    const alive =
      trainerLiveness({ worker_pid: s.host_pid, worker_started: s.host_started, heartbeat: s.heartbeat }) === 'alive';
    if (alive) continue;
    const error = `the host driving the study (pid ${s.host_pid ?? '?'}) ended without finishing it; resume it to continue`;
    if (studiesDb.endStudy(ctx.db, s.id, 'interrupted', error))
      ctx.emit('study:status', { studyId: s.id, state: 'interrupted', error });
  }
}
