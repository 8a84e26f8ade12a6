// The desktop app end to end, driven by Playwright's Electron support: import a CSV (through the
// menu with the native dialog answered, and through the bridge), train two runs that differ in
// units, compare them — all through the real preload, IPC, service and utilityProcess workers.
// Then the desktop conventions: the log file and local crash dumps, File ▸ Open Recent, the
// power-save blocker and taskbar progress while training, a notification per finished run whose
// click shows the run, a CSV handed over by a second launch, and the window's bounds remembered
// across a relaunch.
// It needs the Electron binary (node_modules/electron/dist), which this machine cannot download
// (ELECTRON_SKIP_BINARY_DOWNLOAD=1), and on Linux a display (DISPLAY or WAYLAND_DISPLAY; run it
// under `xvfb-run -a` on a server): without either the test is skipped and says why in the output.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../../core/contract.js';

// Page functions run in the renderer; this project's tsconfig has no DOM library.
declare const window: any;

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

/** The Electron executable when installed: `require('electron')` is its path from plain Node. */
function electronBinary(): string | null {
  try {
    const path: unknown = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null; // "Electron failed to install correctly" when the binary download was skipped
  }
}

const binary = electronBinary();
/** Why the test cannot run on this machine, or null when it can. */
const cannotRun =
  binary === null
    ? 'the Electron binary is not installed (npm ran with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or its download failed; `node node_modules/electron/install.js` fetches it)'
    : process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY
      ? 'no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset): run it under `xvfb-run -a`'
      : null;
const hasElectron = cannotRun === null;
if (cannotRun) console.log(`skipping the desktop e2e test: ${cannotRun}`);

/** The main process log (electron/main-log.ts) of the test profile. */
function mainLog(profile: string): string {
  const file = join(profile, 'logs', 'main.log');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/**
 * Records, in the main process, what the app gives the OS that Electron has no getter for: the
 * window's taskbar progress values and the notifications shown (the instances, so that a test can
 * click one). Prototype and instance patches reach the app's own objects.
 */
async function recordOsCalls(app: ElectronApplication): Promise<void> {
  await app.evaluate(({ BrowserWindow, Notification }) => {
    const g = globalThis as Record<string, any>;
    g.__progress = [];
    g.__notifications = [];
    const win = BrowserWindow.getAllWindows()[0]!;
    const setProgressBar = win.setProgressBar.bind(win);
    win.setProgressBar = (value: number, options?: Electron.ProgressBarOptions) => {
      g.__progress.push(value);
      setProgressBar(value, options);
    };
    const show = Notification.prototype.show;
    Notification.prototype.show = function (this: Electron.Notification) {
      g.__notifications.push(this);
      show.call(this);
    };
  });
}

function run(cmd: string, args: string[]): void {
  // npm is npm.cmd on Windows, which Node starts only through a shell.
  const shell = process.platform === 'win32' && cmd === 'npm';
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 300_000, shell });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
}

