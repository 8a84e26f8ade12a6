// The desktop app's "could not start" box: a database that cannot be opened is one line naming the
// file and what to do (the error's own message), never a stack trace; an unexpected error keeps
// its stack for a bug report.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createService } from '../../core/service.js';
import { startupFailure } from '../../electron/app.js';
import { tempDir } from '../helpers.js';

const t = tempDir('rnnwb-startup-');
afterAll(() => t.cleanup());

describe('startupFailure', () => {
  it('shows a database that cannot be opened as its one-line message', () => {
    const file = join(t.dir, 'workbench.db');
    writeFileSync(file, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(20)]));
    let err: unknown;
    try {
      createService({ dbPath: file });
    } catch (e) {
      err = e;
    }
    const text = startupFailure(err);
    expect(text).toBe(
      `${file} is damaged (truncated: 36 bytes, shorter than the 100-byte header): restore it from a backup, or copy it again if a copy or download was cut short; it was left untouched`,
    );
  });

  it('keeps the stack of an unexpected error', () => {
    const text = startupFailure(new TypeError('boom'));
    expect(text).toMatch(/^TypeError: boom\n\s+at /);
  });
});
