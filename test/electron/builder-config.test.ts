// The packaging configuration, checked without packaging: targets, app id, what goes into the
// app (compiled dist/ only — no sources, tests or source maps) and native modules out of the asar.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { minimatch } from 'minimatch';
import { APP_ID } from '../../electron/app-id.js';

const require = createRequire(import.meta.url);
const config = require('../../build/electron-builder.config.cjs');
const pkg = require('../../package.json');

/**
 * electron-builder's reading of `files`: included when a positive pattern matches (production
 * node_modules are added by electron-builder itself) and no negation does.
 */
function packed(path: string): boolean {
  const pos = config.files.filter((p: string) => !p.startsWith('!'));
  const neg = config.files.filter((p: string) => p.startsWith('!')).map((p: string) => p.slice(1));
  const m = (p: string) => minimatch(path, p, { dot: true });
  return (path.startsWith('node_modules/') || pos.some(m)) && !neg.some(m);
}

describe('electron-builder config', () => {
  it('names the app and builds AppImage + deb, NSIS and dmg', () => {
    expect(config.appId).toMatch(/^[a-z0-9]+(\.[a-z0-9-]+)+$/);
    expect(config.productName).toBe('Recurrent Workbench');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.directories.buildResources).toBe('build');
    for (const os of ['linux', 'win', 'mac']) expect(existsSync(config[os].icon), `${os} icon`).toBe(true);
    expect(pkg.scripts.dist).toContain('--config build/electron-builder.config.cjs');
  });

  it('keeps every native module out of the asar', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining([
        '**/*.node',
        'node_modules/better-sqlite3/**',
        'node_modules/@tensorflow/tfjs-node-gpu/**',
      ]),
    );
    const unpacked = (p: string) => config.asarUnpack.some((g: string) => minimatch(p, g, { dot: true }));
    expect(unpacked('node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(true);
    // The native RNN engine: packed from dist/ (scripts/copy-assets.mjs), loaded from app.asar.unpacked
    // (worker/kernels/modules.ts nativeEnginePath).
    expect(packed('dist/worker/kernels/prebuilds/linux-x64/rnn-engine.node')).toBe(true);
    expect(unpacked('dist/worker/kernels/prebuilds/linux-x64/rnn-engine.node')).toBe(true);
    expect(unpacked('node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v8/tfjs_binding.node')).toBe(true);
    // webgpu (Dawn) resolves its dawn.node from its own folder: the whole package stays unpacked.
    expect(unpacked('node_modules/webgpu/index.js')).toBe(true);
    expect(unpacked('node_modules/webgpu/dist/linux-x64/dawn.node')).toBe(true);
    expect(unpacked('dist/electron/main.js')).toBe(false);
    // The Electron-ABI build of better-sqlite3 ships beside the asar, and node_modules is never rebuilt in place.
    expect(config.extraResources).toEqual([{ from: '.electron-native', to: 'native', filter: ['*.node'] }]);
    expect(config.npmRebuild).toBe(false);
  });

  it('packs the compiled app and leaves sources, tests and source maps out', () => {
    expect(packed(pkg.main)).toBe(true);
    for (const p of [
      'dist/electron/main.js',
      'dist/electron/preload.cjs',
      'dist/worker/main.js',
      'dist/core/service.js',
      'dist/db/migrations/001_init.sql',
      'dist/renderer/index.html',
      'dist/renderer/assets/index-abc.js',
      'package.json',
      'build/icon.png',
    ]) {
      expect(packed(p), p).toBe(true);
    }
    for (const p of [
      'dist/electron/main.js.map',
      'dist/electron/preload.cjs.map',
      'dist/test/x.js',
      'node_modules/@tensorflow/tfjs/dist/tf.js.map',
      'node_modules/echarts/dist/echarts.js',
      'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c',
      'node_modules/zod/src/index.ts',
    ]) {
      expect(packed(p), p).toBe(false);
    }
    expect(packed('node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(true);
    expect(packed('node_modules/better-sqlite3/lib/database.js')).toBe(true);
    const tracked = execFileSync('git', ['ls-files'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const sources = tracked.filter(
      (f) => /^(core|electron|worker|db|renderer|test|scripts|bin)\//.test(f) || /\.(ts|cts|mts)$/.test(f),
    );
    expect(sources.length).toBeGreaterThan(20);
    const leaked = sources.filter(packed);
    expect(leaked).toEqual([]);
  });

  it('flips the hardening fuses of the shipped Electron binary', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      // The app serves its pages from app://; file:// needs no privileges beyond a plain scheme's.
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('uses the appId the main process gives Windows as AppUserModelID (notifications need them equal)', () => {
    expect(config.appId).toBe(APP_ID);
  });

  it('associates .csv files with the app, as a viewer that does not take over double-click', () => {
    expect(config.fileAssociations).toEqual([
      expect.objectContaining({ ext: 'csv', mimeType: 'text/csv', role: 'Viewer', rank: 'Alternate' }),
    ]);
    for (const a of config.fileAssociations) expect(a.name).toBeTruthy();
  });

  it('refuses to package without the Electron build of better-sqlite3, naming the command', async () => {
    if (existsSync('.electron-native/better_sqlite3.node')) return; // built here: nothing to refuse
    await expect(config.beforePack()).rejects.toThrow(/npm run build:native/);
  });
});
