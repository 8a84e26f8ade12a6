// In a packaged app an environment variable must not choose the native file db/open.ts loads
// (that would load any native code, past the RunAsNode and NODE_OPTIONS fuses); a checkout keeps
// RNN_WORKBENCH_SQLITE_BINDING for `electron .` and tests.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SQLITE_BINDING_ENV, packagedResources, sqliteNativeBinding } from '../../db/native-binding.js';
import { tempDir } from '../helpers.js';

const resources = join('/opt', 'Recurrent Workbench', 'resources');
const shipped = join(resources, 'native', 'better_sqlite3.node');
const evil = { [SQLITE_BINDING_ENV]: '/tmp/evil.node' };

describe('better-sqlite3 native binding', () => {
  it('takes the path only from process.resourcesPath in a packaged app, whatever the environment says', () => {
    const moduleFile = join(resources, 'app.asar', 'dist', 'db', 'native-binding.js');
    expect(sqliteNativeBinding({ resourcesPath: resources, moduleFile, env: evil })).toBe(shipped);
    expect(sqliteNativeBinding({ resourcesPath: resources, moduleFile, env: {} })).toBe(shipped);
    // Without an asar the code sits in resources/app: still packaged.
    expect(
      packagedResources({
        resourcesPath: resources,
        moduleFile: join(resources, 'app', 'dist', 'db', 'native-binding.js'),
      }),
    ).toBe(resources);
  });

  it('keeps the variable in a checkout (plain Node, or `electron .` with resourcesPath inside node_modules)', () => {
    const moduleFile = join('/repo', 'db', 'native-binding.ts');
    expect(sqliteNativeBinding({ resourcesPath: undefined, moduleFile, env: evil })).toBe('/tmp/evil.node');
    expect(
      sqliteNativeBinding({ resourcesPath: '/repo/node_modules/electron/dist/resources', moduleFile, env: evil }),
    ).toBe('/tmp/evil.node');
    expect(sqliteNativeBinding({ resourcesPath: undefined, moduleFile, env: {} })).toBeUndefined();
  });

  it('is what openDb loads: a checkout honours the variable (a missing file fails the open, naming it)', () => {
    const t = tempDir('rnnwb-bind-');
    try {
      const script = `import { openDb } from ${JSON.stringify(join(import.meta.dirname, '../../db/open.ts'))};
try { openDb(${JSON.stringify(join(t.dir, 'x.db'))}); console.log('opened'); } catch (e) { console.log(e.message); }`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: { ...process.env, [SQLITE_BINDING_ENV]: join(t.dir, 'missing.node') },
      });
      expect(r.stdout).toContain('missing.node');
    } finally {
      t.cleanup();
    }
  });
});
