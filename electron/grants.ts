// Which host paths the window may name. The renderer is web content: if it were ever compromised
// (a malicious CSV cell rendered as HTML, a bug in a dependency), `datasets.import` could read any
// file and `runs.export` could write into any folder. So main remembers the paths the user gave
// this window, a file picked in the open dialog or dropped on the window, a folder picked in the
// folder dialog, and refuses every other path with `forbidden`, naming it.
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ApiError } from '../core/contract.js';

export type GrantKind = 'import' | 'export';

/**
 * The path argument of each method that names a host path, and which grant it needs; `inFolder`:
 * the path is a file to write inside a granted folder (a bundle saved into the chosen folder).
 */
const PATH_ARGS: Record<string, { field: string; kind: GrantKind; inFolder?: boolean; optional?: boolean }> = {
  'datasets.import': { field: 'path', kind: 'import' },
  'runs.export': { field: 'outDir', kind: 'export' },
  'runs.importBundle': { field: 'path', kind: 'import' },
  'runs.bundle': { field: 'outPath', kind: 'export', inFolder: true },
  // A new CSV to forecast is read like an import; without one, predict names no path.
  'runs.predict': { field: 'csvPath', kind: 'import', optional: true },
};

const HOW: Record<GrantKind, string> = {
  import: 'choose the file with Import CSV… or drop it on the window',
  export: "choose the folder with the export button's folder dialog",
};

export class PathGrants {
  // Per window (its WebContents): a path given to one window is not given to another.
  private readonly byWindow = new WeakMap<object, Record<GrantKind, Set<string>>>();

  grant(sender: object, kind: GrantKind, path: string): void {
    if (!isAbsolute(path)) return;
    let sets = this.byWindow.get(sender);
    if (!sets) this.byWindow.set(sender, (sets = { import: new Set(), export: new Set() }));
    sets[kind].add(resolve(path));
  }

  has(sender: object, kind: GrantKind, path: string): boolean {
    return this.byWindow.get(sender)?.[kind].has(resolve(path)) ?? false;
  }

  /** The refusal for a call that names a path this window was not given; undefined otherwise. */
  check(sender: object, method: string, args: unknown): ApiError | undefined {
    const need = PATH_ARGS[method];
    if (!need) return undefined;
    const path = (args as Record<string, unknown>)[need.field];
    if (need.optional && path === undefined) return undefined;
    if (
      typeof path === 'string' &&
      isAbsolute(path) &&
      this.has(sender, need.kind, need.inFolder ? dirname(resolve(path)) : path)
    )
      return undefined;
    return {
      code: 'forbidden',
      message: `${String(path)} was not chosen in a dialog or dropped in this window, so the app may not ${need.kind === 'import' ? 'read' : 'write'} it: ${HOW[need.kind]}`,
      field: need.field,
    };
  }
}
