// Builds better-sqlite3 for the installed Electron's ABI into .electron-native/better_sqlite3.node
// without touching node_modules (whose plain-Node build `npm test` and the CLI use). A copy of the
// package is rebuilt by @electron/rebuild (Electron prebuilds when downloadable, else node-gyp
// against Electron's headers); both need network access to GitHub or electronjs.org.
// See electron/native.ts for how the app finds the result.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const out = join(root, '.electron-native');
const work = join(out, 'work');
const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version;
const sqliteDir = join(root, 'node_modules/better-sqlite3');
const sqliteVersion = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')).version;
const arch = process.env.npm_config_arch || process.arch;
const stamp = `better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} ${process.platform}-${arch}\n`;

// `--if-missing` (npm start): keep a build that matches these versions.
if (
  process.argv.includes('--if-missing') &&
  existsSync(join(out, 'better_sqlite3.node')) &&
  existsSync(join(out, 'README.txt')) &&
  readFileSync(join(out, 'README.txt'), 'utf8') === stamp
) {
  process.exit(0);
}

rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, 'node_modules'), { recursive: true });
writeFileSync(
  join(work, 'package.json'),
  JSON.stringify({ name: 'electron-native', private: true, dependencies: { 'better-sqlite3': sqliteVersion } }),
);
for (const dep of ['better-sqlite3', 'bindings', 'file-uri-to-path', 'prebuild-install']) {
  const from = join(root, 'node_modules', dep);
  if (existsSync(from))
    cpSync(from, join(work, 'node_modules', dep), { recursive: true, filter: (p) => !p.includes(`${dep}/build/`) });
}

const { rebuild } = require('@electron/rebuild');
console.log(`building ${stamp.trim()}`);
try {
  await rebuild({
    buildPath: work,
    electronVersion,
    arch,
    onlyModules: ['better-sqlite3'],
    force: true,
    mode: 'sequential',
  });
  const built = join(work, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  if (!existsSync(built)) throw new Error(`rebuild finished but ${built} is missing`);
  copyFileSync(built, join(out, 'better_sqlite3.node'));
  writeFileSync(join(out, 'README.txt'), stamp);
} catch (err) {
  console.error(`could not build better-sqlite3 for Electron: ${err instanceof Error ? err.message : err}`);
  console.error('This needs network access to github.com (prebuilds) or electronjs.org (headers for node-gyp).');
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (process.exitCode) process.exit();
console.log(`wrote ${join(out, 'better_sqlite3.node')}`);
