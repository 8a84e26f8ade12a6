// CSV files opened with the app: double-clicked or "Open with" (the file association in
// build/electron-builder.config.cjs). macOS delivers them as `open-file` events (possibly before
// the app is ready); Windows and Linux start the app with the path in argv, or, when it already
// runs, hand that argv to the first instance as `second-instance`. Every way ends in the same
// import as File ▸ Import CSV…, once the service and the window exist.
import { statSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';

/** What the app opens: the file association's extensions (.csv) and the import dialog's .tsv. */
export const OPENABLE_EXTENSIONS = ['.csv', '.tsv'];

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The data files named on a command line: arguments with an openable extension that are existing
 * files, relative ones resolved against the launching shell's folder. Switches (Chromium adds its
 * own) and the app path itself (`electron .`) are never openable.
 */
export function openableFromArgv(
  argv: readonly string[],
  cwd: string,
  exists: (path: string) => boolean = isFile,
): string[] {
  const found: string[] = [];
  for (const arg of argv.slice(1)) {
    if (!arg || arg.startsWith('-')) continue;
    if (!OPENABLE_EXTENSIONS.includes(extname(arg).toLowerCase())) continue;
    const path = isAbsolute(arg) ? arg : resolve(cwd, arg);
    if (exists(path) && !found.includes(path)) found.push(path);
  }
  return found;
}

/** Holds opened files until the app can import them, then hands each to `open` in order. */
export class OpenQueue {
  readonly #waiting: string[] = [];
  #open: ((path: string) => void) | null = null;

  push(path: string): void {
    if (this.#open) this.#open(path);
    else this.#waiting.push(path);
  }

  /** From now on files go straight to `open`; those that came earlier go now. */
  ready(open: (path: string) => void): void {
    this.#open = open;
    for (const path of this.#waiting.splice(0)) open(path);
  }
}
