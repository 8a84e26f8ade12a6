// Where an export lands. Files are written into a temp folder beside the target and renamed into
// place at the end, so a failure (full disk, killed worker) never leaves a half-written export,
// and an existing export is replaced only when asked (`force`).
//
// Parents are created one level at a time instead of with mkdirSync's `recursive`: Node's
// recursive mkdir loops forever at 100% CPU when mkdir(path) fails with ENOENT although the
// parent exists (as under /proc, where no new name can be made), so a path that cannot be created
// hung the export; level by level, the first refusal is an error at once.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ServiceError } from '../../core/contract.js';

export interface ExportTarget {
  /** The folder the export ends up in. */
  dir: string;
  /** The temp folder the files are written into. */
  tmp: string;
}

const reason = (e: unknown) => {
  const err = e as NodeJS.ErrnoException;
  return err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied' : err.code === 'ENOENT' ? 'the file system refuses new folders there' : err.message;
};

function cannotCreate(dir: string, at: string, e: unknown): ServiceError {
  return new ServiceError('bad_input', `cannot create the export folder ${dir}: ${at === dir ? '' : `${at}: `}${reason(e)}; choose another folder`, 'outDir');
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
  if (!statSync(p).isDirectory()) throw new ServiceError('bad_input', `cannot create the export folder ${target}: ${p} is a file`, 'outDir');
  for (const m of missing) {
    try {
      mkdirSync(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotCreate(target, m, e);
    }
  }
}

/** Checks the target and makes the temp folder beside it; nothing is written into the target yet. */
export function openTarget(outDir: string, force: boolean): ExportTarget {
  const dir = resolve(outDir);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new ServiceError('conflict', `${dir} is a file, not a folder; choose a folder for the export`, 'outDir');
    if (!force && readdirSync(dir).length > 0) {
      throw new ServiceError('conflict', `${dir} already exists and is not empty; choose a new folder or replace it with force (CLI: --force)`, 'outDir');
    }
  }
  const parent = dirname(dir);
  makeDirs(parent, dir);
  try {
    return { dir, tmp: mkdtempSync(join(parent, `.${basename(dir)}.export-`)) };
  } catch (e) {
    throw cannotCreate(dir, parent, e);
  }
}

/** Moves the finished files into place: an empty or (with force) existing target is replaced. */
export function commitTarget(t: ExportTarget): void {
  let old: string | null = null;
  if (existsSync(t.dir)) {
    old = `${t.tmp}-old`;
    renameSync(t.dir, old);
  }
  try {
    renameSync(t.tmp, t.dir);
  } catch (e) {
    if (old) renameSync(old, t.dir); // put the previous export back
    throw e;
  }
  if (old) rmSync(old, { recursive: true, force: true });
}

/** Removes the temp folder after a failure. */
export function discardTarget(t: ExportTarget): void {
  rmSync(t.tmp, { recursive: true, force: true });
}
