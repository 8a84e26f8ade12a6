// The main process log, `userData/logs/main.log`: start-up, errors, worker exits, what the desktop
// integration did (notifications, power save). One line per entry, written synchronously so that
// the last lines before a crash are on disk; rotated at a size cap (main.log → main.1.log → ...)
// so that a long-lived install never fills the disk. Writing never throws: a log that cannot be
// written (read-only profile, full disk) must not take the app down.
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const LOG_FILE_NAME = 'main.log';
/** 5 MiB: months of normal use; a log that grows faster than that is itself worth a rotation. */
export const LOG_MAX_BYTES = 5 * 1024 * 1024;
/** Rotated files kept beside the current one. */
export const LOG_KEEP = 3;

export interface LogFile {
  readonly path: string;
  write(message: string): void;
}

export interface LogFileOptions {
  maxBytes?: number;
  keep?: number;
  now?: () => Date;
}

/** The n-th rotated file: main.1.log, main.2.log, ... */
export function rotatedName(dir: string, n: number): string {
  return join(dir, LOG_FILE_NAME.replace(/\.log$/, `.${n}.log`));
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** main.log becomes main.1.log, main.1.log becomes main.2.log, ...; the oldest beyond `keep` goes. */
function rotate(dir: string, keep: number): void {
  const current = join(dir, LOG_FILE_NAME);
  if (keep <= 0) {
    rmSync(current, { force: true });
    return;
  }
  rmSync(rotatedName(dir, keep), { force: true });
  for (let n = keep - 1; n >= 1; n--) {
    try {
      renameSync(rotatedName(dir, n), rotatedName(dir, n + 1));
    } catch {
      // that generation does not exist yet
    }
  }
  renameSync(current, rotatedName(dir, 1));
}

export function openLogFile(dir: string, options: LogFileOptions = {}): LogFile {
  const maxBytes = options.maxBytes ?? LOG_MAX_BYTES;
  const keep = options.keep ?? LOG_KEEP;
  const now = options.now ?? (() => new Date());
  const path = join(dir, LOG_FILE_NAME);
  let size: number | null = null; // read on the first write: another instance may have written since
  let broken = false;
  return {
    path,
    write(message) {
      if (broken) return;
      const line = `${now().toISOString()} ${message.replace(/\r?\n/g, '\n    ')}\n`;
      const bytes = Buffer.byteLength(line);
      try {
        if (size === null) {
          mkdirSync(dir, { recursive: true });
          size = sizeOf(path);
        }
        if (size > 0 && size + bytes > maxBytes) {
          rotate(dir, keep);
          size = 0;
        }
        appendFileSync(path, line, 'utf8');
        size += bytes;
      } catch (err) {
        broken = true;
        console.error(`[workbench] cannot write the log ${path}: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };
}