describe('desktop app (Electron + Playwright)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-electron-e2e-'));
  const artifacts = join(root, 'test-artifacts', 'electron');
  let app: ElectronApplication | undefined;
  afterAll(async () => {
    await app?.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!hasElectron)(
    'imports, trains two runs and compares them in the desktop window',
    { timeout: 600_000 },
    async () => {
      // The app runs from dist/ with better-sqlite3 built for Electron (.electron-native/).
      run('npm', ['run', 'build']);
      run(process.execPath, ['build/electron-native.mjs', '--if-missing']);
      mkdirSync(artifacts, { recursive: true });

      const csv = join(dir, 'prices.csv');
      const lines = ['date,price,volume'];
      for (let i = 0; i < 500; i++) {
        const d = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
        lines.push(`${d},${(100 + 10 * Math.sin(i / 7) + i * 0.05).toFixed(3)},${1000 + ((i * 37) % 101)}`);
      }
      writeFileSync(csv, lines.join('\n') + '\n');

      const profile = join(dir, 'profile');
      const env = {
        ...process.env,
        RNN_WORKBENCH_DB: join(dir, 'workbench.db'),
        WORKBENCH_USER_DATA: profile,
      } as Record<string, string>;
      const launch = () => _electron.launch({ executablePath: binary!, args: [root], cwd: root, env });
      app = await launch();
      const page: Page = await app.firstWindow();
      await page.waitForLoadState('domcontentloaded');
      expect(page.url()).toBe('app://bundle/index.html');

      // The main process log and local-only crash dumps, both in the profile.
      expect(mainLog(profile)).toMatch(/ start: version \S+, Electron \d/);
      expect(
        await app.evaluate(({ app: a, crashReporter }) => ({
          dumps: a.getPath('crashDumps'),
          upload: crashReporter.getUploadToServer(),
        })),
      ).toEqual({ dumps: join(profile, 'Crashpad'), upload: false });
      await recordOsCalls(app);

      // The bridge is all the page gets: one function per method, no Node, no eval, no popups.
      const surface = await page.evaluate(() => {
        const w = window as Record<string, any>;
        let evalBlocked = false;
        try {
          (0, eval)('1');
        } catch {
          evalBlocked = true;
        }
        return {
          methods: Object.keys(w.workbench.api),
          keys: Object.keys(w.workbench).sort(),
          require: typeof w.require,
          process: typeof w.process,
          evalBlocked,
          popup: window.open('https://example.com') === null,
        };
      });
      expect(surface).toEqual({
        methods: METHOD_NAMES,
        keys: ['api', 'dialogs', 'on', 'onMenu', 'pathForFile'],
        require: 'undefined',
        process: 'undefined',
        evalBlocked: true,
        popup: true,
      });
      const info = await page.evaluate(() => window.workbench.api['system.info']({}));
      expect(info).toMatchObject({ ok: true, value: { host: 'electron', dbPath: join(dir, 'workbench.db') } });

      // Import through File ▸ Import CSV… with the native dialog answered in the main process.
      await app.evaluate(({ dialog, Menu }, path) => {
        dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [path] })) as typeof dialog.showOpenDialog;
        Menu.getApplicationMenu()!.getMenuItemById('import-csv')!.click();
      }, csv);
      await expect
        .poll(async () => (await page.evaluate(() => window.workbench.api['datasets.list']({}))).value.length, {
          timeout: 60_000,
        })
        .toBe(1);
      await page.screenshot({ path: join(artifacts, '1-datasets.png') });
      // The import is a recent document; Windows and Linux list it in File ▸ Open Recent.
      if (process.platform !== 'darwin') {
        const recent = () =>
          app!.evaluate(({ Menu }) => Menu.getApplicationMenu()!.getMenuItemById('open-recent-0')?.label ?? null);
        await expect.poll(recent, { timeout: 10_000 }).toBe('prices.csv');
      }

      // While the runs train, one prevent-app-suspension blocker is on (read from the log, checked
      // with powerSaveBlocker.isStarted during the training).
      const blockerSeen = (async () => {
        for (let i = 0; i < 3000; i++) {
          const m = / power save blocker (\d+) started/.exec(mainLog(profile));
          if (m) {
            const id = Number(m[1]);
            return { id, started: await app!.evaluate(({ powerSaveBlocker }, n) => powerSaveBlocker.isStarted(n), id) };
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        return null;
      })();

      // Train two runs that differ in units, waiting for the service's run:status events.
      const trained = await page.evaluate(async () => {
        const wb = window.workbench;
        const datasetId = (await wb.api['datasets.list']({})).value[0].id;
        const spec = (units: number) => ({
          target: 'price',
          window: { lookback: 12 },
          model: { cell: 'gru', layers: [{ units, dropout: 0 }] },
          train: { epochs: 3, batchSize: 32 },
        });
        const done = (id: number) =>
          new Promise<string>((resolve) => {
            const off = wb.on('run:status', (e: { runId: number; status: string }) => {
              if (e.runId === id && !['queued', 'running'].includes(e.status)) {
                off();
                resolve(e.status);
              }
            });
          });
        const a = await wb.api['runs.create']({ datasetId, spec: spec(8), name: 'gru 8' });
        const b = await wb.api['runs.create']({ datasetId, spec: spec(16), name: 'gru 16', parentId: a.value.id });
        const statuses = await Promise.all([done(a.value.id), done(b.value.id)]);
        return { ids: [a.value.id, b.value.id], statuses };
      });
      expect(trained.statuses).toEqual(['completed', 'completed']);
      await checkTrainingConventions(app, page, profile, trained.ids, await blockerSeen);

      // Compare: both runs have per-epoch metrics and test metrics against the baselines.
      const compared = await page.evaluate(async (ids) => {
        const wb = window.workbench;
        const metrics = await wb.api['runs.metrics']({ ids });
        const runs = await Promise.all(ids.map((id: number) => wb.api['runs.get']({ id })));
        return { points: metrics.value as Array<{ runId: number; key: string }>, runs: runs.map((r: any) => r.value) };
      }, trained.ids);
      for (const id of trained.ids)
        expect(compared.points.filter((p) => p.runId === id).length).toBeGreaterThanOrEqual(3);
      expect(compared.runs.map((r: any) => r.spec.model.layers[0].units)).toEqual([8, 16]);
      for (const r of compared.runs) expect(Object.keys(r.test).length).toBeGreaterThan(0);
      await app.evaluate(({ BrowserWindow }) =>
        BrowserWindow.getAllWindows()[0]!.webContents.send('workbench:menu', 'compare'),
      );
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(artifacts, '2-compare.png') });

      // A CSV opened with the app while it runs: the second launch hands it over and exits.
      const opened = join(dir, 'opened.csv');
      writeFileSync(opened, lines.slice(0, 300).join('\n') + '\n');
      const second = spawnSync(binary!, [root, opened], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
      expect(second.status, second.stderr).toBe(0);
      await expect
        .poll(async () => (await page.evaluate(() => window.workbench.api['datasets.list']({}))).value.length, {
          timeout: 60_000,
        })
        .toBe(2);
      expect(mainLog(profile)).toContain(`file opened with the app (second launch): ${opened}`);

      // Quit through the menu: the app closes its service and exits; the window's bounds are kept.
      await app.evaluate(({ BrowserWindow }) =>
        BrowserWindow.getAllWindows()[0]!.setBounds({ x: 40, y: 50, width: 1100, height: 760 }),
      );
      await quit(app);
      app = undefined;
      const state = JSON.parse(readFileSync(join(profile, 'window-state.json'), 'utf8'));
      expect(state).toMatchObject({ width: 1100, height: 760, maximized: false });
      expect(mainLog(profile)).toMatch(/ quit\n/);

      // The next launch opens the window with those bounds.
      app = await launch();
      await app.firstWindow();
      const bounds = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.getBounds());
      expect({ width: bounds.width, height: bounds.height }).toEqual({ width: 1100, height: 760 });
      await quit(app);
      app = undefined;
    },
  );
});

