// While runs train: the taskbar/dock progress shows their mean progress (-1, no bar, when none
// trains) and one power-save blocker keeps the app from being suspended; both follow the run
// events the service publishes (run:status, run:progress).
import { describe, expect, it } from 'vitest';
import { showTrainingIndicators } from '../../electron/training-indicators.js';
import { TrainingState, progressFraction } from '../../electron/training-state.js';
import { FakeBrowserWindow, createFakeElectron } from './fake-electron.js';
import { progressEvent, runEvents } from './run-events.js';

const progress = progressEvent;
const events = runEvents;

describe('training progress', () => {
  it('counts epochs from 1 and batches within the epoch', () => {
    expect(progressFraction(progress(1, 1, 0))).toBe(0);
    expect(progressFraction(progress(1, 1, 5))).toBe(0.125);
    expect(progressFraction(progress(1, 4, 10))).toBe(1);
    expect(progressFraction({ epoch: 1, epochs: 0, batch: 0, batches: 0 })).toBe(0);
  });

  it('tracks runs from running (or their first progress) to any other status', () => {
    const s = new TrainingState();
    expect(s.fraction).toBe(-1);
    expect(s.status({ runId: 1, status: 'queued' })).toBe(false);
    expect(s.status({ runId: 1, status: 'running' })).toBe(true);
    expect(s.progress(progress(1, 2, 0))).toBe(false);
    expect(s.progress(progress(2, 1, 0))).toBe(true); // its running status was missed
    expect(s.fraction).toBe(0.125);
    expect(s.status({ runId: 1, status: 'completed' })).toBe(true);
    expect(s.progress(progress(1, 4, 10))).toBe(false); // late: the run ended
    expect(s.count).toBe(1);
    expect(s.status({ runId: 2, status: 'failed' })).toBe(true);
    expect(s.fraction).toBe(-1);
    expect(s.status({ runId: 1, status: 'running' })).toBe(true); // resumed
  });
});

describe('taskbar progress and power save while training', () => {
  it('starts one blocker for any number of runs, shows their mean, and clears both when none trains', () => {
    const { electron } = createFakeElectron({ userData: '/p' });
    const win = new FakeBrowserWindow({});
    const bus = events();
    const logged: string[] = [];
    const off = showTrainingIndicators({
      on: bus.on,
      getWindow: () => win,
      powerSaveBlocker: electron.powerSaveBlocker,
      log: (m) => logged.push(m),
    });
    bus.emit('run:status', { runId: 1, status: 'queued' });
    expect(electron.powerSaveBlocker.history).toEqual([]);
    bus.emit('run:status', { runId: 1, status: 'running' });
    expect(electron.powerSaveBlocker.history).toEqual(['start prevent-app-suspension 1']);
    bus.emit('run:progress', progress(1, 2, 0)); // 0.25
    bus.emit('run:progress', progress(1, 2, 0)); // the same value is not sent again
    bus.emit('run:status', { runId: 2, status: 'running' });
    bus.emit('run:progress', progress(2, 1, 4)); // 0.1: mean 0.175 → 0.18
    bus.emit('run:status', { runId: 1, status: 'completed' });
    expect(win.progress).toEqual([0, 0.25, 0.13, 0.18, 0.1]);
    expect(electron.powerSaveBlocker.active.size).toBe(1);
    bus.emit('run:status', { runId: 2, status: 'stopped' });
    expect(win.progress.at(-1)).toBe(-1);
    expect(electron.powerSaveBlocker.history).toEqual(['start prevent-app-suspension 1', 'stop 1']);
    expect(electron.powerSaveBlocker.active.size).toBe(0);
    expect(logged).toEqual([
      'training: power save blocker 1 started (prevent-app-suspension)',
      'training idle: power save blocker 1 stopped',
    ]);

    bus.emit('run:progress', progress(3, 1, 1)); // a run whose running status came before we listened
    expect(electron.powerSaveBlocker.active.size).toBe(1);
    off(); // at quit: released, bar cleared, no more events followed
    expect(electron.powerSaveBlocker.active.size).toBe(0);
    expect(win.progress.at(-1)).toBe(-1);
    bus.emit('run:status', { runId: 4, status: 'running' });
    expect(electron.powerSaveBlocker.active.size).toBe(0);
  });

  it('gives a window created later the current bar, and survives no window at all', () => {
    const { electron } = createFakeElectron({ userData: '/p' });
    let win: FakeBrowserWindow | null = null;
    const bus = events();
    showTrainingIndicators({ on: bus.on, getWindow: () => win, powerSaveBlocker: electron.powerSaveBlocker });
    bus.emit('run:progress', progress(1, 3, 0)); // 0.5, no window
    win = new FakeBrowserWindow({});
    bus.emit('run:progress', progress(1, 3, 0));
    expect(win.progress).toEqual([0.5]);
    win.destroyed = true;
    expect(() => bus.emit('run:status', { runId: 1, status: 'completed' })).not.toThrow();
  });
});
