// What the desktop shows of the training outside the window: a notification when a run or a
// study ends (click: its page), the taskbar/dock progress and the power-save blocker while runs train.
// All of it follows the service's events; the window is asked for at each event, so a window
// re-created on macOS (`activate`) gets them too.
import type { Api } from '../core/api.js';
import { notifyRunEnds, type NotificationModule } from './run-notifications.js';
import { notifyStudyEnds, studyRoute } from './study-notifications.js';
import { showTrainingIndicators, type PowerSaveBlockerModule } from './training-indicators.js';
import { isShowing, runRoute, showRoute } from './window-focus.js';

export interface OsIntegrationOptions {
  getWindow(): Electron.BrowserWindow | null;
  /** The page the window loads (app:// or the dev server). */
  entryUrl: string;
  isAppPage(url: string): boolean;
  icon?: string;
  log(message: string): void;
}

/** Subscribes to the service's run events; returns the unsubscribe (which releases the blocker). */
export function integrateWithOs(
  electron: { Notification: NotificationModule; powerSaveBlocker: PowerSaveBlockerModule },
  service: Api,
  { getWindow, entryUrl, isAppPage, icon, log }: OsIntegrationOptions,
): () => void {
  const offNotify = notifyRunEnds({
    on: service.on.bind(service),
    getRun: async (id) => {
      const got = await service.call('runs.get', { id });
      return got.ok ? got.value : null;
    },
    Notification: electron.Notification,
    openRun: (runId) => {
      log(`notification clicked: showing run ${runId}`);
      showRoute(getWindow(), runRoute(runId), entryUrl, isAppPage);
    },
    isWatching: (runId) => isShowing(getWindow(), runRoute(runId)),
    ...(icon ? { icon } : {}),
    log,
  });
  const offStudies = notifyStudyEnds({
    on: service.on.bind(service),
    getStudy: async (id) => {
      const got = await service.call('studies.get', { id });
      return got.ok ? got.value : null;
    },
    Notification: electron.Notification,
    openStudy: (studyId) => {
      log(`notification clicked: showing study ${studyId}`);
      showRoute(getWindow(), studyRoute(studyId), entryUrl, isAppPage);
    },
    isWatching: (studyId) => isShowing(getWindow(), studyRoute(studyId)),
    ...(icon ? { icon } : {}),
    log,
  });
  const offIndicators = showTrainingIndicators({
    on: service.on.bind(service),
    getWindow,
    powerSaveBlocker: electron.powerSaveBlocker,
    log,
  });
  return () => {
    offNotify();
    offStudies();
    offIndicators();
  };
}
