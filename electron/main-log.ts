// What the main process writes to userData/logs/main.log (electron/log-file.ts): every message the
// desktop host logs, plus what goes wrong outside it: an uncaught exception or rejection, a
// renderer or child process (GPU, utility worker) that dies abnormally.
import { join } from 'node:path';
import { openLogFile, type LogFileOptions } from './log-file.js';

export type Log = (message: string) => void;

export const LOGS_DIR_NAME = 'logs';

/** Writes to userData/logs/main.log and to `echo` (the console by default). */
export function mainLog(userData: string, echo?: Log, options?: LogFileOptions): Log & { path: string } {
  const file = openLogFile(join(userData, LOGS_DIR_NAME), options);
  const out = echo ?? ((m: string) => console.log(`[workbench] ${m}`));
  return Object.assign(
    (message: string) => {
      file.write(message);
      out(message);
    },
    { path: file.path },
  );
}

export function describeError(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/** The part of Electron's app whose events are logged here. */
export interface ProcessEventsApp {
  on(
    event: 'render-process-gone',
    listener: (e: unknown, contents: unknown, details: Electron.RenderProcessGoneDetails) => void,
  ): unknown;
  on(event: 'child-process-gone', listener: (e: unknown, details: Electron.Details) => void): unknown;
}

/**
 * Logs processes that die abnormally and uncaught errors in main. The monitor event leaves Node's
 * and Electron's own handling (the error dialog, the exit) as it is.
 */
export function logProcessTrouble(app: ProcessEventsApp, log: Log, proc: NodeJS.EventEmitter = process): void {
  app.on('render-process-gone', (_e, _contents, d) =>
    log(`renderer process gone: ${d.reason} (exit code ${d.exitCode})`),
  );
  app.on('child-process-gone', (_e, d) => {
    const name = d.serviceName ?? d.name ?? d.type;
    log(`${d.type} process gone (${name}): ${d.reason} (exit code ${d.exitCode})`);
  });
  proc.on('uncaughtExceptionMonitor', (err: unknown, origin: string) =>
    log(`${origin} in main: ${describeError(err)}`),
  );
}
