// runs.predict reads a host file only with --csv: the desktop window may name only a CSV it was
// given (picked or dropped); without a CSV the call names no path and needs no grant.
import { describe, expect, it } from 'vitest';
import { PathGrants } from '../../electron/grants.js';

describe('path grants for predict', () => {
  it('needs no grant without a CSV and an import grant for one', () => {
    const g = new PathGrants();
    const win = {};
    g.grant(win, 'import', '/in/new.csv');
    expect(g.check(win, 'runs.predict', { id: 1 })).toBeUndefined();
    expect(g.check(win, 'runs.predict', { id: 1, csvPath: '/in/new.csv' })).toBeUndefined();
    expect(g.check(win, 'runs.predict', { id: 1, csvPath: '/etc/passwd' })).toMatchObject({
      code: 'forbidden',
      field: 'csvPath',
    });
  });
});
