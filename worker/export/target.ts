// Where an export lands. Files are written into a temp folder and renamed into place at the end,
// so a failure (full disk, killed worker) never leaves a half-written export, and an existing
// export is replaced only when asked (`force`). Only the export's own files are ever replaced:
// a folder chosen in a dialog may hold the user's other files, and those are never deleted.
//
// Parents are created one level at a time instead of with mkdirSync's `recursive`: Node's
// recursive mkdir loops forever at 100% CPU when mkdir(path) fails with ENOENT although the
// parent exists (as under /proc, where no new name can be made), so a path that cannot be created
// hung the export; level by level, the first refusal is an error at once.
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ServiceError } from '../../core/contract.js';

export interface ExportTarget {
  /** The folder the export ends up in. */
  dir: string;
  /** The temp folder the files are written into. */
  tmp: string;
  /**
   * `new`: the target did not exist; the temp folder beside it is renamed to it (one step).
   * `into`: the target is an existing folder (a dialog's choice may hold the user's other files):
   * the temp folder is made inside it, so each finished file moves in by a rename on the same file
   * system; nothing else in the folder is touched.
   */
  mode: 'new' | 'into';
}

const reason = (e: unknown) => {
  const err = e as NodeJS.ErrnoException;
  return err.code === 'EACCES' || err.code === 'EPERM'
    ? 'permission denied'
    : err.code === 'ENOENT'
      ? 'the file system refuses new folders there'
      : err.message;
};

function cannotCreate(dir: string, at: string, e: unknown): ServiceError {
  return new ServiceError(
    'bad_input',
    `cannot create the export folder ${dir}: ${at === dir ? '' : `${at}: `}${reason(e)}; choose another folder`,
    'outDir',
  );
}

/** Creates `dir` and its missing parents one level at a time; throws a ServiceError naming the level that failed. */
export function makeDirs(dir: string, target = dir): void {
  const missing: string[] = [];
  let p = dir;
  while (!existsSync(p)) {
    missing.unshift(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  if (!statSync(p).isDirectory())
    throw new ServiceError('bad_input', `cannot create the export folder ${target}: ${p} is a file`, 'outDir');
  for (const m of missing) {
    try {
      mkdirSync(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotCreate(target, m, e);
    }
  }
}

/** Checks the target and makes the temp folder; nothing is written into the target yet. */
export function openTarget(outDir: string, files: readonly string[], force: boolean): ExportTarget {
  const dir = resolve(outDir);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory())
      throw new ServiceError('conflict', `${dir} is a file, not a folder; choose a folder for the export`, 'outDir');
    const clash = files.filter((f) => existsSync(join(dir, f)));
    if (clash.length > 0 && !force) {
      throw new ServiceError(
        'conflict',
        `${dir} already holds an export (${clash.join(', ')}); choose a new folder or replace those files with force (CLI: --force)`,
        'outDir',
      );
    }
    try {
      return { dir, tmp: mkdtempSync(join(dir, '.export-')), mode: 'into' };
    } catch (e) {
      throw cannotCreate(dir, dir, e);
    }
  }
  const parent = dirname(dir);
  makeDirs(parent, dir);
  try {
    return { dir, tmp: mkdtempSync(join(parent, `.${basename(dir)}.export-`)), mode: 'new' };
  } catch (e) {
    throw cannotCreate(dir, parent, e);
  }
}

/** Moves the finished files into place (`files` in order: the one a loader reads first goes last). */
export function commitTarget(t: ExportTarget, files: readonly string[]): void {
  if (t.mode === 'new') {
    renameSync(t.tmp, t.dir);
    return;
  }
  for (const f of files) renameSync(join(t.tmp, f), join(t.dir, f));
  rmSync(t.tmp, { recursive: true, force: true });
}

/** Removes the temp folder after a failure. */
export function discardTarget(t: ExportTarget): void {
  rmSync(t.tmp, { recursive: true, force: true });
}
