// Local-only crash dumps: the crash reporter starts without uploads, writing into the profile; and
// the AppUserModelID that Windows notifications need.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_ID, useAppUserModelId } from '../../electron/app-id.js';
import { startCrashDumps } from '../../electron/crash-dumps.js';
import { tempDir } from '../helpers.js';
import { createFakeElectron } from './fake-electron.js';

const t = tempDir('rnnwb-crash-');
afterAll(() => t.cleanup());

describe('crash dumps', () => {
  it('start with uploadToServer false and no submit URL, into userData/Crashpad', () => {
    const { electron } = createFakeElectron({ userData: t.dir });
    const dir = startCrashDumps(electron.crashReporter, electron.app);
    expect(dir).toBe(join(t.dir, 'Crashpad'));
    expect(existsSync(dir)).toBe(true);
    expect(electron.crashReporter.started).toMatchObject({ uploadToServer: false });
    expect(electron.crashReporter.started).not.toHaveProperty('submitURL');
    expect(electron.crashReporter.dumpDir).toBe(dir); // the folder was set before start
  });
});

describe('AppUserModelID', () => {
  it('is the installer appId when packaged on Windows, the executable in development, unset elsewhere', () => {
    const packaged = createFakeElectron({ userData: '/p', isPackaged: true }).electron.app;
    expect(useAppUserModelId(packaged, 'win32')).toBe(APP_ID);
    expect(packaged.appUserModelId).toBe(APP_ID);
    const dev = createFakeElectron({ userData: '/p' }).electron.app;
    expect(useAppUserModelId(dev, 'win32', 'C:\\electron\\electron.exe')).toBe('C:\\electron\\electron.exe');
    const linux = createFakeElectron({ userData: '/p' }).electron.app;
    expect(useAppUserModelId(linux, 'linux')).toBeNull();
    expect(linux.appUserModelId).toBeNull();
  });
});
