// The main process log: one timestamped line per message in userData/logs/main.log, rotated at
// its size cap with a fixed number of old files kept, and never an exception when it cannot write.
import { chmodSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOG_FILE_NAME, openLogFile, rotatedName } from '../../electron/log-file.js';
import { logProcessTrouble, mainLog } from '../../electron/main-log.js';
import { EventEmitter } from 'node:events';
import { tempDir } from '../helpers.js';

const t = tempDir('rnnwb-log-');
afterAll(() => t.cleanup());
const fixed = () => new Date(Date.UTC(2026, 11, 1, 3, 0, 0));

describe('main process log file', () => {
  it('creates the folder and writes one timestamped line per message, continuation lines indented', () => {
    const dir = join(t.dir, 'a', 'logs');
    const log = openLogFile(dir, { now: fixed });
    log.write('start: version 1.2.3');
    log.write('Error: boom\n    at x');
    expect(log.path).toBe(join(dir, LOG_FILE_NAME));
    expect(readFileSync(log.path, 'utf8')).toBe(
      '2026-12-01T03:00:00.000Z start: version 1.2.3\n2026-12-01T03:00:00.000Z Error: boom\n        at x\n',
    );
  });

  it('rotates at the size cap: main.log → main.1.log → main.2.log, keeping `keep` old files', () => {
    const dir = join(t.dir, 'b');
    const log = openLogFile(dir, { maxBytes: 100, keep: 2, now: fixed });
    // Each line is 25 + 10 + 1 = 36 bytes: two fit under 100, a third starts a new file.
    for (let i = 0; i < 10; i++) log.write(`message ${String(i).padStart(2, '0')}`);
    expect(readdirSync(dir).sort()).toEqual(['main.1.log', 'main.2.log', 'main.log']);
    const lines = (f: string) =>
      readFileSync(f, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.slice(25));
    expect(lines(log.path)).toEqual(['message 08', 'message 09']);
    expect(lines(rotatedName(dir, 1))).toEqual(['message 06', 'message 07']);
    expect(lines(rotatedName(dir, 2))).toEqual(['message 04', 'message 05']);
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f)).length).toBeLessThanOrEqual(100);
  });

  it('counts what an earlier launch wrote toward the cap', () => {
    const dir = join(t.dir, 'c');
    openLogFile(dir, { now: fixed }).write('x'.repeat(80));
    const second = openLogFile(dir, { maxBytes: 120, keep: 1, now: fixed });
    second.write('next launch');
    expect(readFileSync(rotatedName(dir, 1), 'utf8')).toContain('x'.repeat(80));
    expect(readFileSync(second.path, 'utf8')).toContain('next launch');
  });

  it('never throws when the folder cannot be written', () => {
    if (process.getuid?.() === 0) return; // root writes anyway
    const dir = join(t.dir, 'ro');
    openLogFile(dir).write('first');
    chmodSync(dir, 0o500);
    try {
      const log = openLogFile(join(dir, 'sub'));
      expect(() => log.write('lost')).not.toThrow();
      expect(existsSync(join(dir, 'sub'))).toBe(false);
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it('mainLog writes the file and echoes; process trouble is logged', () => {
    const echoed: string[] = [];
    const log = mainLog(join(t.dir, 'profile'), (m) => echoed.push(m));
    expect(log.path).toBe(join(t.dir, 'profile', 'logs', 'main.log'));
    const app = new EventEmitter();
    const proc = new EventEmitter();
    logProcessTrouble(app as never, log, proc);
    app.emit(
      'child-process-gone',
      {},
      { type: 'Utility', serviceName: 'Recurrent Workbench train', reason: 'crashed', exitCode: 139 },
    );
    app.emit('render-process-gone', {}, {}, { reason: 'oom', exitCode: -1 });
    proc.emit('uncaughtExceptionMonitor', new Error('bad'), 'uncaughtException');
    const text = readFileSync(log.path, 'utf8');
    expect(text).toContain('Utility process gone (Recurrent Workbench train): crashed (exit code 139)');
    expect(text).toContain('renderer process gone: oom (exit code -1)');
    expect(text).toMatch(/uncaughtException in main: Error: bad\n\s+at /);
    expect(echoed).toHaveLength(3);
  });
});
