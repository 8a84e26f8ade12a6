// `rnn-workbench <command>`: the headless host. Every command goes through the same service and
// contract as the desktop app and browser mode. The commands are a table (core/cli/commands-*.ts)
// read by one strict parser (core/cli/table.ts); this entry picks the command, opens the service
// and turns anything thrown into one line on stderr.
import { resolve } from 'node:path';
import { toApiError } from './errors.js';
import { defaultDbPath } from './paths.js';
import type { Service } from './service.js';
import { datasetsCommand, importCommand } from './cli/commands-data.js';
import {
  compareCommand,
  exportCommand,
  resumeCommand,
  runsCommand,
  showCommand,
  stopCommand,
  trainCommand,
} from './cli/commands-runs.js';
import { serveCommand } from './cli/commands-serve.js';
import { settingsCommand } from './cli/commands-settings.js';
import { bundleCommand, importBundleCommand } from './cli/commands-bundles.js';
import { predictCommand } from './cli/commands-predict.js';
import { backtestCommand, backtestsCommand } from './cli/commands-backtest.js';
import { studyCommand } from './cli/commands-studies.js';
import { tuneCommand } from './cli/commands-tune.js';
import { openService } from './cli/open.js';
import { dropEarlyTrainer, forkEarlyTrainer } from './cli/early-trainer.js';
import {
  UsageError,
  commandHelp,
  commandName,
  contextFor,
  parseCommandLine,
  topLevelHelp,
  usageLine,
  type Command,
  type ParsedLine,
} from './cli/table.js';

export const COMMANDS: readonly Command[] = [
  importCommand,
  datasetsCommand,
  trainCommand,
  runsCommand,
  showCommand,
  compareCommand,
  stopCommand,
  resumeCommand,
  exportCommand,
  predictCommand,
  settingsCommand,
  bundleCommand,
  importBundleCommand,
  backtestCommand,
  backtestsCommand,
  tuneCommand,
  studyCommand,
  serveCommand,
];

const findCommand = (name: string | undefined) => COMMANDS.find((c) => c.name === name);

/** One line for anything thrown: the contract's message and, where known, the field. */
export function errorLine(e: unknown): string {
  const err = toApiError(e);
  return `error: ${err.message.replace(/\s*\n\s*/g, ' ')}${err.field ? ` [${err.field}]` : ''}`;
}

function printUsageError(e: UsageError, current: Command | undefined): void {
  const cmd = e.command ?? current;
  const usage = cmd
    ? `Usage: ${usageLine(cmd)}\n(rnn-workbench ${cmd.name} --help lists its options)`
    : topLevelHelp(COMMANDS, defaultDbPath());
  console.error(`${e.message}\n\n${usage}`);
}

/** The command and its parsed line, or the help text to print and the exit code. */
function readLine(argv: string[]): { cmd: Command; line: ParsedLine } | { text: string; code: number } {
  const { name, index } = commandName(argv);
  const rest = argv.filter((_, i) => i !== index);
  if (name === 'help') {
    const about = findCommand(rest.find((a) => !a.startsWith('-')));
    return { text: about ? commandHelp(about) : topLevelHelp(COMMANDS, defaultDbPath()), code: 0 };
  }
  if (name === undefined) {
    const help = rest.includes('--help');
    return { text: topLevelHelp(COMMANDS, defaultDbPath()), code: help ? 0 : 1 };
  }
  const cmd = findCommand(name);
  if (!cmd) throw new UsageError(`unknown command "${name}"`);
  const line = parseCommandLine(cmd, rest);
  if (line.values.help === true) return { text: commandHelp(cmd), code: 0 };
  const [min, max] = cmd.positionals;
  const n = line.positionals.length;
  if (n < min || n > max) {
    const what =
      max === 0
        ? `takes no arguments (got "${line.positionals.join(' ')}")`
        : `expects ${min === max ? min : `at least ${min}`} argument${max === 1 ? '' : 's'}, got ${n}`;
    throw new UsageError(`${cmd.name} ${what}`, cmd);
  }
  return { cmd, line };
}

export async function main(argv: string[]): Promise<number> {
  let svc: Service | undefined;
  let current: Command | undefined;
  let keepOpen = false;
  // A training command's trainer starts now, loading while the CLI does (the bin forked it already).
  forkEarlyTrainer(argv);
  try {
    const read = readLine(argv);
    if ('text' in read) {
      (read.code === 0 ? console.log : console.error)(read.text);
      return read.code;
    }
    const { cmd, line } = read;
    current = cmd;
    const given = line.values.db as string | undefined;
    const dbPath = resolve(given ?? defaultDbPath());
    const code = await cmd.run(contextFor(() => (svc ??= openService(cmd, dbPath, given !== undefined)), dbPath, line));
    keepOpen = cmd.host === 'server' && code === 0;
    return code;
  } catch (e) {
    if (e instanceof UsageError) {
      printUsageError(e, current);
      return 2;
    }
    console.error(errorLine(e));
    return 1;
  } finally {
    dropEarlyTrainer();
    if (svc && !keepOpen) await closeQuietly(svc);
  }
}

/** Closing must not turn a finished command into a stack trace; a failure is one line. */
async function closeQuietly(svc: Service): Promise<void> {
  try {
    await svc.close();
  } catch (e) {
    console.error(errorLine(e));
  }
}
