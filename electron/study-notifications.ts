// A system notification when a study ends, like a run's (run-notifications.ts): completed, with
// its best trial; or interrupted by something other than the app quitting (its dataset deleted,
// its loop failed). Clicking it brings the window forward on the study's page (`#/studies/<id>`,
// renderer/src/lib/app.svelte.ts). Not shown when the user is already looking at that study; a
// study the user stopped says nothing.
import type { Api } from '../core/api.js';
import type { StudyRow, StudyState } from '../core/contract.js';
import { HOST_CLOSED } from '../core/study/runner.js';
import type { NotificationLike, NotificationModule } from './run-notifications.js';

/** Notifications kept referenced so their click handlers survive garbage collection. */
const KEEP = 20;

export type NoticeStudy = Pick<StudyRow, 'name' | 'objective' | 'best' | 'trials' | 'counts' | 'error'>;

/** The hash route of a study's page. */
export function studyRoute(studyId: number): string {
  return `#/studies/${Math.trunc(studyId)}`;
}

function shorten(text: string, max = 180): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** The notification's text for a study that reached `state`; null when it announces nothing. */
export function studyNotice(
  studyId: number,
  state: StudyState,
  study: NoticeStudy | null,
  error?: string | null,
): { title: string; body: string } | null {
  const name = study?.name ? `“${shorten(study.name, 60)}”` : `#${studyId}`;
  if (state === 'completed') {
    const best = study?.best;
    const metric = study?.objective.metric ?? 'objective';
    const head =
      best && best.value !== null
        ? `best ${metric} ${best.value.toPrecision(4)} (trial ${best.trial + 1})`
        : 'no trial gave a value';
    const pruned = study?.counts.pruned ?? 0;
    const count = study
      ? `${study.trials.length} trial${study.trials.length === 1 ? '' : 's'}${pruned ? `, ${pruned} pruned` : ''}`
      : null;
    return { title: `Study ${name} completed: ${head}`, body: count ?? 'See the study page' };
  }
  if (state !== 'interrupted') return null;
  const why = error ?? study?.error ?? null;
  if (why === HOST_CLOSED) return null; // the app is quitting: the user knows
  return { title: `Study ${name} was interrupted`, body: why ? `${shorten(why)}` : 'Resume it to continue' };
}

export interface StudyNotificationsOptions {
  on: Api['on'];
  /** The study's row (studies.get); null when it cannot be read. */
  getStudy(studyId: number): Promise<NoticeStudy | null>;
  Notification: NotificationModule;
  /** Opens the study in the window (and brings the window forward). */
  openStudy(studyId: number): void;
  /** Whether the user is already looking at the study: no notification then. */
  isWatching?(studyId: number): boolean;
  icon?: string;
  log?: (message: string) => void;
}

/** Subscribes to study:status; returns the unsubscribe. */
export function notifyStudyEnds({
  on,
  getStudy,
  Notification,
  openStudy,
  isWatching = () => false,
  icon,
  log = () => {},
}: StudyNotificationsOptions): () => void {
  const kept: NotificationLike[] = [];
  const forget = (n: NotificationLike) => {
    const i = kept.indexOf(n);
    if (i >= 0) kept.splice(i, 1);
  };
  const announce = async (studyId: number, state: StudyState, error: string | null | undefined) => {
    const notice = studyNotice(studyId, state, await getStudy(studyId), error);
    if (!notice) return;
    if (isWatching(studyId)) return log(`notification skipped (study ${studyId} is on screen): ${notice.title}`);
    if (!Notification.isSupported()) return log(`notifications unsupported: ${notice.title}`);
    const n = new Notification({ ...notice, ...(icon ? { icon } : {}) });
    n.on('click', () => {
      forget(n);
      openStudy(studyId);
    });
    n.on('close', () => forget(n));
    kept.push(n);
    if (kept.length > KEEP) kept.shift();
    n.show();
    log(`notification: ${notice.title} (study ${studyId})`);
  };
  return on('study:status', (e) => {
    if (e.state !== 'completed' && e.state !== 'interrupted') return;
    announce(e.studyId, e.state, e.error).catch((err: unknown) =>
      log(`notification for study ${e.studyId} failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  });
}