async function quit(app: ElectronApplication): Promise<void> {
  const closed = new Promise<void>((resolve) => app.process().once('exit', () => resolve()));
  await app.evaluate(({ Menu }) => Menu.getApplicationMenu()!.getMenuItemById('quit')!.click());
  await closed;
}

/**
 * After two runs completed: the power-save blocker was on during the training and is off now;
 * the taskbar showed progress and then no bar; each run got a notification (in the log), and
 * clicking one shows that run's page.
 */
async function checkTrainingConventions(
  app: ElectronApplication,
  page: Page,
  profile: string,
  ids: number[],
  blocker: { id: number; started: boolean } | null,
): Promise<void> {
  expect(blocker).toMatchObject({ started: true });
  await expect.poll(() => mainLog(profile), { timeout: 10_000 }).toContain(`power save blocker ${blocker!.id} stopped`);
  expect(await app.evaluate(({ powerSaveBlocker }, n) => powerSaveBlocker.isStarted(n), blocker!.id)).toBe(false);

  const progress: number[] = await app.evaluate(() => (globalThis as Record<string, any>).__progress);
  expect(progress.some((v) => v > 0 && v <= 1)).toBe(true);
  expect(progress.at(-1)).toBe(-1);

  for (const name of ['gru 8', 'gru 16'])
    await expect.poll(() => mainLog(profile), { timeout: 10_000 }).toContain(`notification: Run “${name}” finished`);
  const supported = await app.evaluate(({ Notification }) => Notification.isSupported());
  if (!supported) return; // logged as "notifications unsupported" instead; nothing to click
  const titles: string[] = await app.evaluate(() =>
    (globalThis as Record<string, any>).__notifications.map((n: Electron.Notification) => n.title),
  );
  expect(titles).toEqual(expect.arrayContaining(['Run “gru 8” finished', 'Run “gru 16” finished']));
  // What a click on the first run's notification does: the window shows that run.
  await app.evaluate((_electron, title) => {
    const n = (globalThis as Record<string, any>).__notifications.find((x: Electron.Notification) => x.title === title);
    n.emit('click', { preventDefault() {} });
  }, 'Run “gru 8” finished');
  await expect.poll(() => page.url(), { timeout: 10_000 }).toBe(`app://bundle/index.html#/live/${ids[0]}`);
  await page.screenshot({ path: join(root, 'test-artifacts', 'electron', '3-run-from-notification.png') });
}
