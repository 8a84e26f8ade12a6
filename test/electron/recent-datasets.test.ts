// Recently imported files: given to the OS (app.addRecentDocument) and listed in File ▸ Open
// Recent, which macOS keeps itself (the recentDocuments role) and Windows/Linux get from
// userData/recent-datasets.json; files opened with the app arrive by argv or open-file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { menuTemplate, openRecentMenu } from '../../electron/menu.js';
import { OpenQueue, openableFromArgv } from '../../electron/open-files.js';
import { RECENT_MAX, RecentDatasets } from '../../electron/recent-datasets.js';
import { tempDir } from '../helpers.js';
import { createFakeElectron } from './fake-electron.js';

const t = tempDir('rnnwb-recent-');
afterAll(() => t.cleanup());
const file = (name: string) => {
  const p = join(t.dir, name);
  writeFileSync(p, 'a,b\n1,2\n');
  return p;
};

describe('recent datasets', () => {
  it('tells the OS, keeps the newest first without repeats, persists, and clears', () => {
    const { electron } = createFakeElectron({ userData: t.dir });
    const [a, b] = [file('a.csv'), file('b & c.csv')];
    const recent = RecentDatasets.inUserData(t.dir, electron.app);
    let changes = 0;
    recent.onChange(() => changes++);
    recent.add(a);
    recent.add(b);
    recent.add(a);
    expect(recent.list()).toEqual([a, b]);
    expect(electron.app.recentDocuments).toEqual([a, b, a]);
    expect(changes).toBe(3);
    expect(RecentDatasets.inUserData(t.dir, electron.app).list()).toEqual([a, b]); // next launch
    expect(recent.list((p) => p !== b)).toEqual([a]); // a file gone since is not offered
    recent.clear();
    expect([recent.list(), electron.app.recentDocuments]).toEqual([[], []]);
    expect(RecentDatasets.inUserData(t.dir, electron.app).list()).toEqual([]);
  });

  it('keeps at most RECENT_MAX and survives a damaged file', () => {
    const { electron } = createFakeElectron({ userData: t.dir });
    const recent = new RecentDatasets(join(t.dir, 'many.json'), electron.app);
    for (let i = 0; i < RECENT_MAX + 5; i++) recent.add(`/data/${i}.csv`);
    expect(recent.list(() => true)).toHaveLength(RECENT_MAX);
    expect(recent.list(() => true)[0]).toBe(`/data/${RECENT_MAX + 4}.csv`);
    writeFileSync(join(t.dir, 'bad.json'), '{"not": "a list"');
    expect(new RecentDatasets(join(t.dir, 'bad.json'), electron.app).list(() => true)).toEqual([]);
  });
});

describe('File ▸ Open Recent', () => {
  const opened: string[] = [];
  let cleared = 0;
  const actions = {
    importCsv: () => {},
    command: () => {},
    quit: () => {},
    openRecent: (p: string) => opened.push(p),
    clearRecent: () => cleared++,
  };

  it('on Windows and Linux lists the files (names, & escaped), opens one, and clears', () => {
    const menu = openRecentMenu(actions, ['/d/prices.csv', '/d/b & c.csv'], false);
    const items = menu.submenu as any[];
    expect(items.map((i) => i.label ?? i.type)).toEqual([
      'prices.csv',
      'b && c.csv',
      'separator',
      'Clear Recently Opened',
    ]);
    expect(items[1].toolTip).toBe('/d/b & c.csv');
    items[1].click();
    items[3].click();
    expect([opened, cleared]).toEqual([['/d/b & c.csv'], 1]);
    const empty = openRecentMenu(actions, [], false).submenu as any[];
    expect(empty.map((i) => [i.label ?? i.type, i.enabled])).toEqual([
      ['No recent files', false],
      ['separator', undefined],
      ['Clear Recently Opened', false],
    ]);
  });

  it("on macOS is the system's recent documents menu", () => {
    expect(openRecentMenu(actions, ['/d/prices.csv'], true)).toEqual({
      id: 'open-recent',
      label: 'Open Recent',
      role: 'recentDocuments',
      submenu: [{ role: 'clearRecentDocuments' }],
    });
  });

  it('sits in the File menu under Import CSV…', () => {
    const template = menuTemplate(actions, { platform: 'linux', dev: false, recent: ['/d/prices.csv'] });
    const file = template.find((m) => m.label === '&File')!.submenu as any[];
    expect(file.slice(0, 2).map((i) => i.id)).toEqual(['import-csv', 'open-recent']);
  });
});

describe('files opened with the app', () => {
  it('takes existing .csv/.tsv files from argv, relative to the launch folder, skipping switches and the app', () => {
    const a = file('x.csv');
    const b = file('y.TSV');
    file('notes.txt');
    const argv = [
      '/usr/bin/electron',
      '.',
      '--allow-file-access-from-files',
      'x.csv',
      b,
      'missing.csv',
      join(t.dir, 'notes.txt'),
      a,
    ];
    expect(openableFromArgv(argv, t.dir)).toEqual([a, b]);
    expect(openableFromArgv(['/opt/Recurrent Workbench/recurrent-workbench'], t.dir)).toEqual([]);
    expect(openableFromArgv(['exe', t.dir + '.csv'], '/')).toEqual([]); // no such file
  });

  it('holds files until the app can import them, then passes them straight on', () => {
    const q = new OpenQueue();
    const got: string[] = [];
    q.push('/a.csv');
    q.push('/b.csv');
    expect(got).toEqual([]);
    q.ready((p) => got.push(p));
    q.push('/c.csv');
    expect(got).toEqual(['/a.csv', '/b.csv', '/c.csv']);
  });
});
