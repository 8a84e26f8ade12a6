// The app's version, read from package.json so a release bump is one edit. The file sits at the
// project root: one folder up from core/ when run from source, two from dist/core/ (and at the
// root of the packaged app, which ships package.json), so look upwards for ours.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'rnn-workbench';

function readVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && pkg.version) return pkg.version;
    }
    const up = dirname(dir);
    if (up === dir)
      throw new Error(`package.json of ${PACKAGE_NAME} not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

export const APP_VERSION = readVersion();
