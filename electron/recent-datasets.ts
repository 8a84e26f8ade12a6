// Recently imported CSV files. Each successful import is given to the OS (app.addRecentDocument:
// the dock's and File ▸ Open Recent's list on macOS, the taskbar jump list on Windows) and kept in
// userData/recent-datasets.json for the File ▸ Open Recent submenu that Windows and Linux build
// themselves (electron/menu.ts). Every import counts: the File menu, a drop on the window, a file
// opened with the app.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesktopService } from './app.js';

export const RECENT_FILE = 'recent-datasets.json';
export const RECENT_MAX = 10;

/** The part of Electron's app used here. */
export interface RecentDocumentsApp {
  addRecentDocument(path: string): void;
  clearRecentDocuments(): void;
}

export class RecentDatasets {
  #paths: string[];
  readonly #listeners = new Set<() => void>();

  constructor(
    readonly file: string,
    private readonly app: RecentDocumentsApp,
  ) {
    this.#paths = readList(file);
  }

  static inUserData(userData: string, app: RecentDocumentsApp): RecentDatasets {
    return new RecentDatasets(join(userData, RECENT_FILE), app);
  }

  /** Called after every change (the menu rebuilds its Open Recent submenu). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Most recent first; files that are gone since are left out. */
  list(exists: (path: string) => boolean = existsSync): string[] {
    return this.#paths.filter((p) => exists(p));
  }

  add(path: string): void {
    this.app.addRecentDocument(path);
    this.#paths = [path, ...this.#paths.filter((p) => p !== path)].slice(0, RECENT_MAX);
    this.#save();
  }

  clear(): void {
    this.app.clearRecentDocuments();
    this.#paths = [];
    this.#save();
  }

  #save(): void {
    try {
      const partial = `${this.file}.partial`;
      writeFileSync(partial, JSON.stringify(this.#paths), 'utf8');
      renameSync(partial, this.file);
    } catch {
      // the list is a convenience: an unwritable profile keeps it for this session only
    }
    for (const listener of this.#listeners) listener();
  }
}

function readList(file: string): string[] {
  try {
    const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(raw)
      ? raw.filter((p): p is string => typeof p === 'string' && p !== '').slice(0, RECENT_MAX)
      : [];
  } catch {
    return [];
  }
}

/** The service, with every successful `datasets.import` reported to `onImported` (its path). */
export function recordingImports(service: DesktopService, onImported: (path: string) => void): DesktopService {
  const call = (async (method: string, args: unknown) => {
    const result = await (service.call as (m: string, a: unknown) => ReturnType<DesktopService['call']>)(method, args);
    if (method === 'datasets.import' && result.ok) {
      const path = (args as { path?: unknown } | null)?.path;
      if (typeof path === 'string') onImported(path);
    }
    return result;
  }) as DesktopService['call'];
  return { call, on: service.on.bind(service), close: () => service.close() };
}
