// Bundles in the desktop app name host paths too: a bundle is written only as a file directly
// inside the folder picked in the folder dialog, and imported only from a file picked or dropped.
import { describe, expect, it } from 'vitest';
import { PathGrants } from '../../electron/grants.js';

describe('path grants for bundles', () => {
  it('accepts a bundle file inside the picked folder and nothing else', () => {
    const g = new PathGrants();
    const win = {};
    g.grant(win, 'export', '/picked');
    g.grant(win, 'import', '/in/runs.rnnwb');
    expect(g.check(win, 'runs.bundle', { ids: [1], outPath: '/picked/runs-1.rnnwb' })).toBeUndefined();
    for (const outPath of [
      '/picked/sub/runs.rnnwb',
      '/elsewhere/runs.rnnwb',
      '/picked/../etc/runs.rnnwb',
      'runs.rnnwb',
    ]) {
      expect(g.check(win, 'runs.bundle', { ids: [1], outPath })).toMatchObject({ code: 'forbidden', field: 'outPath' });
    }
    expect(g.check(win, 'runs.importBundle', { path: '/in/runs.rnnwb' })).toBeUndefined();
    expect(g.check(win, 'runs.importBundle', { path: '/in/other.rnnwb' })).toMatchObject({
      code: 'forbidden',
      field: 'path',
    });
    expect(g.check({}, 'runs.bundle', { ids: [1], outPath: '/picked/runs-1.rnnwb' })).toMatchObject({
      code: 'forbidden',
    });
  });
});
