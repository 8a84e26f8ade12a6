// Opens the service the way a command uses the database (table.ts `db`): read-only for commands
// that only query, never creating a file for a command that needs an existing database, so a
// mistyped `--db` says so instead of leaving an empty database (and its folders) behind.
import { DatabaseOpenError } from '../../db/open.js';
import { createService, type Service } from '../service.js';
import { warmLauncher } from '../warm-launcher.js';
import { takeEarlyTrainer } from './early-trainer.js';
import type { Command } from './table.js';

export function openService(cmd: Command, dbPath: string, dbGiven: boolean): Service {
  // `train` and `resume` forked their trainer as the command started (early-trainer.ts): their run gets it.
  const early = cmd.db === 'read' ? null : takeEarlyTrainer();
  try {
    return createService({
      dbPath,
      host: cmd.host ?? 'cli',
      readonly: cmd.db === 'read',
      create: cmd.db === 'create',
      ...(early ? { launcher: warmLauncher({ spares: 0, adopt: [early] }) } : {}),
    });
  } catch (e) {
    early?.child.kill('SIGKILL');
    if (e instanceof DatabaseOpenError && e.reason === 'missing') throw missing(dbPath, dbGiven);
    throw e;
  }
}

/** The CLI's words for a database that is not there: which flag to check, how to make one. */
function missing(dbPath: string, dbGiven: boolean): DatabaseOpenError {
  const message = dbGiven
    ? `no database at ${dbPath} (nothing was created): check the --db path, or create one there with: rnn-workbench import <file.csv> --db ${dbPath}`
    : `no database yet at ${dbPath} (nothing was created): start with: rnn-workbench import <file.csv>`;
  return new DatabaseOpenError(message, dbPath, 'missing');
}
