// Local-only crash dumps: the crash reporter starts without uploads, writing into the profile.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCrashDumps } from '../../electron/crash-dumps.js';
import { createFakeElectron } from './fake-electron.js';

describe('crash dumps', () => {
  it('start with uploadToServer false and no submit URL, into userData/Crashpad', () => {
    const { electron } = createFakeElectron({ userData: '/profile' });
    const dir = startCrashDumps(electron.crashReporter, electron.app);
    expect(dir).toBe(join('/profile', 'Crashpad'));
    expect(electron.crashReporter.started).toMatchObject({ uploadToServer: false });
    expect(electron.crashReporter.started).not.toHaveProperty('submitURL');
    expect(electron.crashReporter.dumpDir).toBe(dir); // the folder was set before start
  });
});
