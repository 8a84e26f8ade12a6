// What the OS shows while runs train: the taskbar/dock progress of the window (the mean progress
// of the training runs, cleared with -1 when none trains), and a power-save blocker that keeps the
// system from suspending the app mid-run ('prevent-app-suspension': the screen may still sleep).
import type { Api } from '../core/api.js';
import { TrainingState } from './training-state.js';

/** The part of Electron's powerSaveBlocker used here. */
export interface PowerSaveBlockerModule {
  start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number;
  stop(id: number): boolean;
}

/** The part of a BrowserWindow used here. */
export interface ProgressWindow {
  isDestroyed(): boolean;
  setProgressBar(progress: number): void;
}

export interface TrainingIndicatorsOptions {
  on: Api['on'];
  getWindow(): ProgressWindow | null;
  powerSaveBlocker: PowerSaveBlockerModule;
  log?: (message: string) => void;
}

/** Follows the run events; returns a function that unsubscribes and releases the blocker. */
export function showTrainingIndicators({
  on,
  getWindow,
  powerSaveBlocker,
  log = () => {},
}: TrainingIndicatorsOptions): () => void {
  const state = new TrainingState();
  let blocker: number | null = null;
  let shown = -1;
  let shownOn: ProgressWindow | null = null;

  const setBar = (fraction: number) => {
    const win = getWindow();
    if (!win || win.isDestroyed()) return;
    if (win !== shownOn) [shown, shownOn] = [-1, win]; // a new window starts without a bar
    // A changed bar is redrawn by the OS: skip repeats of the same whole-percent value.
    const rounded = fraction < 0 ? -1 : Math.round(fraction * 100) / 100;
    if (rounded === shown) return;
    shown = rounded;
    win.setProgressBar(rounded);
  };
  const release = () => {
    if (blocker === null) return;
    powerSaveBlocker.stop(blocker);
    log(`training idle: power save blocker ${blocker} stopped`);
    blocker = null;
  };
  const update = (changed: boolean) => {
    if (changed && state.count > 0 && blocker === null) {
      blocker = powerSaveBlocker.start('prevent-app-suspension');
      log(`training: power save blocker ${blocker} started (prevent-app-suspension)`);
    }
    if (changed && state.count === 0) release();
    setBar(state.fraction);
  };

  const offs = [on('run:status', (e) => update(state.status(e))), on('run:progress', (p) => update(state.progress(p)))];
  return () => {
    for (const off of offs) off();
    release();
    setBar(-1);
  };
}
