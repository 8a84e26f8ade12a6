// Issue 12 item 4: a notification when a study completes (with its best trial) or is interrupted
// by anything but the app quitting; clicking it opens the study's page (#/studies/<id>, the
// renderer's route). Not when the user stopped it or looks at it.
import { describe, expect, it } from 'vitest';
import { HOST_CLOSED } from '../../core/study/runner.js';
import { notifyStudyEnds, studyNotice, studyRoute, type NoticeStudy } from '../../electron/study-notifications.js';
import { FakeNotification } from './fake-electron.js';
import { runEvents } from './run-events.js';

const trial = (n: number) => ({ trial: n }) as NoticeStudy['trials'][number];
const study = (over: Partial<NoticeStudy> = {}): NoticeStudy => ({
  name: 'load sweep',
  objective: { metric: 'val_loss', direction: 'min' },
  best: { ...trial(6), value: 0.0275412 } as NoticeStudy['best'],
  trials: [0, 1, 2, 3, 4, 5, 6, 7].map(trial),
  counts: { completed: 3, pruned: 5 },
  error: null,
  ...over,
});
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('the notice of a study', () => {
  it('names the study, its best trial and metric, the trials and how many were pruned', () => {
    expect(studyNotice(4, 'completed', study())).toEqual({
      title: 'Study “load sweep” completed: best val_loss 0.02754 (trial 7)',
      body: '8 trials, 5 pruned',
    });
    expect(studyNotice(4, 'completed', study({ best: null, trials: [trial(0)], counts: {} }))).toEqual({
      title: 'Study “load sweep” completed: no trial gave a value',
      body: '1 trial',
    });
    expect(studyNotice(4, 'interrupted', null, 'the dataset was deleted')).toEqual({
      title: 'Study #4 was interrupted',
      body: 'the dataset was deleted',
    });
    // The app quitting interrupts its studies: the user knows, nothing to say.
    expect(studyNotice(4, 'interrupted', study(), HOST_CLOSED)).toBeNull();
    for (const quiet of ['running', 'stopped'] as const) expect(studyNotice(4, quiet, study())).toBeNull();
  });

  it("opens the renderer's study route (renderer/src/lib/app.svelte.ts parseRoute: page studies, id)", () => {
    expect(studyRoute(12)).toBe('#/studies/12');
  });
});

describe('study notifications', () => {
  it('shows one when a study completes and opens the study on click; quiet when watched or unsubscribed', async () => {
    FakeNotification.all = [];
    const bus = runEvents();
    const opened: number[] = [];
    const logged: string[] = [];
    const off = notifyStudyEnds({
      on: bus.on,
      getStudy: async (id) => (id === 3 ? study() : null),
      Notification: FakeNotification,
      openStudy: (id) => opened.push(id),
      isWatching: (id) => id === 9,
      icon: '/app/build/icon.png',
      log: (m) => logged.push(m),
    });
    bus.emit('study:status', { studyId: 3, state: 'running' });
    bus.emit('study:status', { studyId: 3, state: 'stopped' });
    bus.emit('study:status', { studyId: 3, state: 'completed' });
    bus.emit('study:status', { studyId: 9, state: 'completed' });
    await settle();
    expect(FakeNotification.all.map((n) => [n.options.title, n.options.body, n.shown])).toEqual([
      ['Study “load sweep” completed: best val_loss 0.02754 (trial 7)', '8 trials, 5 pruned', true],
    ]);
    expect(FakeNotification.all[0]!.options.icon).toBe('/app/build/icon.png');
    FakeNotification.all[0]!.click();
    expect(opened).toEqual([3]);
    expect(logged).toContain('notification skipped (study 9 is on screen): Study #9 completed: no trial gave a value');
    off();
    bus.emit('study:status', { studyId: 3, state: 'completed' });
    await settle();
    expect(FakeNotification.all).toHaveLength(1);
  });
});
