// A system notification when a run completes or fails, so a long training can run in the
// background; clicking it brings the window forward on the run's page. Not shown when the user is
// already looking at that run (the window focused on its page). A run stopped by the user, or
// queued again, says nothing. A study's end has its own notice (study-notifications.ts).
import type { Api } from '../core/api.js';
import type { RunRow, RunStatus } from '../core/contract.js';

/** The part of Electron's Notification used here. */
export interface NotificationLike {
  on(event: 'click' | 'close', listener: () => void): unknown;
  show(): void;
}
export interface NotificationModule {
  new (options: { title: string; body: string; silent?: boolean; icon?: string }): NotificationLike;
  isSupported(): boolean;
}

const ANNOUNCED: ReadonlySet<RunStatus> = new Set(['completed', 'failed', 'interrupted']);
/** Notifications kept referenced so their click handlers survive garbage collection. */
const KEEP = 20;

function shorten(text: string, max = 180): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** The headline test score of a finished run, when it has one. */
function headline(test: Record<string, number>): string | null {
  for (const [key, label] of [
    ['test.rmse', 'test RMSE'],
    ['test.mase', 'test MASE'],
    ['test.accuracy', 'test accuracy'],
  ] as const) {
    const v = test[key];
    if (typeof v === 'number' && Number.isFinite(v)) return `${label} ${v.toPrecision(4)}`;
  }
  return null;
}

/** The notification's text for a run that reached `status`; null when it announces nothing. */
export function runNotice(
  runId: number,
  status: RunStatus,
  run: NoticeRun | null,
  error?: string | null,
): { title: string; body: string } | null {
  if (!ANNOUNCED.has(status)) return null;
  const name = run?.name ? `“${shorten(run.name, 60)}”` : `#${runId}`;
  if (status === 'completed') {
    const epochs = run ? `${run.epochsDone} epoch${run.epochsDone === 1 ? '' : 's'}` : null;
    const parts = [epochs, run ? headline(run.test) : null].filter(Boolean);
    return { title: `Run ${name} finished`, body: parts.length ? parts.join(' · ') : 'Training completed' };
  }
  const why = error ?? run?.error ?? null;
  const verb = status === 'failed' ? 'failed' : 'was interrupted';
  return { title: `Run ${name} ${verb}`, body: why ? shorten(why) : 'See the run log for details' };
}

export type NoticeRun = Pick<RunRow, 'name' | 'epochsDone' | 'test' | 'error'>;

export interface RunNotificationsOptions {
  on: Api['on'];
  /** The run's row (runs.get), for its name and scores; null when it cannot be read. */
  getRun(runId: number): Promise<NoticeRun | null>;
  Notification: NotificationModule;
  /** Opens the run in the window (and brings the window forward). */
  openRun(runId: number): void;
  /** Whether the user is already looking at the run: no notification then. */
  isWatching?(runId: number): boolean;
  icon?: string;
  log?: (message: string) => void;
}

/** Subscribes to run:status; returns the unsubscribe. */
export function notifyRunEnds({
  on,
  getRun,
  Notification,
  openRun,
  isWatching = () => false,
  icon,
  log = () => {},
}: RunNotificationsOptions): () => void {
  const kept: NotificationLike[] = [];
  const forget = (n: NotificationLike) => {
    const i = kept.indexOf(n);
    if (i >= 0) kept.splice(i, 1);
  };
  const announce = async (runId: number, status: RunStatus, error: string | null | undefined) => {
    const notice = runNotice(runId, status, await getRun(runId), error);
    if (!notice) return;
    if (isWatching(runId)) return log(`notification skipped (run ${runId} is on screen): ${notice.title}`);
    if (!Notification.isSupported()) return log(`notifications unsupported: ${notice.title}`);
    const n = new Notification({ ...notice, ...(icon ? { icon } : {}) });
    n.on('click', () => {
      forget(n);
      openRun(runId);
    });
    n.on('close', () => forget(n));
    kept.push(n);
    if (kept.length > KEEP) kept.shift();
    n.show();
    log(`notification: ${notice.title} (run ${runId})`);
  };
  return on('run:status', (e) => {
    if (!ANNOUNCED.has(e.status)) return;
    announce(e.runId, e.status, e.error).catch((err: unknown) =>
      log(`notification for run ${e.runId} failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  });
}
