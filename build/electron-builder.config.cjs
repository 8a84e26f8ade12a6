// electron-builder configuration (`npm run dist` builds the installers for the current platform).
//
// Native modules: better-sqlite3 uses V8's C++ API, so its build must match the runtime's ABI.
// node_modules keeps the plain-Node build (`npm test`, the CLI and `serve` need it); a second
// build for Electron's ABI is made by build/electron-native.mjs into .electron-native/ and
// shipped as resources/native/better_sqlite3.node, which electron/native.ts hands to db/open.ts.
// electron-builder's own rebuild (npmRebuild) would rewrite node_modules in place and break
// `npm test`, so it is off. tfjs-node(-gpu) is N-API (ABI-stable) and needs no rebuild. Every
// `.node` file is kept out of the asar archive: the OS loader cannot dlopen from inside it.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');

/** @type {import('electron-builder').Configuration} */
module.exports = {
  // Also the Windows AppUserModelID that electron/app-id.ts sets (notifications need them equal).
  appId: 'io.github.rnnworkbench.desktop',
  productName: 'Recurrent Workbench',
  executableName: 'recurrent-workbench',
  copyright: 'Copyright © Recurrent Workbench contributors',
  artifactName: 'recurrent-workbench-${version}-${os}-${arch}.${ext}',
  directories: { output: 'release', buildResources: 'build' },

  // Only the compiled app: dist/ (main, preload, core, db with migrations, worker, renderer),
  // package.json and the window icon. Sources, tests, fixtures and source maps stay out;
  // production node_modules are added by electron-builder from package.json's dependencies.
  files: [
    'dist/**/*',
    'package.json',
    'build/icon.png',
    '!**/*.map',
    '!**/*.{ts,cts,mts,tsx}',
    // Bundled into dist/renderer by vite; nothing in main or the workers loads them.
    '!node_modules/{echarts,zrender}/**',
    // better-sqlite3's C sources and build leftovers (the addon itself is build/Release/*.node).
    '!node_modules/better-sqlite3/{deps,src}/**',
    '!node_modules/better-sqlite3/build/{Release/obj,Release/.deps,Release/test_extension.node,deps}/**',
    '!node_modules/better-sqlite3/build/Release/test_extension.node',
    '!**/test/**',
    '!**/tests/**',
    '!**/__tests__/**',
    '!**/*.{md,markdown}',
  ],
  extraResources: [{ from: '.electron-native', to: 'native', filter: ['*.node'] }],
  asar: true,
  asarUnpack: [
    '**/*.node',
    'node_modules/better-sqlite3/**',
    'node_modules/@tensorflow/tfjs-node-gpu/**',
    'node_modules/@tensorflow/tfjs-node/**',
    'node_modules/webgpu/**',
  ],
  // Hardening of the Electron binary itself: no ELECTRON_RUN_AS_NODE, NODE_OPTIONS or --inspect
  // in the shipped app, the app loads only from its integrity-checked asar, and file:// gets no
  // extra privileges (the app serves from app://, see electron/protocol.ts).
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  },
  npmRebuild: false,
  nodeGypRebuild: false,
  buildDependenciesFromSource: false,

  // Packaging without the Electron build of better-sqlite3 would give an app that cannot open
  // its database: stop early with the command that makes it.
  beforePack: async () => {
    if (!existsSync(join(root, '.electron-native', 'better_sqlite3.node'))) {
      throw new Error('.electron-native/better_sqlite3.node is missing: run `npm run build:native` first');
    }
  },

  // "Open with Recurrent Workbench" for CSV files: the app imports the file (electron/open-files.ts:
  // argv on Windows and Linux, `open-file` on macOS). An alternate handler only: a spreadsheet
  // stays the default for double-click unless the user chooses otherwise.
  fileAssociations: [
    {
      ext: 'csv',
      name: 'CSV file',
      description: 'Comma-separated values',
      mimeType: 'text/csv',
      role: 'Viewer',
      rank: 'Alternate',
    },
  ],

  linux: {
    target: ['AppImage', 'deb'],
    icon: 'build/icon.png',
    category: 'Science',
    synopsis: 'Train and compare recurrent neural networks on time series',
    maintainer: 'Recurrent Workbench contributors <noreply@rnn-workbench.invalid>',
  },
  deb: { priority: 'optional' },
  win: { target: ['nsis'], icon: 'build/icon.png' },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  mac: { target: ['dmg'], icon: 'build/icon.png', category: 'public.app-category.developer-tools' },
  dmg: { title: 'Recurrent Workbench ${version}' },
};
