// The CLI as data: each command names its usage, its options and its handler, and one parser
// (Node's `util.parseArgs`, strict) reads every command line against that table. An unknown or
// misspelt flag is refused with the command's usage instead of being taken as a value: before the
// table, `runs --jsn --db x.db` read `--db` as the value of `--jsn` and opened the desktop database.
import { parseArgs } from 'node:util';
import type { Service } from '../service.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** May be given several times (`--set a=1 --set b=2`); the handler gets every value in order. */
  multiple?: boolean;
  /** The value's placeholder in help, e.g. `NAME` for `--name NAME`. */
  value?: string;
  help: string;
}

/** What a handler gets: the parsed line and the service it runs against. */
export interface CommandContext {
  svc: Service;
  dbPath: string;
  positionals: string[];
  /** The last value of a string option. */
  string(name: string): string | undefined;
  /** Every value of a repeatable string option, in order. */
  strings(name: string): string[];
  flag(name: string): boolean;
}

export type DbAccess = 'read' | 'write' | 'create';

export interface Command {
  name: string;
  /** Arguments after the name, as shown in usage: `<run> --out <dir> [--checkpoint best|last]`. */
  usage: string;
  summary: string;
  /** More lines for `<command> --help`. */
  details?: string;
  options: Record<string, OptionSpec>;
  /** Fewest and most positional arguments after the command name. */
  positionals: [min: number, max: number];
  /** The service host it reports (`system.info`); `server` keeps the service open after the handler. */
  host?: 'cli' | 'server';
  /**
   * How it uses the database: `read` opens it read-only (works in a read-only folder, never
   * creates a file), `write` needs an existing database, `create` makes one when it is missing.
   */
  db: DbAccess;
  run(ctx: CommandContext): Promise<number>;
}

/** A mistake in the command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: Command,
  ) {
    super(message);
  }
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  db: { type: 'string', value: '<file>', help: "the database (default: RNN_WORKBENCH_DB or the desktop app's file)" },
  help: { type: 'boolean', help: 'show this help' },
};

export const JSON_OPTION: Record<string, OptionSpec> = {
  json: { type: 'boolean', help: 'print JSON instead of tables' },
};

export const usageLine = (cmd: Command): string => `rnn-workbench ${cmd.name}${cmd.usage ? ` ${cmd.usage}` : ''}`;

/** `train --help`: usage line, what it does, every option. */
export function commandHelp(cmd: Command): string {
  const opts = Object.entries({ ...cmd.options, ...GLOBAL_OPTIONS }).map(([name, o]) => [
    `--${name}${o.value ? ` ${o.value}` : ''}${o.multiple ? ' ...' : ''}`,
    o.help,
  ]);
  const width = Math.max(...opts.map(([flag]) => flag!.length));
  return [
    `Usage: ${usageLine(cmd)}`,
    '',
    cmd.summary,
    ...(cmd.details ? [cmd.details] : []),
    '',
    'Options:',
    ...opts.map(([flag, help]) => `  ${flag!.padEnd(width)}  ${help}`),
  ].join('\n');
}

/** `rnn-workbench --help`: every command with its usage and summary. */
export function topLevelHelp(commands: readonly Command[], defaultDb: string): string {
  return [
    'Usage: rnn-workbench <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${usageLine(c).slice('rnn-workbench '.length)}\n      ${c.summary}`),
    '',
    'Options for every command:',
    `  --db <file>   the database (default: RNN_WORKBENCH_DB or the desktop app's file: ${defaultDb})`,
    "  --help        this text, or one command's options: rnn-workbench <command> --help",
  ].join('\n');
}

/** The command a line names: its first positional (global options may come before it). */
export function commandName(argv: string[]): { name: string | undefined; index: number } {
  const { tokens } = parseArgs({
    args: argv,
    options: toParseOptions(GLOBAL_OPTIONS),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const first = tokens.find((t) => t.kind === 'positional');
  return first ? { name: first.value, index: first.index } : { name: undefined, index: -1 };
}

function toParseOptions(options: Record<string, OptionSpec>) {
  return Object.fromEntries(
    Object.entries(options).map(([k, o]) => [k, { type: o.type, ...(o.multiple ? { multiple: true } : {}) }]),
  );
}

export interface ParsedLine {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** Parses a command's arguments (the name removed) strictly against its option table. */
export function parseCommandLine(cmd: Command, args: string[]): ParsedLine {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: toParseOptions({ ...cmd.options, ...GLOBAL_OPTIONS }),
      strict: true,
      allowPositionals: true,
    });
    return { values, positionals };
  } catch (e) {
    throw new UsageError(describeParseError(e), cmd);
  }
}

/** parseArgs' messages, shortened to the part that names the mistake. */
function describeParseError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const named = /'(-[^' ]+)/.exec(err.message ?? '')?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && named) return `unknown option ${named}`;
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && named) {
    // "does not take an argument" for a switch given a value; "argument missing" or "ambiguous"
    // (the next word is itself a flag, as in `--out --db x.db`) for an option without its value.
    return /does not take/.test(err.message ?? '') ? `${named} takes no value` : `${named} needs a value`;
  }
  return String(err.message ?? e).split('. ')[0] ?? 'bad command line';
}

/**
 * The handler's view of a parsed line. The service opens on first use, so a mistake in the line
 * (a run id that is not a number) is reported before a missing or damaged database is.
 */
export function contextFor(svc: Service | (() => Service), dbPath: string, line: ParsedLine): CommandContext {
  const all = (name: string): string[] => {
    const v = line.values[name];
    return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
  };
  return {
    get svc() {
      return typeof svc === 'function' ? svc() : svc;
    },
    dbPath,
    positionals: line.positionals,
    string: (name) => all(name).at(-1),
    strings: all,
    flag: (name) => line.values[name] === true,
  };
}
