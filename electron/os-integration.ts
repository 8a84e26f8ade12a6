// What the desktop shows of the training outside the window: a notification when a run ends
// (click: the run's page), the taskbar/dock progress and the power-save blocker while runs train.
// All of it follows the service's events; the window is asked for at each event, so a window
// re-created on macOS (`activate`) gets them too.
import type { Api } from '../core/api.js';
import { notifyRunEnds, type NotificationModule } from './run-notifications.js';
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
  const offIndicators = showTrainingIndicators({
    on: service.on.bind(service),
    getWindow,
    powerSaveBlocker: electron.powerSaveBlocker,
    log,
  });
  return () => {
    offNotify();
    offIndicators();
  };
}
